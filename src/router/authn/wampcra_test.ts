import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { deriveKey, signWampcra, WAMPCRA } from "./wampcra.ts";
import { authenticatorComponent, authRouter, client, handshake } from "./_test_kit.ts";

Deno.test("deriveKey() matches Autobahn's derive_key (PBKDF2-SHA256, base64)", async () => {
  // Values from autobahn.wamp.auth.derive_key (Autobahn|Python 22.7).
  assert.equal(await deriveKey("secret2", "salt123", 100, 16), "LG5/FwnS5WvgmlEyLPk/pQ==");
  assert.equal(await deriveKey("password", "salt"), "YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LM=");
});

Deno.test("signWampcra() matches Autobahn's compute_wcs (HMAC-SHA256, base64)", async () => {
  assert.equal(
    await signWampcra("prq7+YkJ1/KlW1X0YczMHw==", '{"authid": "x"}'),
    "IsSKuCmQYX96YCemIryL4d95tGSPDkdUKFIC3743GTg=",
  );
});

Deno.test("wampcra challenge is a JSON string with the spec's fields", async () => {
  const { router } = authRouter({
    wampcra: { type: "static", users: { alice: { secret: "k", role: "frontend" } } },
  });
  const { challenge } = await handshake(client(router), {
    authmethods: [WAMPCRA],
    authid: "alice",
  });
  assert.equal(challenge?.[1], WAMPCRA);
  const extra = challenge![2] as Record<string, unknown>;
  assert.deepEqual(Object.keys(extra), ["challenge"]);
  const c = JSON.parse(extra.challenge as string);
  assert.deepEqual(Object.keys(c).sort(), [
    "authid",
    "authmethod",
    "authprovider",
    "authrole",
    "nonce",
    "session",
    "timestamp",
  ]);
  assert.equal(c.authid, "alice");
  assert.equal(c.authrole, "frontend");
  assert.equal(c.authmethod, "wampcra");
  assert.equal(c.authprovider, "static");
  assert.equal(typeof c.nonce, "string");
  assert.ok(c.nonce.length >= 32);
  assert.ok(!Number.isNaN(Date.parse(c.timestamp)));
  assert.equal(typeof c.session, "number");
});

Deno.test("wampcra challenge carries the session id that WELCOME then assigns", async () => {
  const { router } = authRouter({
    wampcra: { type: "static", users: { alice: { secret: "k", role: "frontend" } } },
  });
  const { challenge, last } = await handshake(client(router), {
    authmethods: [WAMPCRA],
    authid: "alice",
  }, async (_method, extra) => await signWampcra("k", (extra as { challenge: string }).challenge));
  const c = JSON.parse((challenge![2] as { challenge: string }).challenge);
  assert.equal(last[0], T.WELCOME);
  assert.ok(c.session > 0);
  assert.equal(last[1], c.session);
});

Deno.test("wampcra nonces differ between handshakes", async () => {
  const { router } = authRouter({
    wampcra: { type: "static", users: { alice: { secret: "k", role: "frontend" } } },
  });
  const nonces = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const { challenge } = await handshake(client(router), {
      authmethods: [WAMPCRA],
      authid: "alice",
    });
    nonces.add(JSON.parse((challenge![2] as Record<string, string>).challenge).nonce);
  }
  assert.equal(nonces.size, 5);
});

Deno.test("wampcra salted user: CHALLENGE carries salt, iterations and keylen (defaults 1000/32)", async () => {
  const { router } = authRouter({
    wampcra: {
      type: "static",
      users: {
        alice: { secret: await deriveKey("pw", "NaCl"), role: "frontend", salt: "NaCl" },
        bob: { secret: "plain", role: "frontend" },
      },
    },
  });
  const a = await handshake(
    client(router),
    { authmethods: [WAMPCRA], authid: "alice" },
    async (_m, e) =>
      signWampcra(
        await deriveKey("pw", e.salt as string, e.iterations as number, e.keylen as number),
        e.challenge as string,
      ),
  );
  const extra = a.challenge![2] as Record<string, unknown>;
  assert.equal(extra.salt, "NaCl");
  assert.equal(extra.iterations, 1000);
  assert.equal(extra.keylen, 32);
  assert.equal(a.last[0], T.WELCOME);
  const b = await handshake(client(router), { authmethods: [WAMPCRA], authid: "bob" });
  assert.equal((b.challenge![2] as Record<string, unknown>).salt, undefined);
});

