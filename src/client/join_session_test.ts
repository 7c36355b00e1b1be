import assert from "node:assert/strict";
import { ApplicationError, ProtocolViolation } from "../wamp/errors.ts";
import { FakeRouter, openSession } from "./_fake_router.ts";
import { joinSession } from "./join_session.ts";
import { localPair } from "./local_transport.ts";
import { SessionClosedError } from "./session_closed_error.ts";

Deno.test("joinSession() sends HELLO with the realm, auth details and every role with its features", async () => {
  const { conn, session } = await openSession({
    authmethods: ["ticket"],
    authid: "alice",
    authextra: { k: 1 },
    details: { transport_hint: "x" },
  });
  const [code, realm, details] = conn.hello as [number, string, Record<string, unknown>];
  assert.equal(code, 1);
  assert.equal(realm, "realm1");
  assert.deepEqual(details.authmethods, ["ticket"]);
  assert.equal(details.authid, "alice");
  assert.deepEqual(details.authextra, { k: 1 });
  assert.equal(details.transport_hint, "x");
  assert.equal(details.agent, "xbar-client");
  const roles = details.roles as Record<string, { features: Record<string, boolean> }>;
  assert.deepEqual(Object.keys(roles).sort(), ["callee", "caller", "publisher", "subscriber"]);
  assert.equal(roles.caller.features.progressive_call_invocations, true);
  assert.equal(roles.caller.features.call_canceling, true);
  assert.equal(roles.callee.features.progressive_call_results, true);
  assert.equal(roles.callee.features.call_canceling, true);
  assert.equal(roles.subscriber.features.pattern_based_subscription, true);
  assert.equal(roles.publisher.features.publisher_exclusion, true);
  await session.leave();
});

Deno.test("joinSession() resolves on WELCOME with the session id and details", async () => {
  const { conn, session } = await openSession();
  assert.equal(session.id, conn.sessionId);
  assert.equal(session.realm, "realm1");
  assert.equal(session.details.authrole, "anonymous");
  assert.equal(session.isOpen, true);
  await session.leave();
});

Deno.test("joinSession() rejects with ApplicationError(reason) on ABORT and closes the transport", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const joining = joinSession(localPair(router), "nope");
  const conn = router.last;
  const hello = await conn.next();
  assert.equal(hello[0], 1);
  conn.send([3, { message: "no realm nope" }, "wamp.error.no_such_realm"]);
  await assert.rejects(joining, (err: unknown) => {
    assert.ok(err instanceof ApplicationError);
    assert.equal(err.uri, "wamp.error.no_such_realm");
    assert.match(err.message, /no realm nope/);
    assert.deepEqual(err.kwargs, { message: "no realm nope" });
    return true;
  });
  assert.equal(conn.closedCalls, 1);
});

Deno.test("joinSession() answers CHALLENGE with AUTHENTICATE from onchallenge", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const seen: unknown[] = [];
  const joining = joinSession(localPair(router), "realm1", {
    authmethods: ["ticket"],
    authid: "bob",
    onchallenge: async (method, extra) => {
      seen.push(method, extra);
      await Promise.resolve();
      return "secret";
    },
  });
  const conn = router.last;
  await conn.next(); // HELLO
  conn.send([4, "ticket", { nonce: 1 }]);
  assert.deepEqual(await conn.next(), [5, "secret", {}]);
  conn.send([2, 77, { authid: "bob", authmethod: "ticket" }]);
  const session = await joining;
  assert.deepEqual(seen, ["ticket", { nonce: 1 }]);
  assert.equal(session.id, 77);
  session.abort("wamp.close.normal");
});

Deno.test("joinSession() without onchallenge sends ABORT and rejects on CHALLENGE", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const joining = joinSession(localPair(router), "realm1");
  const conn = router.last;
  await conn.next();
  conn.send([4, "wampcra", {}]);
  await assert.rejects(joining, (err: unknown) => {
    assert.ok(err instanceof ApplicationError);
    assert.equal(err.uri, "wamp.error.authentication_failed");
    return true;
  });
  const abort = await conn.next();
  assert.equal(abort[0], 3);
  assert.equal(abort[2], "wamp.error.authentication_failed");
});

Deno.test("joinSession() rejects with the onchallenge error and sends ABORT", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const joining = joinSession(localPair(router), "realm1", {
    onchallenge: () => {
      throw new Error("no key");
    },
  });
  const conn = router.last;
  await conn.next();
  conn.send([4, "cryptosign", {}]);
  await assert.rejects(joining, /no key/);
  assert.equal((await conn.next())[0], 3);
});

Deno.test("joinSession() rejects with SessionClosedError when the transport closes during the handshake", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const joining = joinSession(localPair(router), "realm1");
  router.last.peer.close();
  await assert.rejects(joining, (err: unknown) => {
    assert.ok(err instanceof SessionClosedError);
    assert.equal(err.reason, "xbar.close.transport_lost");
    return true;
  });
});

Deno.test("joinSession() ABORTs with protocol_violation on an unexpected message", async () => {
  const router = new FakeRouter({ autoWelcome: false });
  const joining = joinSession(localPair(router), "realm1");
  const conn = router.last;
  await conn.next();
  conn.send([50, 1, {}]);
  await assert.rejects(joining, ProtocolViolation);
  const abort = await conn.next();
  assert.equal(abort[2], "wamp.error.protocol_violation");
  assert.equal(conn.closedCalls, 1);
});

Deno.test("joinSession() rejects at once on a transport that is already closed", async () => {
  const router = new FakeRouter();
  const t = localPair(router);
  t.close();
  await assert.rejects(joinSession(t, "realm1"), SessionClosedError);
});
