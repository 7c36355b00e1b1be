import assert from "node:assert/strict";
import { validateConfig } from "./validate.ts";
import type { RouterWorkerConfig, WebTransportConfig } from "./types.ts";

const ALL = { call: true, register: true, publish: true, subscribe: true };

function routerOf(raw: unknown): RouterWorkerConfig {
  const { config, errors } = validateConfig(raw);
  assert.deepEqual(errors, []);
  return config!.workers[0] as RouterWorkerConfig;
}

Deno.test("validateConfig() reads role allow-by-default as Crossbar does: everything allowed without permissions, ignored (warned) with them", () => {
  const { config, errors, warnings } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [
          { name: "open", "allow-by-default": true },
          { name: "closed", "allow-by-default": false },
          { name: "listed", "allow-by-default": true, permissions: [] },
        ],
      }],
    }],
  });
  assert.deepEqual(errors, []);
  const roles = (config!.workers[0] as RouterWorkerConfig).realms[0].roles;
  assert.deepEqual(roles[0].permissions, [{
    uri: "",
    match: "prefix",
    allow: ALL,
    disclose: { caller: false, publisher: false },
    cache: true,
  }]);
  assert.deepEqual(roles[1].permissions, []);
  assert.deepEqual(roles[2].permissions, []);
  assert.deepEqual(warnings.map((w) => w.path), [
    'workers[0].realms[0].roles[2]["allow-by-default"]',
  ]);
});

Deno.test("validateConfig() checks permission URIs loosely unless the realm says uri_check: strict", () => {
  const realm = (options: unknown) => ({
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        options,
        roles: [{ name: "r", permissions: [{ uri: "com.example.my-topic.", match: "prefix" }] }],
      }],
    }],
  });
  const loose = routerOf(realm({}));
  assert.equal(loose.realms[0].options.uri_check, "loose");
  const { errors } = validateConfig(realm({ uri_check: "strict" }));
  assert.deepEqual(errors.map((e) => e.path), ["workers[0].realms[0].roles[0].permissions[0].uri"]);
  assert.match(errors[0].message, /uri_check: strict/);
  assert.equal(validateConfig(realm({ uri_check: "loose" })).errors.length, 0);
  const bad = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", roles: [{ name: "r", permissions: [{ uri: "com. space" }] }] }],
    }],
  });
  assert.equal(bad.errors.length, 1);
});

Deno.test("validateConfig() reads realm trace and stats (Crossbar's defaults)", () => {
  const r = routerOf({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", trace: true, stats: { trigger_after_rated_messages: 10 } }],
    }],
  });
  assert.equal(r.realms[0].trace, true);
  assert.deepEqual(r.realms[0].stats, {
    rated_message_size: 512,
    trigger_after_rated_messages: 10,
    trigger_after_duration: 0,
    trigger_on_join: false,
    trigger_on_leave: true,
  });
});

Deno.test("validateConfig() refuses bad realm stats values, each with its path", () => {
  const realm = (stats: unknown, options?: unknown) => ({
    version: 2,
    workers: [{ type: "router", realms: [{ name: "realm1", stats, options }] }],
  });
  const errorsOf = (stats: unknown) =>
    validateConfig(realm(stats)).errors.map((e) => `${e.path}: ${e.message}`);
  const p = "workers[0].realms[0].stats";
  assert.deepEqual(errorsOf({ trigger_on_join: true }), [
    `${p}: needs trigger_after_rated_messages or trigger_after_duration above 0 (as Crossbar requires)`,
  ]);
  const bad = errorsOf({
    rated_message_size: 500,
    trigger_after_rated_messages: -1,
    trigger_after_duration: 1.5,
    trigger_on_join: "yes",
    trigger_on_leave: 1,
    trigger_every: 3,
  });
  assert.deepEqual(bad.map((e) => e.slice(0, e.indexOf(":"))).sort(), [
    `${p}.rated_message_size`,
    `${p}.trigger_after_duration`,
    `${p}.trigger_after_rated_messages`,
    `${p}.trigger_every`,
    `${p}.trigger_on_join`,
    `${p}.trigger_on_leave`,
  ]);
  assert.match(bad.find((e) => e.startsWith(`${p}.rated_message_size`))!, /power of two.*got 500/);
  assert.match(errorsOf({ rated_message_size: 0, trigger_after_duration: 5 })[0], /1-1073741824/);
  assert.match(errorsOf("on")[0], new RegExp(`^${p.replaceAll(/[[\].]/g, "\\$&")}: `));
  const { errors, warnings } = validateConfig(
    realm({ trigger_after_duration: 5 }, { enable_meta_api: false }),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings.map((w) => w.path), [p]);
  assert.match(warnings[0].message, /enable_meta_api is false/);
});

