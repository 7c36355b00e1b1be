import assert from "node:assert/strict";
import { MemoryLogger } from "../log/logger.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { ManagementError, WorkerOp } from "./management_uris.ts";
import { routerConfig, routerHostFixture } from "./_router_host_kit.ts";

function setup() {
  return routerHostFixture(new MemoryLogger());
}

Deno.test("routerWorkerHost() runs calls sent without waiting in order, after configure: the realm exists before the transport listens", async () => {
  const { dir, host, settings, op, logger } = await setup();
  const c = routerConfig(["rs1"]);
  try {
    const calls = [
      op(WorkerOp.CONFIGURE, { ...settings, preload: ["rawsocket"] }),
      op(WorkerOp.START_REALM, c.realms[0]),
      op(WorkerOp.START_TRANSPORT, c.transports[0]),
      op(WorkerOp.GET_REALMS),
    ];
    const [configured, realm, transport, realms] = await Promise.all(calls) as Record<
      string,
      unknown
    >[];
    assert.equal(configured.router_id, "n/r1");
    assert.equal(realm.name, "realm1");
    assert.equal(transport.id, "rs1");
    assert.equal((realms as unknown as { name: string }[])[0].name, "realm1");
    const started = logger.lines.map((l) => l.msg).filter((m) => m.endsWith(" started"));
    assert.deepEqual(started, ["realm started", "transport started"]);
    const ts = await op(WorkerOp.GET_TRANSPORTS) as { id: string; port: number }[];
    assert.equal(ts.length, 1);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: ts[0].port });
    conn.close();
  } finally {
    await host.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("routerWorkerHost() refuses calls before configure and behind a refused one; set_links listens for links and reports a socket it cannot open", async () => {
  const { dir, host, settings, op } = await setup();
  const c = routerConfig(["rs1"]);
  const fails = (uri: string, pattern?: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ApplicationError);
    assert.equal(e.uri, uri);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
  try {
    await assert.rejects(op(WorkerOp.START_REALM, c.realms[0]), fails(ManagementError.NOT_RUNNING));
    const refused = [
      op(WorkerOp.CONFIGURE, { ...settings, public_key: "x" }),
      op(WorkerOp.START_REALM, c.realms[0]),
    ];
    await assert.rejects(refused[0], fails(ManagementError.INVALID_CONFIG));
    await assert.rejects(refused[1], fails(ManagementError.NOT_RUNNING));
    const bad = { ...settings, link_socket: `${dir}/no/such/dir/r1.sock` };
    const calls = [
      op(WorkerOp.CONFIGURE, bad),
      op(WorkerOp.START_REALM, c.realms[0]),
      op(WorkerOp.SET_LINKS, []),
    ];
    assert.equal((await calls[0] as { router_id: string }).router_id, "n/r1");
    assert.equal((await calls[1] as { name: string }).name, "realm1");
    await assert.rejects(
      calls[2],
      fails(ManagementError.START_FAILED, /cannot listen for router links/),
    );
    assert.deepEqual(await op(WorkerOp.GET_LINKS), []);
  } finally {
    await host.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("routerWorkerHost() listens for router links from set_links on", async () => {
  const { dir, host, settings, op } = await setup();
  try {
    await op(WorkerOp.CONFIGURE, settings);
    await assert.rejects(Deno.connect({ transport: "unix", path: settings.link_socket }));
    assert.deepEqual(await op(WorkerOp.SET_LINKS, []), { started: 0, stopped: 0 });
    (await Deno.connect({ transport: "unix", path: settings.link_socket })).close();
  } finally {
    await host.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
