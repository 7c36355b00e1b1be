import assert from "node:assert/strict";
import { endpointText, idleTimeoutFor } from "./router_transports.ts";

Deno.test("idleTimeoutFor() pings at Crossbar's auto_ping_interval: Deno pings after half the idle timeout", () => {
  assert.equal(idleTimeoutFor(10000), 20);
  assert.equal(idleTimeoutFor(1500), 3);
  assert.equal(idleTimeoutFor(500), 1);
  assert.equal(idleTimeoutFor(100), 1);
});

Deno.test("endpointText() names a listening endpoint as a user writes it", () => {
  assert.equal(
    endpointText({
      type: "tcp",
      port: 8080,
      interface: "127.0.0.1",
      version: 4,
      backlog: 50,
      shared: false,
      max_connections: 10000,
      max_connections_per_ip: 256,
    }),
    "127.0.0.1:8080",
  );
  assert.equal(
    endpointText({
      type: "tcp",
      port: 8080,
      interface: "::1",
      version: 6,
      backlog: 50,
      shared: false,
      max_connections: 10000,
      max_connections_per_ip: 256,
    }),
    "[::1]:8080",
  );
  assert.equal(
    endpointText({
      type: "unix",
      path: "/tmp/x.sock",
      backlog: 50,
      mode: 0o600,
      max_connections: 10000,
    }),
    "unix:/tmp/x.sock",
  );
});
