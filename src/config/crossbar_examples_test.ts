import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "./load.ts";
import type { RouterWorkerConfig } from "./types.ts";

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));

async function load(name: string) {
  return await loadConfig({ dir, config: name, env: {} });
}

for (
  const name of [
    "crossbar_default_template.json.txt",
    "event_history.json.txt",
    "anonymous_static.json.txt",
    "asphalt_wamp.yaml.txt",
  ]
) {
  Deno.test(`loadConfig() accepts Crossbar's own ${name} unmodified`, async () => {
    const { config, errors } = await load(name);
    assert.deepEqual(errors, []);
    assert.ok(config);
    assert.ok(config.workers.length > 0);
  });
}

Deno.test("loadConfig() reads the Crossbar default template as Crossbar means it", async () => {
  const { config, warnings } = await load("crossbar_default_template.json.txt");
  const router = config!.workers[0] as RouterWorkerConfig;
  const [raw, web] = router.transports;
  assert.equal(raw.type, "rawsocket");
  assert.deepEqual(raw.type === "rawsocket" && raw.options, { max_message_size: 1048576 });
  assert.deepEqual(raw.endpoint, {
    type: "tcp",
    port: 8081,
    interface: "0.0.0.0",
    version: 4,
    backlog: 1024,
    shared: false,
  });
  if (web.type !== "web") throw new Error("expected a web transport");
  assert.deepEqual(Object.keys(web.paths), ["/", "ws", "info"]);
  const ws = web.paths.ws;
  if (ws.type !== "websocket") throw new Error("expected a websocket service");
  assert.equal(ws.options.auto_ping_interval, 10000);
  assert.equal(ws.options.enable_webstatus, false);
  // options Deno's WebSocket cannot honour are accepted with a warning each
  assert.deepEqual(warnings.map((w) => w.path.split(".").pop()), [
    "max_frame_size",
    "auto_fragment_size",
    "fail_by_drop",
    "compression",
  ]);
  assert.ok(warnings.every((w) => w.line !== undefined));
});

Deno.test("loadConfig() reads the event history store", async () => {
  const { config } = await load("event_history.json.txt");
  const realm = (config!.workers[0] as RouterWorkerConfig).realms[0];
  assert.deepEqual(realm.store, {
    type: "memory",
    limit: 100,
    event_history: [{ uri: "com.example.oncounter", match: "exact", limit: 1000 }],
  });
});

Deno.test("loadConfig() reads static ticket and wampcra principals from YAML", async () => {
  const { config } = await load("asphalt_wamp.yaml.txt");
  const t = (config!.workers[0] as RouterWorkerConfig).transports[0];
  if (t.type !== "websocket") throw new Error("expected a websocket transport");
  assert.deepEqual(t.auth.anonymous, { type: "static", role: "public" });
  assert.deepEqual(t.auth.ticket, {
    type: "static",
    principals: {
      testserver: { ticket: "server123", role: "server" },
      testclient: { ticket: "client123", role: "ticket_client" },
    },
  });
  assert.equal(t.auth.wampcra?.type, "static");
});

Deno.test("loadConfig() names the one unsupported feature of a Crossbar config using MQTT", async () => {
  const { config, errors } = await load("autobahn_python_router_no_tls.json.txt");
  assert.equal(config, undefined);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].path, "workers[0].transports[0].type");
  assert.match(errors[0].message, /transport type "mqtt" is not supported by xbar/);
  assert.deepEqual([errors[0].line, errors[0].column], [55, 29]);
});

Deno.test("loadConfig() names each Python component of a Crossbar config", async () => {
  const { config, errors } = await load("crossbar_examples_container_restart.json.txt");
  assert.equal(config, undefined);
  assert.deepEqual(errors.map((e) => e.path), [
    "workers[0].components[0].type",
    "workers[1].components[0].type",
    "workers[1].options.shutdown",
  ]);
  assert.match(errors[0].message, /component type "class" is not supported by xbar/);
  assert.match(errors[2].message, /never happens when failed components are restarted/);
});