Deno.test("wampcra unknown authid gets a salted decoy challenge whose salt is stable per authid", async () => {
  const { router } = authRouter({
    wampcra: {
      type: "static",
      users: {
        alice: { secret: "k", role: "frontend", salt: "abcdefgh", iterations: 100, keylen: 16 },
      },
    },
  });
  const salts: unknown[] = [];
  for (const authid of ["mallory", "mallory", "eve"]) {
    const { challenge, last } = await handshake(
      client(router),
      { authmethods: [WAMPCRA], authid },
      (_m, e) => signWampcra("k", e.challenge as string),
    );
    const extra = challenge![2] as Record<string, unknown>;
    assert.equal(extra.iterations, 100);
    assert.equal(extra.keylen, 16);
    assert.equal((extra.salt as string).length, 8);
    assert.equal(JSON.parse(extra.challenge as string).authrole, "frontend");
    salts.push(extra.salt);
    assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  }
  assert.equal(salts[0], salts[1]);
  assert.notEqual(salts[0], salts[2]);
});

Deno.test("wampcra with salted and unsalted users mixed: an unknown authid's challenge looks like some real user's", async () => {
  const { router } = authRouter({
    wampcra: {
      type: "static",
      users: {
        alice: { secret: "k", role: "frontend" },
        carol: { secret: "k2", role: "backend", salt: "0a1b2c3d4e5f", iterations: 50, keylen: 20 },
      },
    },
  });
  const shapeOf = (extra: Record<string, unknown>) =>
    JSON.stringify({
      role: JSON.parse(extra.challenge as string).authrole,
      salted: extra.salt !== undefined,
      iterations: extra.iterations,
      keylen: extra.keylen,
      saltLength: (extra.salt as string | undefined)?.length,
      hexSalt: extra.salt === undefined ? undefined : /^[0-9a-f]+$/.test(extra.salt as string),
    });
  const real = new Set<string>();
  for (const authid of ["alice", "carol"]) {
    const { challenge } = await handshake(client(router), { authmethods: [WAMPCRA], authid });
    real.add(shapeOf(challenge![2] as Record<string, unknown>));
  }
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const authid = `stranger${i}`;
    const first = await handshake(client(router), { authmethods: [WAMPCRA], authid });
    const again = await handshake(client(router), { authmethods: [WAMPCRA], authid });
    const a = first.challenge![2] as Record<string, unknown>;
    const b = again.challenge![2] as Record<string, unknown>;
    assert.ok(real.has(shapeOf(a)), `${authid}: ${shapeOf(a)} is not the shape of a real user`);
    assert.equal(shapeOf(a), shapeOf(b), "the same shape on every attempt");
    assert.equal(a.salt, b.salt, "the same salt on every attempt");
    seen.add(shapeOf(a));
  }
  assert.equal(seen.size, 2, "unknown authids look like salted and like unsalted users");
});

Deno.test("wampcra without an authid is aborted", async () => {
  const { router } = authRouter({
    wampcra: { type: "static", users: { alice: { secret: "k", role: "frontend" } } },
  });
  const { last } = await handshake(client(router), { authmethods: [WAMPCRA] });
  assert.equal(last[0], T.ABORT);
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("wampcra dynamic: salt from the authenticator goes to the client, provider is dynamic", async () => {
  const { router } = authRouter({
    wampcra: { type: "dynamic", authenticator: "com.auth.cra", "authenticator-realm": "auth" },
  });
  const key = await deriveKey("pw", "s4lt", 10, 20);
  const comp = await authenticatorComponent(router, "com.auth.cra", ([, authid]) => ({
    secret: key,
    salt: "s4lt",
    iterations: 10,
    keylen: 20,
    role: "frontend",
    extra: { greeting: `hi ${authid}` },
  }));
  const { challenge, last } = await handshake(
    client(router),
    { authmethods: [WAMPCRA], authid: "carol" },
    async (_m, e) =>
      signWampcra(
        await deriveKey("pw", e.salt as string, e.iterations as number, e.keylen as number),
        e.challenge as string,
      ),
  );
  assert.deepEqual(
    [
      (challenge![2] as Record<string, unknown>).salt,
      (challenge![2] as Record<string, unknown>).iterations,
    ],
    ["s4lt", 10],
  );
  assert.equal(
    JSON.parse((challenge![2] as Record<string, string>).challenge).authprovider,
    "dynamic",
  );
  assert.equal(last[0], T.WELCOME);
  const d = last[2] as Record<string, unknown>;
  assert.equal(d.authid, "carol");
  assert.equal(d.authprovider, "dynamic");
  assert.deepEqual(d.authextra, { greeting: "hi carol" });
  await comp.leave();
});

Deno.test("wampcra dynamic: an answer without a secret fails the handshake", async () => {
  const { router, logger } = authRouter({
    wampcra: { type: "dynamic", authenticator: "com.auth.cra", "authenticator-realm": "auth" },
  });
  const comp = await authenticatorComponent(router, "com.auth.cra", () => "frontend");
  const { last } = await handshake(client(router), { authmethods: [WAMPCRA], authid: "carol" });
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  assert.ok(logger.lines.some((l) => l.msg.includes("invalid principal")));
  await comp.leave();
});
