import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { CRYPTOSIGN, verifyEd25519 } from "./cryptosign.ts";
import { cryptosignKey } from "./cryptosign_key.ts";
import { hexToBytes } from "./_bytes.ts";
import { authenticatorComponent, authRouter, client, handshake } from "./_test_kit.ts";

// Test vectors of the WAMP spec (Cryptosign, without channel binding).
const VECTORS = [
  {
    key: "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
    challenge: "ff".repeat(32),
    signature:
      "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03" +
      "ff".repeat(32),
  },
  {
    key: "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
    challenge: "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
    signature:
      "d4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660f" +
      "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
  },
];

Deno.test("cryptosignKey().signChallenge() reproduces the spec's test vectors", async () => {
  for (const v of VECTORS) {
    const k = await cryptosignKey(v.key);
    assert.equal(await k.signChallenge(v.challenge), v.signature);
    const sig = hexToBytes(v.signature)!;
    assert.ok(
      await verifyEd25519(hexToBytes(k.publicKey)!, sig.slice(0, 64), hexToBytes(v.challenge)!),
    );
  }
});

Deno.test("verifyEd25519() is false for a bad signature or a key that is not a curve point", async () => {
  const k = await cryptosignKey(VECTORS[0].key);
  const sig = hexToBytes(VECTORS[0].signature)!.slice(0, 64);
  sig[0] ^= 1;
  assert.equal(
    await verifyEd25519(hexToBytes(k.publicKey)!, sig, hexToBytes(VECTORS[0].challenge)!),
    false,
  );
  assert.equal(
    await verifyEd25519(new Uint8Array(32).fill(0xff), sig, hexToBytes(VECTORS[0].challenge)!),
    false,
  );
});

async function keys() {
  return {
    a: await cryptosignKey(VECTORS[0].key),
    b: await cryptosignKey(VECTORS[1].key),
  };
}

Deno.test("cryptosign challenge is 32 random bytes in hex, without channel binding", async () => {
  const { a } = await keys();
  const { router } = authRouter({
    cryptosign: {
      type: "static",
      principals: { alice: { authorized_keys: [a.publicKey], role: "frontend" } },
    },
  });
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const { challenge } = await handshake(client(router), {
      authmethods: [CRYPTOSIGN],
      authextra: { pubkey: a.publicKey, channel_binding: "tls-unique" },
    });
    const extra = challenge![2] as Record<string, unknown>;
    assert.deepEqual(Object.keys(extra), ["challenge"]);
    assert.match(extra.challenge as string, /^[0-9a-f]{64}$/);
    seen.add(extra.challenge as string);
  }
  assert.equal(seen.size, 3);
});

Deno.test("cryptosign static: the authid is found from the key when HELLO names none", async () => {
  const { a } = await keys();
  const { router } = authRouter({
    cryptosign: {
      type: "static",
      principals: { alice: { authorized_keys: [a.publicKey.toUpperCase()], role: "frontend" } },
    },
  });
  const { last } = await handshake(
    client(router),
    { authmethods: [CRYPTOSIGN], authextra: { pubkey: a.publicKey } },
    (_m, e) => a.signChallenge(e.challenge as string),
  );
  assert.equal(last[0], T.WELCOME);
  assert.equal((last[2] as Record<string, unknown>).authid, "alice");
});

