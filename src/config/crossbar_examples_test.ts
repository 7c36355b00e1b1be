import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "./load.ts";
import type { RouterWorkerConfig } from "./types.ts";

// Hand-written configs in Crossbar's config version 2 format (see testdata/README.md).
const dir = fileURLToPath(new URL("./testdata/", import.meta.url));

async function load(name: string) {
  return await loadConfig({ dir, config: name, env: {} });
}

function router(config: { workers: unknown[] } | undefined, index = 0): RouterWorkerConfig {
  const w = config?.workers[index] as RouterWorkerConfig | undefined;
  if (w?.type !== "router") throw new Error(`expected a router worker at workers[${index}]`);
  return w;
}

for (
  const name of [
    "default_node_template.json.txt",
    "event_history_realm.json.txt",
    "anonymous_auth_realm.json.txt",
    "static_auth_methods.yaml.txt",
    "session_stats_realm.json.txt",
  ]
) {
  Deno.test(`loadConfig() accepts the Crossbar-format fixture ${name}`, async () => {
    const { config, errors } = await load(name);
    assert.deepEqual(errors, []);
    assert.ok(config);
    assert.ok(config.workers.length > 0);
  });
}

Deno.test("loadConfig() reads a node in the shape of Crossbar's default template", async () => {
  const { config, warnings } = await load("default_node_template.json.txt");
  assert.equal(config!.controller.options.title, "fixture-template-node");
  const r = router(config);
  assert.deepEqual(r.realms.map((x) => x.name), ["sandbox"]);
  assert.deepEqual(r.realms[0].roles[0].permissions, [{
    uri: "",
    match: "prefix",
    allow: { call: true, register: true, publish: true, subscribe: true },
    disclose: { caller: true, publisher: true },
    cache: false,
  }]);
  const [raw, web] = r.transports;
  if (raw.type !== "rawsocket") throw new Error("expected a rawsocket transport");
  assert.deepEqual(raw.options, { max_message_size: 2097152 });
  assert.deepEqual(raw.serializers, ["json", "cbor", "msgpack"]);
  // unspecified endpoint keys take Crossbar's defaults
  assert.deepEqual(raw.endpoint, {
    type: "tcp",
    port: 9031,
    interface: "0.0.0.0",
    version: 4,
    backlog: 512,
    shared: false,
    max_connections: 10000,
    max_connections_per_ip: 256,
  });
  if (web.type !== "web") throw new Error("expected a web transport");
  assert.deepEqual(Object.keys(web.paths), ["wamp", "/", "status"]);
  assert.equal(web.paths.status.type, "nodeinfo");
  const ws = web.paths.wamp;
  if (ws.type !== "websocket") throw new Error("expected a websocket service");
  assert.deepEqual(ws.serializers, ["msgpack", "json", "cbor"]);
  assert.equal(ws.options.auto_ping_interval, 15000);
  assert.equal(ws.options.auto_ping_timeout, 7500);
  assert.equal(ws.options.auto_ping_size, 8);
  assert.equal(ws.options.max_message_size, 2097152);
  assert.deepEqual(ws.options.allowed_origins, ["http://localhost:*", "https://*.example.net"]);
  assert.equal(ws.options.allow_null_origin, false);
  assert.equal(ws.options.enable_webstatus, false);
  // Crossbar's frame options are implemented (our own WebSocket framing)
  assert.equal(ws.options.max_frame_size, 262144);
  assert.equal(ws.options.auto_fragment_size, 32768);
  assert.equal(ws.options.fail_by_drop, true);
  assert.deepEqual(warnings, []);
});

Deno.test("loadConfig() reads a realm's event history store", async () => {
  const { config, warnings } = await load("event_history_realm.json.txt");
  assert.deepEqual(warnings, []);
  const realm = router(config).realms[0];
  assert.equal(realm.name, "ticker-feed");
  assert.deepEqual(realm.store, {
    type: "memory",
    limit: 250,
    event_history: [
      { uri: "org.sample.ticker.price", match: "exact", limit: 500 },
      // no per-topic limit: the store's limit applies
      { uri: "org.sample.alerts.", match: "prefix", limit: 250 },
    ],
  });
});

Deno.test("loadConfig() reads static anonymous authentication on a web path", async () => {
  const { config, warnings } = await load("anonymous_auth_realm.json.txt");
  assert.deepEqual(warnings, []);
  const r = router(config);
  const web = r.transports[0];
  if (web.type !== "web") throw new Error("expected a web transport");
  const lobby = web.paths.lobby;
  if (lobby.type !== "websocket") throw new Error("expected a websocket service");
  assert.deepEqual(lobby.auth, { anonymous: { type: "static", role: "visitor" } });
  assert.deepEqual(r.realms[0].roles.map((x) => x.name), ["visitor"]);
});

Deno.test("loadConfig() reads static anonymous, ticket and wampcra principals from YAML", async () => {
  const { config, warnings } = await load("static_auth_methods.yaml.txt");
  assert.deepEqual(warnings, []);
  const r = router(config);
  const t = r.transports[0];
  if (t.type !== "websocket") throw new Error("expected a websocket transport");
  assert.deepEqual(t.auth.anonymous, { type: "static", role: "guest" });
  assert.deepEqual(t.auth.ticket, {
    type: "static",
    principals: {
      "svc-backend": { ticket: "tk-backend-7", role: "backend" },
      "svc-viewer": { ticket: "tk-viewer-7", role: "ticket_viewer" },
    },
  });
  assert.deepEqual(t.auth.wampcra, {
    type: "static",
    users: {
      "cra-backend": { secret: "cra-backend-pw", role: "backend" },
      "cra-viewer": { secret: "cra-viewer-pw", role: "cra_viewer" },
    },
  });
  const roles = r.realms[0].roles;
  assert.deepEqual(roles.map((x) => x.name), ["backend", "ticket_viewer", "cra_viewer", "guest"]);
  // flow-style permissions: unnamed actions are denied, disclose is read
  assert.deepEqual(roles[1].permissions[0].allow, {
    call: true,
    register: false,
    publish: false,
    subscribe: true,
  });
  assert.equal(roles[1].permissions[0].disclose.caller, true);
});

Deno.test("loadConfig() names the one unsupported feature of a config with an MQTT transport", async () => {
  const { config, errors } = await load("mqtt_transport_unsupported.json.txt");
  assert.equal(config, undefined);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].path, "workers[0].transports[1].type");
  assert.match(errors[0].message, /transport type "mqtt" is not supported by xbar/);
  assert.deepEqual([errors[0].line, errors[0].column], [49, 19]);
});

Deno.test("loadConfig() reads Python class components and names the impossible restart/shutdown pair", async () => {
  const { config, errors } = await load("container_restart_class_components.json.txt");
  assert.equal(config, undefined);
  assert.deepEqual(errors.map((e) => e.path), ["workers[0].options.shutdown"]);
  assert.match(
    errors[0].message,
    /"shutdown-on-any-component-failed" never happens when failed components are restarted \("on-failure"\)/,
  );
});

Deno.test("loadConfig() reads a realm's session statistics in the shape of Crossbar's stats example", async () => {
  const { config, warnings } = await load("session_stats_realm.json.txt");
  assert.deepEqual(router(config).realms[0].stats, {
    rated_message_size: 1024,
    trigger_after_rated_messages: 50,
    trigger_after_duration: 30,
    trigger_on_join: true,
    trigger_on_leave: false,
  });
  assert.deepEqual(warnings, []);
});
