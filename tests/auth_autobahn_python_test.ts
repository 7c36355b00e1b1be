/**
 * End-to-end: Autobahn|Python (Debian python3-autobahn, a separate process)
 * authenticates over a real WebSocket with WAMP-CRA (plain and salted) and
 * WAMP-Cryptosign, on every serializer; wrong credentials never join.
 */

import assert from "node:assert/strict";
import { deriveKey } from "../src/router/authn/wampcra.ts";
import { cryptosignKey } from "../src/router/authn/cryptosign_key.ts";
import { type AuthNode, runAutobahnPythonAuth, startAuthNode } from "./_auth_harness.ts";

const SEED = "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b";
const OTHER_SEED = "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd";

async function start(): Promise<AuthNode> {
  const key = await cryptosignKey(SEED);
  const node = await startAuthNode(
    [{
      name: "realm1",
      roles: [
        {
          name: "user",
          permissions: [{ uri: "com.app.", match: "prefix", allow: { call: true } }],
        },
        {
          name: "backend",
          permissions: [{ uri: "com.", match: "prefix", allow: { register: true } }],
        },
      ],
    }],
    {
      wampcra: {
        type: "static",
        users: {
          plain: { secret: "plain-secret", role: "user" },
          salted: {
            secret: await deriveKey("salted-pw", "NaCl!", 200, 24),
            role: "user",
            salt: "NaCl!",
            iterations: 200,
            keylen: 24,
          },
        },
      },
      cryptosign: {
        type: "static",
        principals: { carol: { authorized_keys: [key.publicKey], role: "user" } },
      },
    },
  );
  const backend = await node.component("realm1", "backend");
  await backend.register("com.", (_a, _k, d) => d.procedure ?? null, { match: "prefix" });
  return node;
}

const actions = [
  { action: "call", uri: "com.app.hello" },
  { action: "call", uri: "com.other.hello" },
  { action: "register", uri: "com.app.mine" },
];

const good = [
  { authid: "plain", auth: { method: "wampcra", authid: "plain", secret: "plain-secret" } },
  { authid: "salted", auth: { method: "wampcra", authid: "salted", secret: "salted-pw" } },
  { authid: "carol", auth: { method: "cryptosign", seed: SEED } },
  { authid: "carol", auth: { method: "cryptosign", authid: "carol", seed: SEED } },
];

for (const serializer of ["json", "msgpack", "cbor"]) {
  Deno.test(`Autobahn|Python over WebSocket/${serializer}: WAMP-CRA and cryptosign join with their role`, async () => {
    const node = await start();
    try {
      for (const g of good) {
        const r = await runAutobahnPythonAuth({
          url: node.url,
          realm: "realm1",
          serializer,
          auth: g.auth,
          actions,
        });
        assert.ok(r.ok, r.error);
        const { welcome, outcomes, values } = r.result;
        assert.deepEqual(
          [welcome.authid, welcome.authrole, welcome.authmethod, welcome.authprovider],
          [g.authid, "user", g.auth.method, "static"],
        );
        assert.deepEqual(outcomes, [
          "ok",
          "wamp.error.not_authorized",
          "wamp.error.not_authorized",
        ]);
        assert.equal(values[0], "com.app.hello");
      }
    } finally {
      await node.close();
    }
  });
}

Deno.test("Autobahn|Python with wrong WAMP-CRA or cryptosign credentials never joins", async () => {
  const node = await start();
  try {
    for (
      const auth of [
        { method: "wampcra", authid: "plain", secret: "plain-secreT" },
        { method: "wampcra", authid: "salted", secret: "salted-pX" },
        { method: "wampcra", authid: "nobody", secret: "plain-secret" },
        { method: "cryptosign", seed: OTHER_SEED },
        { method: "cryptosign", authid: "carol", seed: OTHER_SEED },
      ]
    ) {
      const r = await runAutobahnPythonAuth({ url: node.url, realm: "realm1", auth, actions: [] });
      assert.ok(r.ok, r.error);
      assert.equal(r.result.abort, "wamp.error.authentication_failed", JSON.stringify(auth));
    }
    const r = await runAutobahnPythonAuth({
      url: node.url,
      realm: "realm1",
      auth: { method: "ticket", authid: "plain", ticket: "plain-secret" },
    });
    assert.equal(r.result.abort, "wamp.error.no_auth_method");
  } finally {
    await node.close();
  }
});
