/**
 * End-to-end: the node's life from a temporary node directory, with real
 * processes: `xbar init` → `xbar start` → AutobahnJS clients → `xbar status`
 * → `xbar stop`; one node per directory; the embedded default config.
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { runAutobahnJs } from "./_harness.ts";
import { ROUTER_WORKER_V8_FLAGS } from "../src/node/worker_process.ts";
import {
  freePort,
  portIsFree,
  processAlive,
  startNode,
  tempNodeDir,
  THROUGH_LAUNCHER,
  xbar,
} from "./_node_kit.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("xbar init → start → AutobahnJS rpc → status → stop: clients get GOODBYE system_shutdown, files are cleaned up", async () => {
  const dir = await tempNodeDir();
  try {
    const init = await xbar(["init", "--dir", dir]);
    strictEqual(init.code, 0, init.stderr);
    const key = await Deno.stat(join(dir, "key.priv"));
    strictEqual(key.mode! & 0o777, 0o600, "key.priv is private");
    const again = await xbar(["init", "--dir", dir]);
    strictEqual(again.code, 1, "init refuses an initialized directory");
    match(again.stderr, /already has a config/);

    // the default config listens on 8080: move it to a free port (and add a Unix RawSocket transport)
    const port = freePort();
    const yaml = (await Deno.readTextFile(join(dir, "config.yaml")))
      .replace("port: 8080", `port: ${port}`)
      .replace(
        "    transports:\n",
        "    transports:\n      - type: rawsocket\n        endpoint: {type: unix, path: app.sock}\n",
      );
    await Deno.writeTextFile(join(dir, "config.yaml"), yaml);

    const node = await startNode(dir);
    const url = `ws://127.0.0.1:${port}/ws`;
    const rpc = await runAutobahnJs(url, "realm1", "json", "rpc");
    ok(rpc.ok, rpc.error);
    strictEqual(rpc.result.sum, 5);
    deepStrictEqual(rpc.result.missing, "wamp.error.no_such_procedure");
    ok(await exists(join(dir, "app.sock")), "the Unix transport listens");

    const status = await xbar(["status", "--dir", dir]);
    strictEqual(status.code, 0, status.stderr);
    match(status.stdout, /^running: node node_[0-9a-f]{8} \(pid \d+\)/);
    match(status.stdout, /worker001 +router +running +pid \d+ restarts 0/);
    const json = JSON.parse((await xbar(["status", "--dir", dir, "--json"])).stdout);
    strictEqual(json.running, true);
    strictEqual(json.status.pid, node.pid);
    const workerPid = json.workers[0].pid as number;
    // router workers run with a capped young generation (idle memory; see worker_process.ts)
    const environ = Deno.readTextFileSync(`/proc/${workerPid}/environ`).split("\0");
    ok(environ.includes(`DENO_V8_FLAGS=${ROUTER_WORKER_V8_FLAGS}`), environ.join(" "));
    if (!THROUGH_LAUNCHER) {
      // under deno run, a worker starts from its own entry (a smaller module graph than cli/xbar.ts)
      const argv = Deno.readTextFileSync(`/proc/${workerPid}/cmdline`).split("\0");
      const at = argv.findIndex((a) => a.endsWith("/cli/worker_entry.ts"));
      ok(at > 0, argv.join(" "));
      deepStrictEqual(argv.slice(at + 1, at + 5), ["--type", "router", "--id", "worker001"]);
      ok(!argv.some((a) => a.endsWith("/cli/xbar.ts")), argv.join(" "));
    }

    const client = await connect(url, "realm1");
    const stopped = await xbar(["stop", "--dir", dir]);
    strictEqual(stopped.code, 0, stopped.stderr);
    const closed = await client.closed;
    strictEqual(closed.reason, "wamp.close.system_shutdown");
    const exit = await node.exited;
    strictEqual(exit.code, 0, node.log());
    ok(!processAlive(workerPid), "the router worker is gone");
    ok(!(await exists(join(dir, "node.pid"))), "node.pid removed");
    ok(!(await exists(join(dir, "node.sock"))), "management socket removed");
    ok(!(await exists(join(dir, "app.sock"))), "Unix transport socket removed");
    ok(portIsFree(port), "the WebSocket port is closed");
    match(node.log(), /worker stopped worker=worker001 pid=\d+ exit="exit code 0"/);

    const after = await xbar(["status", "--dir", dir]);
    strictEqual(after.code, 3);
    match(after.stdout, /^stopped/);
    strictEqual((await xbar(["stop", "--dir", dir])).code, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xbar start: one node per directory (exit 4), even one called worker; a stale node.pid is replaced", async () => {
  const parent = await tempNodeDir();
  // started as `xbar start --dir worker`: a command line with the word "worker" in it (a worker's,
  // by name); the liveness check must not go by names
  const dir = join(parent, "worker");
  await Deno.mkdir(dir);
  try {
    await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify({ version: 2, workers: [] }));
    // a pid file left by a node that died (pid 2^22+1 is above Linux's default pid_max of 4194304)
    await Deno.writeTextFile(
      join(dir, "node.pid"),
      JSON.stringify({ pid: 4194305, socket: "", started: "", dir }),
    );
    const node = await startNode("worker", [], { cwd: parent });
    match(node.log(), /removing a stale pid file .*pid=4194305/);
    const second = await xbar(["start", "--dir", "worker"], { cwd: parent });
    strictEqual(second.code, 4, second.stderr);
    match(
      second.stderr,
      new RegExp(`a node is already running from "${dir}" \\(pid ${node.pid}\\)`),
    );
    strictEqual(JSON.parse(await Deno.readTextFile(join(dir, "node.pid"))).pid, node.pid);
    const status = await xbar(["status", "--dir", "worker"], { cwd: parent });
    strictEqual(status.code, 0, status.stdout + status.stderr);
    strictEqual((await node.stop()).code, 0);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

const defaultPortFree = portIsFree(8080);

Deno.test({
  name:
    "xbar start with no config runs the embedded default: realm1 on ws://127.0.0.1:8080/ws, anonymous may do everything",
  ignore: !defaultPortFree,
  async fn() {
    const dir = await tempNodeDir();
    try {
      const node = await startNode(dir);
      match(node.log(), /config="\(embedded default config\)"/);
      const callee = await connect("ws://127.0.0.1:8080/ws", "realm1");
      const caller = await connect("ws://127.0.0.1:8080/ws", "realm1", { serializer: "cbor" });
      await callee.register("com.example.twice", ([x]) => (x as number) * 2);
      const r = await caller.call("com.example.twice", [21]);
      deepStrictEqual(r.args, [42]);
      strictEqual(caller.details.authrole, "anonymous");
      await caller.leave();
      await callee.leave();
      strictEqual((await node.stop()).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
if (!defaultPortFree) {
  console.error(
    "node_lifecycle_test: port 8080 is taken on this machine; the embedded default config test is skipped",
  );
}
