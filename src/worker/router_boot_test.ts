import assert from "node:assert/strict";
import type { RouterWorkerConfig } from "../config/types.ts";
import { type LogFields, type LogLevel, MemoryLogger } from "../log/logger.ts";
import { WorkerOp } from "./management_uris.ts";
import { readRouterBoot, routerBootOf } from "./router_boot.ts";
import { routerConfig, routerHostFixture } from "./_router_host_kit.ts";

/** A MemoryLogger that tells when `count` lines with message `msg` are in. */
class WaitingLogger extends MemoryLogger {
  #waits: { msg: string; count: number; resolve: () => void }[] = [];
  override log(level: LogLevel, msg: string, fields?: LogFields): void {
    super.log(level, msg, fields);
    this.#waits = this.#waits.filter((w) => {
      if (this.count(w.msg) < w.count) return true;
      w.resolve();
      return false;
    });
  }
  count(msg: string): number {
    return this.lines.filter((l) => l.msg === msg).length;
  }
  until(msg: string, count: number): Promise<void> {
    if (this.count(msg) >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waits.push({ msg, count, resolve }));
  }
}

function bootedHost(boot: unknown) {
  return routerHostFixture(new WaitingLogger(), boot);
}

function ports(logger: MemoryLogger): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of logger.lines) {
    if (l.msg !== "transport started") continue;
    out[String(l.fields?.transport)] = Number(String(l.fields?.address).split(":").pop());
  }
  return out;
}

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch (err) {
    return err instanceof Deno.errors.ConnectionRefused;
  }
}

Deno.test("routerBootOf() boots a router worker's realms and transports, unless it has components, rlinks or no transport", () => {
  const c = routerConfig(["rs1", "rs2"]);
  const boot = routerBootOf(c);
  assert.deepEqual(boot, { realms: c.realms, transports: c.transports });
  assert.deepEqual(readRouterBoot(JSON.parse(JSON.stringify(boot))), boot);
  assert.equal(routerBootOf({ ...c, transports: [] }), undefined);
  const withRlinks = { ...c.realms[0], rlinks: [{ id: "l1" }] } as unknown as typeof c.realms[0];
  assert.equal(routerBootOf({ ...c, realms: [withRlinks] }), undefined);
  const components = [{ id: "c1" }] as unknown as RouterWorkerConfig["components"];
  assert.equal(routerBootOf({ ...c, components }), undefined);
});

Deno.test("readRouterBoot() refuses what is not a boot config", () => {
  const c = routerConfig(["rs1", "rs2"]);
  for (
    const bad of [
      undefined,
      null,
      "x",
      {},
      { realms: c.realms },
      { realms: [{ name: 1, rlinks: [] }], transports: [] },
      { realms: [{ name: "r", rlinks: [{}] }], transports: [] },
      { realms: [], transports: [{ id: "t" }] },
    ]
  ) {
    assert.equal(readRouterBoot(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("routerWorkerHost() with a boot config listens before configure; the replay gets what was started, once", async () => {
  const c = routerConfig(["rs1", "rs2"]);
  const { dir, host, settings, op, logger } = await bootedHost(routerBootOf(c));
  try {
    await logger.until("transport started", 2);
    const before = ports(logger);
    assert.equal(await refused(before.rs1), false, "listening before configure");
    const [configured, realm, t1, t2, realms] = await Promise.all([
      op(WorkerOp.CONFIGURE, settings),
      op(WorkerOp.START_REALM, c.realms[0]),
      op(WorkerOp.START_TRANSPORT, c.transports[0]),
      op(WorkerOp.START_TRANSPORT, c.transports[1]),
      op(WorkerOp.GET_REALMS),
    ]) as Record<string, unknown>[];
    assert.equal(configured.router_id, "n/r1");
    assert.equal(realm.name, "realm1");
    assert.equal(t1.port, before.rs1);
    assert.equal(t2.port, before.rs2);
    assert.equal((realms as unknown as { started: string }[])[0].started, realm.started);
    assert.equal(logger.count("realm started"), 1);
    assert.equal(logger.count("transport started"), 2);
    const ts = await op(WorkerOp.GET_TRANSPORTS) as { id: string; port: number }[];
    assert.deepEqual(ts.map((t) => [t.id, t.port]), [["rs1", before.rs1], ["rs2", before.rs2]]);
    // configure gave the router its link identity: set_links listens for links
    assert.deepEqual(await op(WorkerOp.SET_LINKS, []), { started: 0, stopped: 0 });
    (await Deno.connect({ transport: "unix", path: settings.link_socket })).close();
  } finally {
    await host.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("routerWorkerHost() with a boot config: a replay with another config replaces it, what the replay does not ask for stops at set_links", async () => {
  const c = routerConfig(["rs1", "rs2"]);
  const { dir, host, settings, op, logger } = await bootedHost(routerBootOf(c));
  try {
    await logger.until("transport started", 2);
    const before = ports(logger);
    const changed = { ...c.transports[0], serializers: ["json"] };
    const [, , t1] = await Promise.all([
      op(WorkerOp.CONFIGURE, settings),
      op(WorkerOp.START_REALM, c.realms[0]),
      op(WorkerOp.START_TRANSPORT, changed),
    ]) as Record<string, unknown>[];
    assert.notEqual(t1.port, before.rs1);
    assert.equal(await refused(before.rs1), true, "the booted rs1 is closed");
    assert.equal(await refused(before.rs2), false, "rs2 runs until the replay ends");
    await op(WorkerOp.SET_LINKS, []);
    assert.equal(await refused(before.rs2), true, "rs2 was not asked for: stopped");
    const ts = await op(WorkerOp.GET_TRANSPORTS) as { id: string; port: number }[];
    assert.deepEqual(ts.map((t) => [t.id, t.port]), [["rs1", t1.port]]);
  } finally {
    await host.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("routerWorkerHost() with a boot config stops what it started when shut down before configure", async () => {
  const c = routerConfig(["rs1", "rs2"]);
  const { dir, host, logger } = await bootedHost(routerBootOf(c));
  try {
    await logger.until("transport started", 2);
    const before = ports(logger);
    await host.shutdown();
    assert.equal(await refused(before.rs1), true);
    assert.equal(await refused(before.rs2), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
