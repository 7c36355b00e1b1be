/**
 * `deno task compile`: builds `dist/xbar`, one executable that is both the
 * node controller and (through its hidden `worker` command) every worker,
 * then runs that executable's smoke test (`smoke.ts`: check, start, a call
 * through a container and a router component, status, stop) before it
 * reports success.
 *
 * A compiled executable cannot import modules outside its build graph, so
 * the component modules of a node directory are built in:
 * `--components <node dir>` reads that directory's config and builds in every
 * component module it names (`single_executable.ts`). The executable runs
 * only those; its `xbar check` refuses others.
 *
 * `deno compile` needs the `denort` runtime of the same Deno version. It
 * downloads it from dl.deno.land on a connected machine; elsewhere set
 * `DENORT_BIN=/path/to/denort`. When neither is possible this script says so
 * and exits 1 (no stack trace). `--launcher` builds, instead of the
 * executable, the launcher that stands in for it (same command line, same
 * built-in components, run by this Deno) and smoke-tests that: everything
 * but `deno compile` itself.
 *
 * Usage: deno run -A scripts/compile.ts [--output dist/xbar] [--target <triple>]
 *          [--components <node dir>] [--launcher]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { collectComponents, ROOT, writeEntry, writeLauncher } from "./single_executable.ts";
import { smokeTest } from "./smoke.ts";

const encoder = new TextEncoder();

function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function reachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** Where `deno compile` can get its runtime: undefined when it can, else why not (already said). */
async function denortProblem(): Promise<string | undefined> {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort !== undefined && denort !== "") {
    try {
      const info = await Deno.stat(denort);
      if (!info.isFile) throw new Error("not a file");
    } catch (err) {
      say(`compile: DENORT_BIN=${denort} is not usable (${errText(err)}).`);
      say(
        `compile: point it at the denort binary of Deno ${Deno.version.deno}, or unset it on a connected machine.`,
      );
      return "denort";
    }
    say(`compile: using the denort runtime from DENORT_BIN=${denort}`);
    return undefined;
  }
  if (await reachable("https://dl.deno.land/", 5000)) return undefined;
  say(
    "compile: cannot build dist/xbar here: `deno compile` needs the denort runtime of Deno " +
      `${Deno.version.deno}, which it downloads from dl.deno.land, and this machine cannot reach it.`,
  );
  say(
    "compile: set DENORT_BIN=/path/to/denort (same Deno version) or run `deno task compile` on a connected machine.",
  );
  return "denort";
}

/** True when `output version --json` runs and names xbar (a wrong DENORT_BIN still "compiles"). */
async function runsVersion(output: string): Promise<boolean> {
  const probe = await new Deno.Command(output, {
    args: ["version", "--json"],
    stdin: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  try {
    return probe !== undefined && probe.success &&
      JSON.parse(new TextDecoder().decode(probe.stdout)).xbar !== undefined;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        output: { type: "string" },
        target: { type: "string" },
        components: { type: "string" },
        launcher: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (err) {
    say(`compile: ${errText(err)}`);
    return 2;
  }
  if (values.help) {
    say(
      "Usage: deno task compile [--output dist/xbar] [--target <triple>] [--components <node dir>] [--launcher]\n" +
        "Builds the single xbar executable, with the component modules the config in <node dir>\n" +
        "names built in, and smoke-tests it. Needs DENORT_BIN=/path/to/denort (Deno " +
        Deno.version.deno +
        ") or a connection to dl.deno.land.\n" +
        "--launcher: build the launcher that stands in for the executable instead (no denort needed).",
    );
    return 0;
  }
  const launcher = values.launcher === true;
  if (launcher && values.target) {
    say("compile: --launcher runs on this machine; it takes no --target");
    return 2;
  }
  const output = resolve(values.output ?? join(ROOT, "dist", launcher ? "xbar-launcher" : "xbar"));
  if (!launcher && await denortProblem()) return 1;
  const collected = await collectComponents(values.components);
  if (collected.errors.length > 0) {
    say(`compile: the config in ${values.components} has errors; nothing built:`);
    for (const e of collected.errors) say(`  ${e}`);
    return 1;
  }
  const keys = collected.components.filter((c) => !c.internal).map((c) => c.key);
  say(`compile: components built in: ${keys.join(", ") || "none"} (and the smoke test's)`);

  const entry = launcher
    ? `${output}.entry.ts`
    : join(ROOT, "dist", ".build", `entry-${Deno.pid}.ts`);
  try {
    await writeEntry(entry, collected.components);
  } catch (err) {
    say(`compile: cannot write ${entry}: ${errText(err)}`);
    return 1;
  }
  let runnable = true;
  if (launcher) {
    await writeLauncher(output, entry);
    say(`compile: wrote the launcher ${output} (runs ${entry} under ${Deno.execPath()})`);
  } else {
    try {
      await Deno.mkdir(dirname(output), { recursive: true });
      const args = [
        "compile",
        "--quiet",
        "--unstable-net",
        "-A",
        "--no-check",
        "--config",
        join(ROOT, "deno.json"),
        "--output",
        output,
        ...(values.target ? ["--target", values.target] : []),
        entry,
      ];
      say(`compile: deno ${args.join(" ")}`);
      let status: Deno.CommandStatus;
      try {
        status = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stdin: "null" })
          .spawn().status;
      } catch (err) {
        say(`compile: cannot run deno compile: ${errText(err)}`);
        return 1;
      }
      if (!status.success) {
        say(`compile: deno compile failed (exit ${status.code}); see its message above.`);
        return 1;
      }
    } finally {
      await Deno.remove(entry).catch(() => {});
    }
    runnable = !values.target || values.target === Deno.build.target;
  }
  if (!runnable) {
    say(
      `compile: built ${output} for ${values.target}; it cannot run here, so it was not smoke-tested.`,
    );
    return 0;
  }
  if (!(await runsVersion(output))) {
    say(`compile: ${output} was written but does not run ("${output} version" failed).`);
    if (!launcher) {
      say(
        `compile: is DENORT_BIN the denort runtime of Deno ${Deno.version.deno} for this platform?`,
      );
    }
    await Deno.remove(output).catch(() => {});
    return 1;
  }
  try {
    await smokeTest(output, { say: (line) => say(`compile: ${line}`) });
  } catch (err) {
    say(`compile: ${errText(err)}`);
    say(`compile: ${output} failed its smoke test and was removed.`);
    await Deno.remove(output).catch(() => {});
    return 1;
  }
  const size = (await Deno.stat(output)).size;
  say(
    `compile: built ${output}${
      launcher ? "" : ` (${(size / 1024 / 1024).toFixed(1)} MiB)`
    } and it passed its smoke test; try: ${output} version`,
  );
  return 0;
}

Deno.exit(await main());
