import * as assert from "node:assert/strict";
import { MemoryLogger } from "../log/logger.ts";
import { ConnectionGate, ipOf } from "./connection_gate.ts";

const tcp = (hostname: string, port = 40000): Deno.NetAddr => ({
  transport: "tcp",
  hostname,
  port,
});
const unix: Deno.UnixAddr = { transport: "unix", path: "" };

Deno.test("ConnectionGate.admit() caps connections per listener and gives places back once", () => {
  const gate = new ConnectionGate({ maxConnections: 2, maxConnectionsPerIp: 0 }, {
    logger: new MemoryLogger(),
    name: "t",
  });
  const a = gate.admit(tcp("10.0.0.1"));
  const b = gate.admit(tcp("10.0.0.2"));
  assert.ok(a.ok && b.ok);
  assert.deepEqual(gate.admit(tcp("10.0.0.3")), { ok: false, reason: "max_connections" });
  a.slot.release();
  a.slot.release(); // idempotent
  assert.equal(gate.open, 1);
  assert.ok(gate.admit(unix).ok);
  assert.equal(gate.refused.max_connections, 1);
});

Deno.test("ConnectionGate.admit() caps connections per remote IP (IPv4-mapped counts as IPv4); Unix peers have none", () => {
  const gate = new ConnectionGate({ maxConnectionsPerIp: 2 }, {
    logger: new MemoryLogger(),
    name: "t",
  });
  assert.ok(gate.admit(tcp("10.0.0.1", 1)).ok);
  assert.ok(gate.admit(tcp("::ffff:10.0.0.1", 2)).ok);
  assert.deepEqual(gate.admit(tcp("10.0.0.1", 3)), { ok: false, reason: "max_connections_per_ip" });
  assert.ok(gate.admit(tcp("10.0.0.2")).ok);
  for (let i = 0; i < 5; i++) assert.ok(gate.admit(unix).ok);
  assert.equal(gate.openFrom("10.0.0.1"), 2);
});

Deno.test("ConnectionGate logs the first refusal at once and later ones as one counted line", () => {
  const logger = new MemoryLogger();
  const gate = new ConnectionGate({ maxConnections: 1 }, {
    logger,
    name: "web transport",
    transportId: "t1",
    logIntervalMs: 60_000,
  });
  gate.admit(tcp("10.0.0.1"));
  for (let i = 0; i < 100; i++) gate.admit(tcp("10.0.0.1"));
  assert.equal(logger.lines.length, 1);
  assert.match(logger.lines[0].msg, /web transport: connection refused, max_connections reached/);
  assert.equal(logger.lines[0].fields?.transportId, "t1");
  gate.close();
  assert.equal(logger.lines.length, 2);
  assert.equal(logger.lines[1].fields?.count, 99);
});

Deno.test("ConnectionGate refuses invalid limits with the name and value", () => {
  const o = { logger: new MemoryLogger(), name: "t" };
  assert.throws(() => new ConnectionGate({ maxConnections: -1 }, o), /maxConnections: .*got -1/);
  assert.throws(() => new ConnectionGate({ maxConnectionsPerIp: 1.5 }, o), /maxConnectionsPerIp/);
  assert.equal(new ConnectionGate({ maxConnections: 0 }, o).maxConnections, Infinity);
});

Deno.test("ipOf() gives the host of TCP addresses and nothing for Unix sockets", () => {
  assert.equal(ipOf(tcp("::FFFF:192.0.2.1")), "192.0.2.1");
  assert.equal(ipOf(tcp("2001:DB8::1")), "2001:db8::1");
  assert.equal(ipOf(unix), undefined);
});
