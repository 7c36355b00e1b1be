/**
 * End-to-end: the management API over the node directory's Unix socket —
 * everything the config does can be done at runtime (workers, realms,
 * transports), runtime changes survive a worker restart, errors are
 * specific, and the management realm is unreachable from application realms.
 */

import { deepStrictEqual, match, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import { ApplicationError } from "../src/wamp/errors.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  processAlive,
  routerWorker,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
} from "./_node_kit.ts";

type D = Record<string, unknown>;

function appError(uri: string | RegExp) {
  return (err: unknown) => {
    ok(err instanceof ApplicationError, String(err));
    if (typeof uri === "string") strictEqual(err.uri, uri);
    else match(err.uri, uri);
    return true;
  };
}

Deno.test("management API: workers, realms and transports at runtime, kept across a restart; errors; isolation", async () => {
  const dir = await tempNodeDir();
  try {
    const port = freePort();
    await writeConfig(dir, { version: 2, workers: [routerWorker(port)] });
    const node = await startNode(dir);
    const m = await connectManagement(join(dir, "node.sock"));
    const call = async (uri: string, ...args: unknown[]) => (await m.call(uri, args)).args[0];

    const status = await call("xbar.get_status") as D;
    strictEqual(status.pid, node.pid);
    strictEqual(status.state, "running");
    strictEqual(status.workers, 1);
    ok((await call("xbar.get_process_stats") as D).rss as number > 0);

    // a second router worker, started at runtime from a config dict
    const port2 = freePort();
    const started = await call("xbar.start_worker", routerWorker(port2, { id: "router2" })) as D;
    strictEqual(started.state, "running");
    const c2 = await connect(`ws://127.0.0.1:${port2}/ws`, "realm1");
    await c2.leave();

    // a realm and a Unix RawSocket transport on it, at runtime
    await call("xbar.worker.router2.start_realm", {
      name: "realm2",
      roles: [{
        name: "anonymous",
        permissions: [{ uri: "com.example.*", allow: { call: true, register: true } }],
      }],
    });
    const t = await call("xbar.worker.router2.start_transport", {
      type: "rawsocket",
      endpoint: { type: "unix", path: "rt.sock" },
    }) as D;
    strictEqual(t.id, "transport001");
    strictEqual(t.address, `unix:${join(dir, "rt.sock")}`);
    const rs = await joinSession(
      await connectRawSocket({ transport: "unix", path: join(dir, "rt.sock") }, {
        serializer: "cbor",
      }),
      "realm2",
    );
    await rs.register("com.example.x", () => 1);
    await rejects(rs.register("org.other.y", () => 1), appError("wamp.error.not_authorized"));
    await rs.leave();

    // runtime changes are replayed after a restart
    const before = (await call("xbar.get_worker", "router2") as D).pid as number;
    const restarted = await call("xbar.restart_worker", "router2") as D;
    ok(restarted.pid !== before && !processAlive(before));
    deepStrictEqual((await call("xbar.worker.router2.get_realms") as D[]).map((r) => r.name), [
      "realm1",
      "realm2",
    ]);
    const rs2 = await joinSession(
      await connectRawSocket({ transport: "unix", path: join(dir, "rt.sock") }),
      "realm2",
    );
    await rs2.leave();

    // stopping a transport removes its socket; stopping the worker removes it
    await call("xbar.worker.router2.stop_transport", "transport001");
    ok(!(await Deno.lstat(join(dir, "rt.sock")).then(() => true, () => false)), "rt.sock removed");
    const logs = await call("xbar.worker.router2.get_logs", 20) as string[];
    ok(logs.some((l) => /transport stopped transport=transport001/.test(l)), logs.join("\n"));
    await call("xbar.stop_worker", "router2");
    ok(!processAlive(restarted.pid as number));
    deepStrictEqual((await call("xbar.get_workers") as D[]).map((w) => w.id), ["router1"]);

    // specific errors
    await rejects(m.call("xbar.stop_worker", ["nope"]), appError("xbar.error.no_such_worker"));
    await rejects(
      m.call("xbar.worker.router1.start_realm", [{ name: "x", roles: "no" }]),
      (err: unknown) => {
        ok(err instanceof ApplicationError);
        strictEqual(err.uri, "xbar.error.invalid_config");
        const paths = (err.kwargs?.errors as D[]).map((e) => e.path).sort();
        deepStrictEqual(paths, ["name", "roles"]);
        return true;
      },
    );
    await rejects(
      m.call("xbar.worker.router1.start_transport", [{
        type: "websocket",
        endpoint: { type: "tcp", port },
      }]),
      appError("xbar.error.start_failed"),
    );
    // the worker's own procedures are for the controller only
    await rejects(
      m.call("xbar.internal.worker.router1.shutdown"),
      appError("wamp.error.not_authorized"),
    );

    // the management realm cannot be reached from an application realm
    const app = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
    await rejects(app.call("xbar.get_status"), appError("wamp.error.no_such_procedure"));
    await rejects(
      joinSession(
        await connectRawSocket({ transport: "unix", path: join(dir, "node.sock") }),
        "realm1",
      ),
      appError("wamp.error.no_such_realm"),
    );
    await app.leave();
    await m.leave();
    strictEqual((await node.stop()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("supervision gives up after max_restarts within the window, logging each exit code", async () => {
  const dir = await tempNodeDir();
  try {
    await writeConfig(dir, { version: 2, workers: [] });
    const node = await startNode(dir);
    const m = await connectManagement(join(dir, "node.sock"));
    await m.call("xbar.start_worker", [{
      type: "guest",
      id: "flaky",
      executable: "sh",
      arguments: ["-c", "sleep 0.2; exit 3"],
      options: {
        restart: { policy: "on-failure", max_restarts: 2, initial_delay: 10, window: 60000 },
      },
    }]);
    const w = await waitUntil(
      async (): Promise<D | false> => {
        const info = (await m.call("xbar.get_worker", ["flaky"])).args[0] as D;
        return info.state === "failed" ? info : false;
      },
      "the flaky worker to be given up",
      10000,
      50,
    );
    strictEqual(w.restarts, 2);
    deepStrictEqual((w.last_exit as D).code, 3);
    match(
      String(w.last_error),
      /exit code 3; not restarted: it was restarted 2 times within 60000 ms/,
    );
    match(node.log(), /worker exited worker=flaky pid=\d+ code=3/);
    match(node.log(), /restarting worker worker=flaky after="exit code 3" delay_ms=20 attempt=2/);
    await m.leave();
    strictEqual((await node.stop()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
