/**
 * The single executable's code paths, without `denort` (it cannot be built
 * here): `deno task compile --launcher` builds the launcher that stands in
 * for it (same command line: `<exe> start`, `<exe> worker ...`; the same
 * generated entry with the node directory's components built in) and runs
 * the same smoke test `deno task compile` runs on a real binary. All of it
 * from a checkout, a node directory and an output directory whose paths have
 * spaces in them.
 */

import { deepStrictEqual, match, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { connectManagement } from "../src/node/management_client.ts";
import { ApplicationError } from "../src/wamp/errors.ts";
import { smokeTest } from "../scripts/smoke.ts";
import { collectComponents, writeEntry, writeLauncher } from "../scripts/single_executable.ts";
import {
  freePort,
  ROOT,
  routerWorker,
  RunningNode,
  waitUntil,
  writeConfig,
  xbar,
} from "./_node_kit.ts";

const ADD = `export default async (session) => {
  await session.register("com.example.add2", ([a, b]) => a + b);
};
`;
const PING = `export const ping = async (session) => {
  await session.register("com.example.ping", () => "pong");
};
`;

const decoder = new TextDecoder();

/** A temp directory holding "my code" → the repository (a checkout whose path has a space). */
async function spacedCheckout(): Promise<{ tmp: string; checkout: string }> {
  const tmp = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbs-" });
  const checkout = join(tmp, "my code");
  await Deno.symlink(ROOT.replace(/\/$/, ""), checkout);
  return { tmp, checkout };
}

/** A node directory with a router component and a container component (files under components/). */
async function nodeWithComponents(dir: string, port: number): Promise<void> {
  await Deno.mkdir(join(dir, "components"), { recursive: true });
  await Deno.writeTextFile(join(dir, "components", "add.js"), ADD);
  await Deno.writeTextFile(join(dir, "components", "ping.ts"), PING);
  const url = `ws://127.0.0.1:${port}/ws`;
  await writeConfig(dir, {
    version: 2,
    workers: [
      routerWorker(port, {
        components: [{
          type: "module",
          id: "ping",
          module: "components/ping.ts",
          export: "ping",
          realm: "realm1",
        }],
      }),
      {
        type: "container",
        id: "container1",
        components: [{
          type: "module",
          id: "adder",
          module: "./components/add.js",
          realm: "realm1",
          transport: { type: "websocket", endpoint: { type: "tcp", host: "127.0.0.1", port }, url },
        }],
      },
    ],
  });
}

async function run(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, {
    args,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

function compile(checkout: string, args: string[]) {
  return run(Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    join(checkout, "scripts", "compile.ts"),
    ...args,
  ]);
}

/** A launcher with no components built in (what `deno task compile --launcher` writes, without its smoke test). */
async function plainLauncher(dir: string): Promise<string> {
  const exe = join(dir, "exe");
  await writeEntry(`${exe}.entry.ts`, (await collectComponents()).components);
  await writeLauncher(exe, `${exe}.entry.ts`);
  return exe;
}

function cmdline(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((a) => a !== "");
}

Deno.test("deno task compile --launcher --components <dir>: the launcher passes the smoke test, runs the node's built-in components, spawns workers through itself", async () => {
  const { tmp, checkout } = await spacedCheckout();
  try {
    const dir = join(tmp, "node dir");
    const port = freePort();
    await nodeWithComponents(dir, port);
    const exe = join(tmp, "bin dir", "node-exe");
    const built = await compile(checkout, ["--launcher", "--components", dir, "--output", exe]);
    strictEqual(built.code, 0, built.stderr);
    match(built.stderr, /components built in: components\/ping\.ts, components\/add\.js/);
    match(built.stderr, /smoke: calls through a container and a router component ok/);
    match(built.stderr, /passed its smoke test/);

    const checked = await run(exe, ["check", "--dir", dir]);
    strictEqual(checked.code, 0, checked.stderr);
    match(
      checked.stdout,
      /components built into this executable: components\/ping\.ts, components\/add\.js/,
    );

    const child = new Deno.Command(exe, {
      args: ["start", "--dir", dir],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const node = new RunningNode(child, dir);
    try {
      await node.waitFor(/node ready/, 30000);
      const client = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
      deepStrictEqual((await client.call("com.example.add2", [2, 3])).args, [5]);
      deepStrictEqual((await client.call("com.example.ping")).args, ["pong"]);
      await client.leave();

      // every worker was spawned as `<exe> worker ...`: through the launcher, no `run`, no flags
      const m = await connectManagement(join(dir, "node.sock"));
      const workers = (await m.call("xbar.get_workers")).args[0] as Record<string, unknown>[];
      await m.leave();
      strictEqual(workers.length, 2);
      const entry = `${exe}.entry.ts`;
      for (const w of workers) {
        const argv = cmdline(w.pid as number);
        const at = argv.indexOf(entry);
        ok(at > 0, `worker ${w.id} runs the launcher's entry: ${argv.join(" ")}`);
        deepStrictEqual(argv.slice(at + 1, at + 5), ["worker", "--type", w.type, "--id"]);
        ok(!argv.some((a) => a.endsWith("cli/xbar.ts")), argv.join(" "));
      }
    } finally {
      const stopped = await run(exe, ["stop", "--dir", dir]);
      strictEqual(stopped.code, 0, stopped.stderr);
      strictEqual((await node.exited).code, 0, node.log());
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the single executable refuses a component it was not built with: check and start say so with file:line:col and the fix; nothing starts", async () => {
  const { tmp, checkout } = await spacedCheckout();
  try {
    const dir = join(tmp, "node");
    const port = freePort();
    await nodeWithComponents(dir, port);
    // built without --components: only the smoke test's component is in it
    const exe = await plainLauncher(tmp);

    const checked = await run(exe, ["check", "--dir", dir]);
    strictEqual(checked.code, 1, checked.stdout + checked.stderr);
    const started = await run(exe, ["start", "--dir", dir]);
    strictEqual(started.code, 1, started.stdout + started.stderr);
    for (const out of [checked.stderr, started.stderr]) {
      match(
        out,
        /config\.json:\d+:\d+: workers\[0\]\.components\[0\]\.module: "components\/ping\.ts" is not built into this executable \(.*it has none\): rebuild it with: deno task compile --components ".*\/node"/,
      );
      match(
        out,
        /workers\[1\]\.components\[0\]\.module: "\.\/components\/add\.js" is not built into/,
      );
      match(out, /\b2 errors\b/);
    }
    match(started.stderr, /nothing started/);
    ok(!(await Deno.stat(join(dir, "node.pid")).then(() => true, () => false)));

    // from source the same config is fine, and check says what a compiled xbar will need
    const fromSource = await xbar(["check", "--dir", dir]);
    strictEqual(fromSource.code, 0, fromSource.stderr);
    match(
      fromSource.stdout,
      /a compiled xbar runs only the components built into it: deno task compile --components ".*\/node"/,
    );

    // a module whose file is missing is refused before anything is built
    await Deno.remove(join(dir, "components", "add.js"));
    const refused = await compile(checkout, [
      "--launcher",
      "--components",
      dir,
      "--output",
      join(tmp, "never"),
    ]);
    strictEqual(refused.code, 1, refused.stderr);
    match(
      refused.stderr,
      /config\.json:\d+:\d+: workers\[1\]\.components\[0\]\.module: no such file: .*\/node\/components\/add\.js/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("from source in a checkout whose path has a space: workers start (--config is a path, not a %20 URL) and the smoke test passes", async () => {
  const { tmp, checkout } = await spacedCheckout();
  try {
    // `xbar` from source, run from the spaced checkout (not a single executable: no XBAR_LAUNCHER)
    const exe = join(tmp, "xbar from source");
    await Deno.writeTextFile(
      exe,
      `#!/bin/sh\nexec '${Deno.execPath()}' run -A --quiet '${
        join(checkout, "cli", "xbar.ts")
      }' "$@"\n`,
      { mode: 0o755 },
    );
    await Deno.chmod(exe, 0o755);
    const lines: string[] = [];
    await smokeTest(exe, { say: (l) => lines.push(l) });
    ok(lines.some((l) => /status and stop ok/.test(l)), lines.join("\n"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the single executable at run time: a component it was not built with fails to start with the fix named (no restart loop); XBAR_LAUNCHER never reaches a guest program", async () => {
  const tmp = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbs-" });
  try {
    const dir = join(tmp, "node");
    await Deno.mkdir(dir);
    const out = join(dir, "env.txt");
    await writeConfig(dir, {
      version: 2,
      workers: [{
        type: "guest",
        id: "envdump",
        executable: "sh",
        arguments: ["-c", `env > '${out}'; sleep 30`],
        options: { env: { inherit: true } },
      }, { type: "container", id: "container1" }],
    });
    const exe = await plainLauncher(tmp);
    const child = new Deno.Command(exe, {
      args: ["start", "--dir", dir],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const node = new RunningNode(child, dir);
    try {
      await node.waitFor(/node ready/, 30000);
      const env = await waitUntil(
        () => Deno.readTextFile(out).then((t) => t.includes("PATH=") && t),
        "the guest to write its environment",
      );
      ok(!env.includes("XBAR_LAUNCHER"), env);

      await Deno.writeTextFile(join(dir, "late.js"), ADD);
      const m = await connectManagement(join(dir, "node.sock"));
      try {
        await rejects(
          m.call("xbar.worker.container1.start_component", [{
            type: "module",
            id: "late",
            module: "late.js",
            realm: "realm1",
            transport: {
              type: "websocket",
              endpoint: { type: "tcp", host: "127.0.0.1", port: freePort() },
              url: "ws://127.0.0.1/ws",
            },
          }]),
          (err: unknown) => {
            ok(err instanceof ApplicationError, String(err));
            strictEqual(err.uri, "xbar.error.start_failed");
            match(
              String(err.args?.[0]),
              /component "late": "late\.js" is not built into this executable .*deno task compile --components/,
            );
            return true;
          },
        );
        const comps = (await m.call("xbar.worker.container1.get_components")).args[0] as unknown[];
        deepStrictEqual(comps, [], "nothing is left to restart");
      } finally {
        await m.leave();
      }
    } finally {
      strictEqual((await node.stop()).code, 0, node.log());
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
