import assert from "node:assert/strict";
import { parseConfigText } from "./load.ts";
import { validateConfig } from "./validate.ts";
import type { RouterWorkerConfig } from "./types.ts";

function router(extra: Record<string, unknown>, transports: unknown[]): Record<string, unknown> {
  return {
    type: "router",
    id: "edge",
    realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
    transports,
    ...extra,
  };
}

const SHARED_WS = { type: "websocket", endpoint: { type: "tcp", port: 8080, shared: true } };

Deno.test("validateConfig() expands a router worker with replicas into N workers <id>-1..N", () => {
  const { config, errors } = validateConfig({
    version: 2,
    workers: [router({ replicas: 3 }, [SHARED_WS]), { type: "container" }],
  });
  assert.deepEqual(errors, []);
  const ids = config!.workers.map((w) => w.id);
  assert.deepEqual(ids, ["edge-1", "edge-2", "edge-3", "worker001"]);
  const r = config!.workers.slice(0, 3) as RouterWorkerConfig[];
  assert.deepEqual(
    r.map((w) => w.replica),
    [1, 2, 3].map((index) => ({
      of: "edge",
      index,
      count: 3,
    })),
  );
  assert.deepEqual(r.map((w) => w.options.title), [
    "xbar-router-edge-1",
    "xbar-router-edge-2",
    "xbar-router-edge-3",
  ]);
  // each replica has its own copy of the config
  assert.notEqual(r[0].realms[0], r[1].realms[0]);
  assert.deepEqual(r[0].realms, r[1].realms);
  assert.deepEqual(r[0].transports, r[2].transports);
});

Deno.test("validateConfig() leaves a router worker with replicas 1 (or none) as it is", () => {
  const { config } = validateConfig({ version: 2, workers: [router({ replicas: 1 }, [])] });
  assert.equal(config!.workers.length, 1);
  assert.equal(config!.workers[0].id, "edge");
  assert.equal((config!.workers[0] as RouterWorkerConfig).replica, undefined);
});

Deno.test("validateConfig() refuses replicas with a Unix socket transport or an unshared TCP port, naming why", () => {
  const { errors } = parseConfigText(
    `version: 2
workers:
  - type: router
    id: edge
    replicas: 2
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 8080}}
      - {type: rawsocket, endpoint: {type: unix, path: r.sock}}
      - {type: rawsocket, endpoint: {type: tcp, port: 8081, shared: true}}
`,
    { file: "config.yaml" },
  );
  assert.deepEqual(errors.map((e) => [e.path, e.line]), [
    ["workers[0].transports[0].endpoint", 8],
    ["workers[0].transports[1].endpoint.type", 9],
  ]);
  assert.match(errors[0].message, /"replicas": 2 must set "shared": true on every TCP endpoint/);
  assert.match(errors[1].message, /cannot listen on a Unix socket: 2 processes cannot share/);
});

Deno.test("validateConfig() checks replicas is an integer 1-64 on router workers only", () => {
  const bad = (v: unknown) =>
    validateConfig({ version: 2, workers: [router({ replicas: v }, [])] }).errors.map((e) =>
      e.path
    );
  assert.deepEqual(bad(0), ["workers[0].replicas"]);
  assert.deepEqual(bad(65), ["workers[0].replicas"]);
  assert.deepEqual(bad(1.5), ["workers[0].replicas"]);
  assert.deepEqual(bad("2"), ["workers[0].replicas"]);
  const { errors } = validateConfig({
    version: 2,
    workers: [{ type: "container", replicas: 2 }],
  });
  assert.deepEqual(errors.map((e) => e.path), ["workers[0].replicas"]);
});

Deno.test("validateConfig() warns that each replica runs its own copy of the router components", () => {
  const { errors, warnings } = validateConfig({
    version: 2,
    workers: [router({
      replicas: 2,
      components: [{ type: "module", module: "./c.ts", realm: "realm1", role: "anonymous" }],
    }, [SHARED_WS])],
  });
  assert.deepEqual(errors, []);
  assert.ok(
    warnings.some((w) => w.path === "workers[0].components" && /own copy/.test(w.message)),
    JSON.stringify(warnings),
  );
});
