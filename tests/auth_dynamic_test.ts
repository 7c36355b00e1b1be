/**
 * End-to-end: dynamic authentication and authorization over a real
 * WebSocket. Components register an authenticator on realm "auth" and an
 * authorizer on realm1; AutobahnJS (Node) and Autobahn|Python clients log in
 * with ticket, WAMP-CRA and cryptosign, and every action of role "user" is
 * decided by the authorizer.
 */

import assert from "node:assert/strict";
import type { Dict, List } from "../src/wamp/messages.ts";
import { ApplicationError } from "../src/wamp/errors.ts";
import { configureRoles } from "../src/router/authz/configure_roles.ts";
import { cryptosignKey } from "../src/router/authn/cryptosign_key.ts";
import {
  type AuthNode,
  runAutobahnJsAuth,
  runAutobahnPythonAuth,
  startAuthNode,
} from "./_auth_harness.ts";

const SEED = "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510";

interface Dynamic {
  node: AuthNode;
  authenticated: List[];
  authorized: List[];
}

async function start(): Promise<Dynamic> {
  const carol = await cryptosignKey(SEED);
  const dyn = (authenticator: string) => ({
    type: "dynamic" as const,
    authenticator,
    "authenticator-realm": "auth",
  });
  const node = await startAuthNode([{ name: "realm1", roles: [] }, { name: "auth" }], {
    ticket: dyn("com.auth.authenticate"),
    wampcra: dyn("com.auth.authenticate"),
    cryptosign: dyn("com.auth.authenticate"),
  });
  configureRoles(node.router.realm("realm1")!, [
    { name: "user", authorizer: "com.authz.authorize" },
    {
      name: "authz",
      permissions: [{ uri: "com.authz.", match: "prefix", allow: { register: true } }],
    },
    { name: "backend", permissions: [{ uri: "com.", match: "prefix", allow: { register: true } }] },
  ]);

  const authenticated: List[] = [];
  const authenticator = await node.component("auth", "authenticator");
  await authenticator.register("com.auth.authenticate", ([realm, authid, details]) => {
    const d = details as Dict;
    authenticated.push([realm, authid, d.authmethod]);
    switch (d.authmethod) {
      case "ticket":
        if (authid === "joe" && d.ticket === "joe-ticket") return "user";
        throw new ApplicationError("com.example.invalid_ticket", { message: "invalid ticket" });
      case "wampcra":
        if (authid === "ann") {
          return { secret: "ann-secret", role: "user", extra: { tier: "gold" } };
        }
        throw new ApplicationError("wamp.error.authentication_failed", { message: "no such user" });
      case "cryptosign":
        if ((d.authextra as Dict).pubkey === carol.publicKey) {
          return { pubkey: carol.publicKey, role: "user", authid: "carol" };
        }
        throw new ApplicationError("wamp.error.authentication_failed", { message: "unknown key" });
    }
    throw new ApplicationError("wamp.error.authentication_failed");
  });

  const authorized: List[] = [];
  const authz = await node.component("realm1", "authz");
  await authz.register("com.authz.authorize", ([session, uri, action]) => {
    const s = session as Dict;
    authorized.push([s.authid, uri, action]);
    if (uri === "com.app.cached") return { allow: true, cache: true };
    if (uri === "com.app.disclosed") return { allow: true, disclose: true };
    return action === "call" && (uri as string).startsWith("com.app.") && s.authid !== "ann";
  });

  const backend = await node.component("realm1", "backend");
  await backend.register("com.", (_a, _k, d) => d.caller_authid ?? null, { match: "prefix" });
  return { node, authenticated, authorized };
}

const actions = [
  { action: "call", uri: "com.app.hello" },
  { action: "call", uri: "com.app.cached" },
  { action: "call", uri: "com.app.cached" },
  { action: "call", uri: "com.app.disclosed" },
  { action: "call", uri: "com.other" },
  { action: "subscribe", uri: "com.app.hello" },
  { action: "call", uri: "wamp.session.count" },
];

Deno.test("AutobahnJS: a dynamic ticket authenticator and a dynamic authorizer, end to end", async () => {
  const { node, authenticated, authorized } = await start();
  try {
    const r = await runAutobahnJsAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "ticket", authid: "joe", ticket: "joe-ticket" },
      actions,
    });
    assert.ok(r.ok, r.error);
    assert.deepEqual(r.result.welcome, {
      authid: "joe",
      authrole: "user",
      authmethod: "ticket",
      authprovider: "dynamic",
      authextra: null,
    });
    const NA = "wamp.error.not_authorized";
    assert.deepEqual(r.result.outcomes, ["ok", "ok", "ok", "ok", NA, NA, NA]);
    assert.equal(r.result.values[3], "joe"); // disclosed to the callee
    assert.equal(r.result.values[0], null);
    assert.deepEqual(authenticated, [["realm1", "joe", "ticket"]]);
    // The cached decision is asked once; every other action once each.
    assert.deepEqual(authorized.map((a) => a[1]), [
      "com.app.hello",
      "com.app.cached",
      "com.app.disclosed",
      "com.other",
      "com.app.hello",
      "wamp.session.count",
    ]);
    assert.ok(!JSON.stringify(node.logger.lines).includes("joe-ticket"));

    const bad = await runAutobahnJsAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "ticket", authid: "joe", ticket: "guess" },
    });
    assert.equal(bad.result.abort, "com.example.invalid_ticket");
  } finally {
    await node.close();
  }
});

Deno.test("AutobahnJS: dynamic WAMP-CRA and cryptosign authenticators, end to end", async () => {
  const { node } = await start();
  try {
    const ann = await runAutobahnJsAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "wampcra", authid: "ann", secret: "ann-secret" },
      actions: [{ action: "call", uri: "com.app.hello" }],
    });
    assert.ok(ann.ok, ann.error);
    assert.equal(ann.result.welcome.authrole, "user");
    assert.deepEqual(ann.result.welcome.authextra, { tier: "gold" });
    assert.deepEqual(ann.result.outcomes, ["wamp.error.not_authorized"]); // the authorizer says no to ann

    const carol = await runAutobahnJsAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "cryptosign", seed: SEED },
      actions: [{ action: "call", uri: "com.app.hello" }],
    });
    assert.ok(carol.ok, carol.error);
    assert.equal(carol.result.welcome.authid, "carol");
    assert.equal(carol.result.welcome.authprovider, "dynamic");
    assert.deepEqual(carol.result.outcomes, ["ok"]);

    const wrong = await runAutobahnJsAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "wampcra", authid: "ann", secret: "ann-secreT" },
    });
    assert.equal(wrong.result.abort, "wamp.error.authentication_failed");
  } finally {
    await node.close();
  }
});

Deno.test("Autobahn|Python: dynamic WAMP-CRA and cryptosign authenticators, end to end", async () => {
  const { node } = await start();
  try {
    for (
      const [auth, authid] of [
        [{ method: "wampcra", authid: "ann", secret: "ann-secret" }, "ann"],
        [{ method: "cryptosign", seed: SEED }, "carol"],
      ] as const
    ) {
      const r = await runAutobahnPythonAuth({ url: node.url, realm: "realm1", auth, actions: [] });
      assert.ok(r.ok, r.error);
      assert.equal(r.result.welcome.authid, authid);
      assert.equal(r.result.welcome.authprovider, "dynamic");
    }
    const r = await runAutobahnPythonAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "wampcra", authid: "bob", secret: "x" },
    });
    assert.equal(r.result.abort, "wamp.error.authentication_failed");
  } finally {
    await node.close();
  }
});
