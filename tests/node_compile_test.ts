/**
 * `deno task compile` where no denort runtime can be had (this machine): a
 * clear message and exit 1, never a stack trace; a wrong DENORT_BIN is caught.
 * With Deno itself as DENORT_BIN, `deno compile` does run (the result is plain
 * Deno, not xbar): enough to see that it takes the generated entry and embeds
 * the node directory's components.
 */

import { deepStrictEqual, doesNotMatch, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { collectComponents, writeEntry } from "../scripts/single_executable.ts";
import { freePort, ROOT, routerWorker, writeConfig } from "./_node_kit.ts";

/** The local modules cli/compiled_graph.ts imports, as paths from the repository root. */
function compiledGraphModules(): string[] {
  const text = Deno.readTextFileSync(`${ROOT}cli/compiled_graph.ts`);
  return [...text.matchAll(/import\("(\.[^"]+)"\)/g)].map((m) =>
    new URL(m[1], `file://${ROOT}cli/`).pathname.slice(ROOT.length)
  );
}

async function compile(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `${ROOT}scripts/compile.ts`,
      "--output",
      "/tmp/xbar-compile-test-never",
    ],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task compile with a DENORT_BIN that does not exist: a clear message and exit 1", async () => {
  const r = await compile({ DENORT_BIN: "/nonexistent/denort" });
  strictEqual(r.code, 1);
  match(r.stderr, /DENORT_BIN=\/nonexistent\/denort is not usable/);
  match(r.stderr, /denort binary of Deno \d+\.\d+\.\d+/);
  doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

const MARKER_COMPONENT = `export default async (session) => {
  await session.register("com.example.built_in_marker_7f3a", () => 1);
};
`;

/** A node directory (its path has a space) whose config names one container component. */
async function nodeWithComponent(tmp: string): Promise<string> {
  const dir = join(tmp, "node dir");
  await Deno.mkdir(join(dir, "components"), { recursive: true });
  await Deno.writeTextFile(join(dir, "components", "marker.js"), MARKER_COMPONENT);
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(freePort()), {
      type: "container",
      id: "container1",
      components: [{
        type: "module",
        module: "components/marker.js",
        realm: "realm1",
        transport: {
          type: "websocket",
          endpoint: { type: "tcp", host: "127.0.0.1", port: 8080 },
          url: "ws://127.0.0.1:8080/ws",
        },
      }],
    }],
  });
  return dir;
}

Deno.test("deno task compile --components with Deno itself as DENORT_BIN: deno compile takes the generated entry, the result does not run as xbar, so it is removed and compile exits 1", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "xbc-" });
  try {
    const dir = await nodeWithComponent(tmp);
    const output = join(tmp, "out dir", "xbar");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        `${ROOT}scripts/compile.ts`,
        "--components",
        dir,
        "--output",
        output,
      ],
      env: { DENORT_BIN: Deno.execPath() },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    strictEqual(out.code, 1, stderr);
    match(stderr, /components built in: components\/marker\.js/);
    match(stderr, /was written but does not run/);
    doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    ok(!(await Deno.stat(output).then(() => true, () => false)), "the broken output is removed");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno compile of the generated entry embeds the node directory's component modules", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "xbc-" });
  try {
    const dir = await nodeWithComponent(tmp);
    const { components, errors } = await collectComponents(dir);
    deepStrictEqual(errors, []);
    const entry = join(tmp, "entry dir", "main.ts");
    await writeEntry(entry, components);
    const bin = join(tmp, "bin");
    const built = await new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        "--quiet",
        "-A",
        "--no-check",
        "--config",
        `${ROOT}deno.json`,
        "--output",
        bin,
        entry,
      ],
      env: { DENORT_BIN: Deno.execPath() },
      stdin: "null",
      stderr: "piped",
    }).output();
    strictEqual(built.code, 0, new TextDecoder().decode(built.stderr));
    const grep = await new Deno.Command("grep", {
      args: ["-c", "com.example.built_in_marker_7f3a", bin],
      stdout: "piped",
    }).output();
    strictEqual(
      new TextDecoder().decode(grep.stdout).trim(),
      "1",
      "the component's source is in the binary",
    );
    // Modules imported with importLater (not analyzable) are embedded too,
    // through cli/compiled_graph.ts (the binary's file system lists each
    // embedded file as {"File":{"n":"<name>",...} in its directory).
    for (const module of compiledGraphModules()) {
      const found = await new Deno.Command("grep", {
        args: ["-c", "-F", `{"File":{"n":"${module.split("/").pop()}"`, bin],
        stdout: "piped",
      }).output();
      ok(
        Number(new TextDecoder().decode(found.stdout).trim()) > 0,
        `${module} is in the binary`,
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
