/**
 * `deno task compile`: builds `dist/xbar`, one executable that is both the
 * node controller and (through its hidden `worker` command) every worker.
 *
 * `deno compile` needs the `denort` runtime of the same Deno version. It
 * downloads it from dl.deno.land on a connected machine; elsewhere set
 * `DENORT_BIN=/path/to/denort`. When neither is possible this script says so
 * and exits 1 (no stack trace).
 *
 * Usage: deno run -A scripts/compile.ts [--output dist/xbar] [--target <triple>]
 *
 * @module
 */

import { parseArgs } from "node:util";

const root = new URL("../", import.meta.url).pathname;
const encoder = new TextEncoder();

function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
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

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        output: { type: "string" },
        target: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (err) {
    say(`compile: ${err instanceof Error ? err.message : err}`);
    return 2;
  }
  if (values.help) {
    say(
      "Usage: deno task compile [--output dist/xbar] [--target <triple>]\n" +
        "Builds the single xbar executable. Needs DENORT_BIN=/path/to/denort (Deno " +
        Deno.version.deno +
        ") or a connection to dl.deno.land.",
    );
    return 0;
  }
  const output = values.output ?? `${root}dist/xbar`;
  const denort = Deno.env.get("DENORT_BIN");
  if (denort !== undefined && denort !== "") {
    try {
      const info = await Deno.stat(denort);
      if (!info.isFile) throw new Error("not a file");
    } catch (err) {
      say(
        `compile: DENORT_BIN=${denort} is not usable (${
          err instanceof Error ? err.message : err
        }).`,
      );
      say(
        `compile: point it at the denort binary of Deno ${Deno.version.deno}, or unset it on a connected machine.`,
      );
      return 1;
    }
    say(`compile: using the denort runtime from DENORT_BIN=${denort}`);
  } else if (!(await reachable("https://dl.deno.land/", 5000))) {
    say(
      "compile: cannot build dist/xbar here: `deno compile` needs the denort runtime of Deno " +
        `${Deno.version.deno}, which it downloads from dl.deno.land, and this machine cannot reach it.`,
    );
    say(
      "compile: set DENORT_BIN=/path/to/denort (same Deno version) or run `deno task compile` on a connected machine.",
    );
    return 1;
  }
  const args = [
    "compile",
    "--quiet",
    "--unstable-net",
    "-A",
    "--no-check",
    "--output",
    output,
    ...(values.target ? ["--target", values.target] : []),
    `${root}cli/xbar.ts`,
  ];
  say(`compile: deno ${args.join(" ")}`);
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdin: "null" }).spawn()
      .status;
  } catch (err) {
    say(`compile: cannot run deno compile: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
  if (!status.success) {
    say(`compile: deno compile failed (exit ${status.code}); see its message above.`);
    return 1;
  }
  // a wrong DENORT_BIN still "compiles": make sure the result runs
  const probe = await new Deno.Command(output, {
    args: ["version", "--json"],
    stdin: "null",
    stderr: "null",
  })
    .output().catch(() => undefined);
  let ran = false;
  try {
    ran = probe !== undefined && probe.success &&
      JSON.parse(new TextDecoder().decode(probe.stdout)).xbar !== undefined;
  } catch {
    ran = false;
  }
  if (!ran) {
    say(`compile: ${output} was written but does not run ("${output} version" failed).`);
    say(
      `compile: is DENORT_BIN the denort runtime of Deno ${Deno.version.deno} for this platform?`,
    );
    await Deno.remove(output).catch(() => {});
    return 1;
  }
  const size = (await Deno.stat(output)).size;
  say(`compile: built ${output} (${(size / 1024 / 1024).toFixed(1)} MiB); try: ${output} version`);
  return 0;
}

Deno.exit(await main());
