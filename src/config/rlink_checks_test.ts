import assert from "node:assert/strict";
import { parseConfigText } from "./load.ts";
import type { RouterWorkerConfig } from "./types.ts";
import { rlinkTrustedKeys } from "./rlink_trust.ts";

const KEY_A = "a".repeat(64);
const KEY_B = "B".repeat(64);

function config(rlink: string, auth: string): string {
  return `version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles: [{name: anonymous}, {name: rlink}]
        rlinks:
          - ${rlink}
            transport: {type: rawsocket, endpoint: {type: tcp, host: 198.51.100.2, port: 8091}}
    transports:
      - type: rawsocket
        endpoint: {type: tcp, port: 8091}
        auth: ${auth}
`;
}

const TRUST =
  `{cryptosign: {type: static, principals: {rlink: {role: rlink, authorized_keys: [${KEY_A}, ${KEY_B}]}}}}`;

Deno.test("rlinks: a worker whose rlink principals list keys passes; heartbeat_interval defaults to 5000", () => {
  const r = parseConfigText(config("realm: realm1", TRUST));
  assert.deepEqual(r.errors, []);
  const w = r.config!.workers[0] as RouterWorkerConfig;
  assert.equal(w.realms[0].rlinks[0].heartbeat_interval, 5000);
  assert.deepEqual(rlinkTrustedKeys(w), [KEY_A, KEY_B.toLowerCase()]);
});

Deno.test("rlinks: no rlink principal on the worker is an error at the rlink, with the reason", () => {
  const r = parseConfigText(
    config("realm: realm1", "{anonymous: {type: static, role: anonymous}}"),
  );
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].path, "workers[0].realms[0].rlinks[0]");
  assert.match(r.errors[0].message, /cannot check the peer's key/);
});

Deno.test("rlinks: heartbeat_interval (xbar extension) is an integer from 100 to 600000 ms", () => {
  const ok = parseConfigText(
    config("{realm: realm1, heartbeat_interval: 1000,", TRUST).replace(
      "port: 8091}}\n    transports",
      "port: 8091}}}\n    transports",
    ),
  );
  assert.deepEqual(ok.errors.map((e) => e.message), []);
  assert.equal(
    (ok.config!.workers[0] as RouterWorkerConfig).realms[0].rlinks[0].heartbeat_interval,
    1000,
  );
  const bad = parseConfigText(
    config("{realm: realm1, heartbeat_interval: 50,", TRUST).replace(
      "port: 8091}}\n    transports",
      "port: 8091}}}\n    transports",
    ),
  );
  assert.equal(bad.errors.length, 1);
  assert.equal(bad.errors[0].path, "workers[0].realms[0].rlinks[0].heartbeat_interval");
});