Deno.test("cryptosign static: a key of two principals, or of another principal, is refused", async () => {
  const { a, b } = await keys();
  const { router } = authRouter({
    cryptosign: {
      type: "static",
      principals: {
        alice: { authorized_keys: [a.publicKey], role: "frontend" },
        alias: { authorized_keys: [a.publicKey], role: "frontend" },
        bob: { authorized_keys: [b.publicKey], role: "frontend" },
      },
    },
  });
  const sign = (_m: string, e: Record<string, unknown>) => a.signChallenge(e.challenge as string);
  const ambiguous = await handshake(client(router), {
    authmethods: [CRYPTOSIGN],
    authextra: { pubkey: a.publicKey },
  }, sign);
  assert.equal(ambiguous.last[2], ErrorUri.AUTHENTICATION_FAILED);
  const named = await handshake(
    client(router),
    { authmethods: [CRYPTOSIGN], authid: "alias", authextra: { pubkey: a.publicKey } },
    sign,
  );
  assert.equal(named.last[0], T.WELCOME);
  const other = await handshake(
    client(router),
    { authmethods: [CRYPTOSIGN], authid: "bob", authextra: { pubkey: a.publicKey } },
    sign,
  );
  assert.equal(other.last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("cryptosign: HELLO without a well-formed pubkey is aborted", async () => {
  const { a } = await keys();
  const { router } = authRouter({
    cryptosign: {
      type: "static",
      principals: { alice: { authorized_keys: [a.publicKey], role: "frontend" } },
    },
  });
  for (
    const authextra of [undefined, {}, { pubkey: 42 }, { pubkey: "abc" }, {
      pubkey: "zz".repeat(32),
    }]
  ) {
    const { last } = await handshake(client(router), {
      authmethods: [CRYPTOSIGN],
      authid: "alice",
      authextra,
    });
    assert.equal(last[0], T.ABORT);
    assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  }
});

Deno.test("cryptosign: a signature over another challenge, or with the challenge swapped, is refused", async () => {
  const { a } = await keys();
  const { router } = authRouter({
    cryptosign: {
      type: "static",
      principals: { alice: { authorized_keys: [a.publicKey], role: "frontend" } },
    },
  });
  const hello = { authmethods: [CRYPTOSIGN], authextra: { pubkey: a.publicKey } };
  const other = await handshake(client(router), hello, () => a.signChallenge("00".repeat(32)));
  assert.equal(other.last[2], ErrorUri.AUTHENTICATION_FAILED);
  const swapped = await handshake(client(router), hello, async (_m, e) => {
    const s = await a.signChallenge("00".repeat(32));
    return s.slice(0, 128) + (e.challenge as string);
  });
  assert.equal(swapped.last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("cryptosign dynamic: authenticator gets the pubkey; a principal with another key never joins", async () => {
  const { a, b } = await keys();
  const { router } = authRouter({
    cryptosign: { type: "dynamic", authenticator: "com.auth.cs", "authenticator-realm": "auth" },
  });
  const seen: unknown[] = [];
  const comp = await authenticatorComponent(router, "com.auth.cs", ([realm, authid, details]) => {
    seen.push([
      realm,
      authid,
      (details as Record<string, Record<string, unknown>>).authextra.pubkey,
    ]);
    return { pubkey: b.publicKey, role: "frontend" };
  });
  const { last } = await handshake(
    client(router),
    { authmethods: [CRYPTOSIGN], authextra: { pubkey: a.publicKey } },
    (_m, e) => a.signChallenge(e.challenge as string),
  );
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  assert.deepEqual(seen, [["realm1", null, a.publicKey]]);
  await comp.leave();
});

Deno.test("cryptosign dynamic: authid defaults to the HELLO authid, then to the public key", async () => {
  const { a } = await keys();
  const { router } = authRouter({
    cryptosign: { type: "dynamic", authenticator: "com.auth.cs", "authenticator-realm": "auth" },
  });
  const comp = await authenticatorComponent(router, "com.auth.cs", ([, , details]) => ({
    pubkey: (details as Record<string, Record<string, unknown>>).authextra.pubkey,
    role: "frontend",
  }));
  const sign = (_m: string, e: Record<string, unknown>) => a.signChallenge(e.challenge as string);
  const anon = await handshake(client(router), {
    authmethods: [CRYPTOSIGN],
    authextra: { pubkey: a.publicKey },
  }, sign);
  assert.equal((anon.last[2] as Record<string, unknown>).authid, a.publicKey);
  const named = await handshake(
    client(router),
    { authmethods: [CRYPTOSIGN], authid: "al", authextra: { pubkey: a.publicKey } },
    sign,
  );
  assert.equal((named.last[2] as Record<string, unknown>).authid, "al");
  await comp.leave();
});
