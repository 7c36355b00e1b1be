import assert from "node:assert/strict";
import { parseDocument } from "yaml";
import {
  DEFAULT_CONFIG_DATA,
  DEFAULT_CONFIG_YAML,
  DEFAULT_REALM,
  DEFAULT_WEBSOCKET_URL,
  defaultConfig,
} from "./default_config.ts";
import { parseConfigText } from "./load.ts";
import type { RouterWorkerConfig } from "./types.ts";

Deno.test("defaultConfig() is one router with realm1 open to anonymous (no forced disclosure), a WebSocket at ws://127.0.0.1:8080/ws, the status page at / and metrics at /metrics", () => {
  const config = defaultConfig();
  assert.equal(config.workers.length, 1);
  const router = config.workers[0] as RouterWorkerConfig;
  assert.equal(router.type, "router");
  assert.deepEqual(router.realms.map((r) => r.name), [DEFAULT_REALM]);
  assert.deepEqual(router.realms[0].roles, [{
    name: "anonymous",
    permissions: [{
      uri: "",
      match: "prefix",
      allow: { call: true, register: true, publish: true, subscribe: true },
      disclose: { caller: false, publisher: false },
      cache: true,
    }],
  }]);
  const [web] = router.transports;
  assert.equal(web.type, "web");
  if (web.type !== "web" || web.endpoint.type !== "tcp") throw new Error("unreachable");
  const ws = web.paths.ws;
  assert.equal(ws.type, "websocket");
  assert.equal(`ws://${web.endpoint.interface}:${web.endpoint.port}/ws`, DEFAULT_WEBSOCKET_URL);
  assert.equal(DEFAULT_WEBSOCKET_URL, "ws://127.0.0.1:8080/ws");
  assert.equal(web.paths["/"].type, "nodeinfo");
  assert.deepEqual(web.paths.metrics, { type: "metrics" });
});

Deno.test("defaultConfig() returns a fresh copy each call", () => {
  const a = defaultConfig();
  a.workers.length = 0;
  assert.equal(defaultConfig().workers.length, 1);
});

Deno.test("DEFAULT_CONFIG_YAML validates without errors or warnings", () => {
  const { config, errors, warnings } = parseConfigText(DEFAULT_CONFIG_YAML, { env: {} });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, defaultConfig());
  assert.equal(parseDocument(DEFAULT_CONFIG_YAML).errors.length, 0);
});

Deno.test("DEFAULT_CONFIG_DATA is exactly what the YAML parser makes of DEFAULT_CONFIG_YAML", () => {
  assert.deepEqual(parseDocument(DEFAULT_CONFIG_YAML).toJS(), DEFAULT_CONFIG_DATA);
});
