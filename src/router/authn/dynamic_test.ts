import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { localPair } from "../../client/local_transport.ts";
import { joinSession } from "../../client/join_session.ts";
import { authenticatorComponent, authRouter, client, handshake, REALM } from "./_test_kit.ts";

const ticket = (extra: Record<string, unknown> = {}) => ({
  ticket: { type: "dynamic" as const, authenticator: "com.auth.t", ...extra },
});
const hello = { authmethods: ["ticket"], authid: "alice" };

Deno.test("dynamic: without authenticator-realm the procedure is called on the HELLO realm", async () => {
  const { router } = authRouter(ticket());
  // A backend joins realm1 over another (anonymous) transport, as role backend.
  router.setAuthenticator("backend", () => ({
    hello: () => ({
      kind: "welcome",
      info: { authid: "svc", authrole: "backend", authmethod: "anonymous", authprovider: "static" },
    }),
    authenticate: () => ({ kind: "abort", uri: ErrorUri.PROTOCOL_VIOLATION, message: "no" }),
  }));
  const svc = await joinSession(localPair(router, { info: { transportId: "backend" } }), REALM);
  await svc.register("com.auth.t", () => "frontend");
  const { last } = await handshake(client(router), hello, () => "t");
  assert.equal(last[0], T.WELCOME);
  await svc.leave();
});

Deno.test("dynamic: an unknown HELLO realm is no_such_realm; a missing authenticator realm fails quietly", async () => {
  const a = authRouter(ticket());
  const c = client(a.router);
  c.send([T.HELLO, "nope", { roles: { caller: {} }, ...hello }]);
  assert.equal((await c.next())[0], T.CHALLENGE);
  c.send([T.AUTHENTICATE, "t", {}]);
  const m = await c.next();
  assert.equal(m[2], ErrorUri.NO_SUCH_REALM);

  const b = authRouter(ticket({ "authenticator-realm": "gone" }));
  const { last } = await handshake(client(b.router), hello, () => "t");
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  assert.ok(
    b.logger.lines.some((l) => l.level === "error" && l.msg.includes("realm does not exist")),
  );
});

Deno.test("dynamic: no registered authenticator means authentication_failed, and a log line", async () => {
  const { router, logger } = authRouter(ticket({ "authenticator-realm": "auth" }));
  const { last } = await handshake(client(router), hello, () => "t");
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  assert.equal((last[1] as Record<string, unknown>).message, "authentication failed");
  const line = logger.lines.find((l) => l.msg === "dynamic authenticator call failed");
  assert.equal(line?.fields?.error, ErrorUri.NO_SUCH_PROCEDURE);
});

Deno.test("dynamic: an authenticator that does not answer in time fails the handshake", async () => {
  const { router } = authRouter(ticket({ "authenticator-realm": "auth" }), {
    authenticatorTimeoutMs: 50,
  });
  let release = () => {};
  const comp = await authenticatorComponent(
    router,
    "com.auth.t",
    () => new Promise<string>((resolve) => (release = () => resolve("frontend"))),
  );
  const { last } = await handshake(client(router), hello, () => "t");
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
  release();
  await comp.leave();
});

Deno.test("dynamic: the authenticator's error URI and message reach the client", async () => {
  const { router } = authRouter(ticket({ "authenticator-realm": "auth" }));
  const comp = await authenticatorComponent(router, "com.auth.t", () => {
    throw new ApplicationError("com.example.expired", { message: "ticket expired" });
  });
  const { last } = await handshake(client(router), hello, () => "t");
  assert.deepEqual(last, [T.ABORT, { message: "ticket expired" }, "com.example.expired"]);
  await comp.leave();
});

Deno.test("dynamic: answers of the wrong shape fail; a role the realm lacks is no_such_role", async () => {
  for (
    const [answer, uri] of [
      [42, ErrorUri.AUTHENTICATION_FAILED],
      [null, ErrorUri.AUTHENTICATION_FAILED],
      [["frontend"], ErrorUri.AUTHENTICATION_FAILED],
      [{ authid: "x" }, ErrorUri.NO_SUCH_ROLE],
      ["admin", ErrorUri.NO_SUCH_ROLE],
      [{ role: "frontend", realm: "nowhere" }, ErrorUri.NO_SUCH_REALM],
    ] as const
  ) {
    const { router } = authRouter(ticket({ "authenticator-realm": "auth" }));
    const comp = await authenticatorComponent(router, "com.auth.t", () => answer);
    const { last } = await handshake(client(router), hello, () => "t");
    assert.equal(last[0], T.ABORT, JSON.stringify(answer));
    assert.equal(last[2], uri, JSON.stringify(answer));
    await comp.leave();
  }
});