Deno.test("validateConfig() reads authenticator-realm/-role, default-role and an anonymous realm, and checks them against the worker's realms", () => {
  const worker = (auth: unknown) => ({
    version: 2,
    workers: [{
      type: "router",
      realms: [
        { name: "realm1", roles: [{ name: "user" }, { name: "authenticator" }] },
        { name: "other", roles: [{ name: "user" }] },
      ],
      transports: [{ type: "websocket", endpoint: { type: "tcp", port: 8080 }, auth }],
    }],
  });
  const r = routerOf(worker({
    ticket: {
      type: "dynamic",
      authenticator: "com.example.authenticate",
      "authenticator-realm": "realm1",
      "authenticator-role": "authenticator",
      "default-role": "user",
    },
    anonymous: { type: "static", role: "user", realm: "other" },
  }));
  const t = r.transports[0];
  assert.ok(t.type === "websocket");
  assert.deepEqual(t.auth.ticket, {
    type: "dynamic",
    authenticator: "com.example.authenticate",
    "authenticator-realm": "realm1",
    "authenticator-role": "authenticator",
    "default-role": "user",
  });
  assert.deepEqual(t.auth.anonymous, { type: "static", role: "user", realm: "other" });
  const { errors } = validateConfig(worker({
    wampcra: {
      type: "dynamic",
      authenticator: "com.example.authenticate",
      "authenticator-realm": "other",
      "authenticator-role": "authenticator",
    },
    anonymous: { type: "static", realm: "nowhere" },
  }));
  assert.deepEqual(errors.map((e) => e.path).sort(), [
    "workers[0].transports[0].auth.anonymous.realm",
    'workers[0].transports[0].auth.wampcra["authenticator-role"]',
  ]);
});

Deno.test("validateConfig() accepts long-poll session_timeout 0 (never) and warns about auto_ping timings Deno cannot keep", () => {
  const { config, errors, warnings } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1" }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 8080 },
        paths: {
          lp: { type: "longpoll", options: { session_timeout: 0 } },
          ws: {
            type: "websocket",
            options: { auto_ping_interval: 1200, auto_ping_timeout: 5000 },
          },
          ok: {
            type: "websocket",
            options: { auto_ping_interval: 10000, auto_ping_timeout: 5000 },
          },
        },
      }],
    }],
  });
  assert.deepEqual(errors, []);
  const web = (config!.workers[0] as RouterWorkerConfig).transports[0] as WebTransportConfig;
  const lp = web.paths.lp;
  assert.equal(lp.type === "longpoll" && lp.options.session_timeout, 0);
  // (the realm has no role anonymous: warned too, as Crossbar lets such sessions in to do nothing)
  assert.deepEqual(warnings.map((w) => w.path).filter((p) => p.includes("auto_ping")), [
    "workers[0].transports[0].paths.ws.options.auto_ping_interval",
    "workers[0].transports[0].paths.ws.options.auto_ping_timeout",
  ]);
  assert.match(
    warnings.find((w) => w.path.endsWith("auto_ping_interval"))!.message,
    /pings are sent every 1000 ms/,
  );
});
