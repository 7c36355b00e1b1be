/**
 * End-to-end: a table of roles × URIs × actions, each cell the outcome
 * AutobahnJS (Node, over a real WebSocket) observes: "ok" or the error URI.
 * Principals authenticate with anonymous, ticket, salted WAMP-CRA and
 * cryptosign; wrong credentials never join.
 */

import assert from "node:assert/strict";
import type { Permission } from "../src/router/authz/authorizer.ts";
import { deriveKey } from "../src/router/authn/wampcra.ts";
import { cryptosignKey } from "../src/router/authn/cryptosign_key.ts";
import { type AuthNode, runAutobahnJsAuth, startAuthNode } from "./_auth_harness.ts";

const ALL = { call: true, register: true, publish: true, subscribe: true };
const ROLES: { name: string; permissions: Permission[] }[] = [
  { name: "admin", permissions: [{ uri: "", match: "prefix", allow: ALL }] },
  {
    name: "user",
    permissions: [
      { uri: "com.app.", match: "prefix", allow: { call: true, subscribe: true } },
      { uri: "com.app.admin.", match: "prefix", allow: {} },
      {
        uri: "com.app.status",
        allow: { call: true, publish: true, subscribe: true },
        disclose: { caller: true },
      },
      { uri: "wamp.session.count", allow: { call: true } },
    ],
  },
  {
    name: "guest",
    permissions: [
      { uri: "com.app.public.", match: "prefix", allow: { subscribe: true } },
      { uri: "com..ping", match: "wildcard", allow: { call: true } },
    ],
  },
  { name: "backend", permissions: [{ uri: "com.", match: "prefix", allow: { register: true } }] },
];

const ACTIONS = ["call", "register", "publish", "subscribe"] as const;
const URIS = [
  "com.app.orders.list",
  "com.app.admin.delete",
  "com.app.status",
  "com.app.public.news",
  "com.x.ping",
  "wamp.session.count",
];

// One row per URI: outcomes of call, register, publish, subscribe.
// "+" ok, "-" wamp.error.not_authorized, "u" wamp.error.invalid_uri
// (registering wamp.* is refused before authorization).
const EXPECTED: Record<string, string[]> = {
  admin: ["++++", "++++", "++++", "++++", "++++", "+u-+"],
  user: ["+--+", "----", "+-++", "+--+", "----", "+u--"],
  guest: ["----", "----", "----", "---+", "+---", "-u--"],
};
const CELL: Record<string, string> = {
  "+": "ok",
  "-": "wamp.error.not_authorized",
  "u": "wamp.error.invalid_uri",
};

const PASSWORD = "r00t-pw";
const SEED = "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b";
const OTHER_SEED = "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd";

async function start(): Promise<AuthNode> {
  const carol = await cryptosignKey(SEED);
  const node = await startAuthNode([{ name: "realm1", roles: ROLES }], {
    anonymous: { type: "static", role: "guest" },
    ticket: { type: "static", principals: { joe: { ticket: "joe-ticket", role: "user" } } },
    wampcra: {
      type: "static",
      users: {
        root: {
          secret: await deriveKey(PASSWORD, "pepper", 500, 32),
          role: "admin",
          salt: "pepper",
          iterations: 500,
          keylen: 32,
        },
      },
    },
    cryptosign: {
      type: "static",
      principals: { carol: { authorized_keys: [carol.publicKey], role: "user" } },
    },
  });
  const backend = await node.component("realm1", "backend");
  await backend.register("com.", (_a, _k, d) => d.caller_authid ?? null, { match: "prefix" });
  return node;
}

const actions = URIS.flatMap((uri) => ACTIONS.map((action) => ({ action, uri })));

const principals = [
  { role: "guest", authid: undefined, auth: { method: "anonymous" } },
  { role: "user", authid: "joe", auth: { method: "ticket", authid: "joe", ticket: "joe-ticket" } },
  { role: "admin", authid: "root", auth: { method: "wampcra", authid: "root", secret: PASSWORD } },
  { role: "user", authid: "carol", auth: { method: "cryptosign", seed: SEED } },
];

for (const p of principals) {
  Deno.test(`AutobahnJS as ${p.role} via ${p.auth.method}: the permission table holds over WebSocket`, async () => {
    const node = await start();
    try {
      const r = await runAutobahnJsAuth({ url: node.url, realm: "realm1", auth: p.auth, actions });
      assert.ok(r.ok, r.error);
      const { welcome, outcomes, values } = r.result;
      assert.equal(welcome.authrole, p.role);
      assert.equal(welcome.authmethod, p.auth.method);
      if (p.authid) assert.equal(welcome.authid, p.authid);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      actions.forEach((a, i) => {
        const key = `${a.action} ${a.uri}`;
        got[key] = outcomes[i];
        want[key] = CELL[EXPECTED[p.role][URIS.indexOf(a.uri)][ACTIONS.indexOf(a.action)]];
      });
      assert.deepEqual(got, want);
      // com.app.status discloses the caller for role user only.
      const status = actions.findIndex((a) => a.action === "call" && a.uri === "com.app.status");
      assert.equal(values[status], p.role === "user" ? p.authid : null);
    } finally {
      await node.close();
    }
  });
}

const wrong = [
  { name: "a wrong ticket", auth: { method: "ticket", authid: "joe", ticket: "joe-tickel" } },
  {
    name: "an unknown ticket authid",
    auth: { method: "ticket", authid: "moe", ticket: "joe-ticket" },
  },
  {
    name: "a wrong WAMP-CRA password",
    auth: { method: "wampcra", authid: "root", secret: "r00t-pX" },
  },
  {
    name: "an unknown WAMP-CRA authid",
    auth: { method: "wampcra", authid: "rot", secret: PASSWORD },
  },
  { name: "an unauthorized cryptosign key", auth: { method: "cryptosign", seed: OTHER_SEED } },
  {
    name: "a cryptosign key under another authid",
    auth: { method: "cryptosign", authid: "joe", seed: SEED },
  },
];

Deno.test("AutobahnJS with wrong credentials never joins (authentication_failed)", async () => {
  const node = await start();
  try {
    for (const w of wrong) {
      const r = await runAutobahnJsAuth({
        url: node.url,
        realm: "realm1",
        auth: w.auth,
        actions: [],
      });
      assert.ok(r.ok, `${w.name}: ${r.error}`);
      assert.equal(r.result.abort, "wamp.error.authentication_failed", w.name);
      assert.equal(r.result.welcome, undefined, w.name);
    }
    const log = JSON.stringify(node.logger.lines);
    for (const secret of ["joe-ticket", "joe-tickel", PASSWORD, "r00t-pX", SEED, OTHER_SEED]) {
      assert.ok(!log.includes(secret), "a secret reached the log");
    }
  } finally {
    await node.close();
  }
});