/** A backend session on REALM (role backend, which may register anything). */
async function backend(router: ReturnType<typeof authRouter>["router"]) {
  router.setAuthenticator("backend", () => ({
    hello: () => ({
      kind: "welcome",
      info: { authid: "svc", authrole: "backend", authmethod: "anonymous", authprovider: "static" },
    }),
    authenticate: () => ({ kind: "abort", uri: ErrorUri.PROTOCOL_VIOLATION, message: "no" }),
  }));
  return await joinSession(localPair(router, { info: { transportId: "backend" } }), REALM);
}

Deno.test("dynamic: authenticator-role is the caller's role, and its permissions must allow the call (Crossbar)", async () => {
  // frontend may call com.app.* only
  const denied = authRouter(ticket({ "authenticator-role": "frontend" }));
  const svc1 = await backend(denied.router);
  await svc1.register("com.auth.t", () => "frontend");
  const d = await handshake(client(denied.router), hello, () => "t");
  assert.equal(d.last[2], ErrorUri.AUTHENTICATION_FAILED);
  const line = denied.logger.lines.find((l) => l.msg === "dynamic authenticator cannot be called");
  assert.match(String(line?.fields?.reason), /role "frontend" may not call "com.auth.t"/);
  await svc1.leave();

  const allowed = authRouter({
    ticket: { type: "dynamic", authenticator: "com.app.auth", "authenticator-role": "frontend" },
  });
  const svc2 = await backend(allowed.router);
  let seenRole: unknown;
  await svc2.register("com.app.auth", (_args, _kw, details) => {
    seenRole = details.caller_authrole;
    return "frontend";
  }, { disclose_caller: true });
  const ok = await handshake(client(allowed.router), hello, () => "t");
  assert.equal(ok.last[0], T.WELCOME);
  assert.equal(seenRole, "frontend");
  await svc2.leave();

  // a role the realm does not have: refused, and logged
  const missing = authRouter(ticket({ "authenticator-role": "ghost" }));
  const m = await handshake(client(missing.router), hello, () => "t");
  assert.equal(m.last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("dynamic: an answer a method cannot use fails the handshake and is logged with the method, authenticator and expected shape", async () => {
  const pubkey = "ab".repeat(32);
  const cases: [string, Record<string, unknown>, unknown, string | undefined][] = [
    ["ticket", { authid: "alice" }, 42, undefined],
    ["anonymous", {}, 42, undefined],
    ["wampcra", { authid: "alice" }, 42, "{secret, role, salt?, iterations?, keylen?}"],
    ["wampcra", { authid: "alice" }, "frontend", "{secret, role, salt?, iterations?, keylen?}"],
    ["cryptosign", { authextra: { pubkey } }, 42, "{pubkey, role, authid?, realm?, extra?}"],
    [
      "cryptosign",
      { authextra: { pubkey } },
      "frontend",
      "{pubkey, role, authid?, realm?, extra?}",
    ],
  ];
  for (const [method, details, answer, expected] of cases) {
    const { router, logger } = authRouter({
      [method]: { type: "dynamic", authenticator: "com.auth.x", "authenticator-realm": "auth" },
    });
    const comp = await authenticatorComponent(router, "com.auth.x", () => answer);
    const { last } = await handshake(
      client(router),
      { authmethods: [method], ...details },
      () => "t",
    );
    const what = `${method} answered ${JSON.stringify(answer)}`;
    assert.equal(last[0], T.ABORT, what);
    assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED, what);
    const line = logger.lines.find((l) => l.msg.includes("invalid principal"));
    assert.deepEqual(line?.level, "warn", what);
    assert.deepEqual(
      line?.fields,
      {
        method,
        authenticator: "com.auth.x",
        ...(expected !== undefined ? { expected } : {}),
      },
      what,
    );
    await comp.leave();
  }
});
