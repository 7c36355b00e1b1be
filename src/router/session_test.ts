import { assert, assertEquals } from "./_assert.ts";
import { Router } from "./router.ts";
import { TestClient } from "./_test_client.ts";
import { MessageType as T } from "../wamp/messages.ts";
import { CloseUri, ErrorUri } from "../wamp/uris.ts";

function router(): Router {
  return new Router({ realms: [{ name: "realm1" }], handshakeTimeoutMs: 0 });
}

Deno.test("RouterSession answers HELLO with WELCOME carrying roles and auth details", async () => {
  const c = new TestClient(router());
  const d = await c.join();
  assertEquals(d.realm, "realm1");
  assertEquals(d.authrole, "anonymous");
  assertEquals(d.authmethod, "anonymous");
  assert(typeof d.authid === "string");
  assert((d.roles as Record<string, unknown>).broker);
  assert((d.roles as Record<string, unknown>).dealer);
});

Deno.test("RouterSession aborts with no_such_realm for an unknown realm", async () => {
  const c = new TestClient(router());
  c.send([T.HELLO, "nope", { roles: { caller: {} } }]);
  const m = await c.next();
  assertEquals(m[0], T.ABORT);
  assertEquals(m[2], ErrorUri.NO_SUCH_REALM);
  assert(c.closed);
});

Deno.test("RouterSession aborts with protocol_violation for a message before HELLO, other sessions unaffected", async () => {
  const r = router();
  const good = new TestClient(r);
  await good.join();
  const bad = new TestClient(r);
  bad.send([T.CALL, 1, {}, "com.x"]);
  const m = await bad.next();
  assertEquals(m[0], T.ABORT);
  assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION);
  assert(bad.closed);
  good.send([T.CALL, 1, {}, "wamp.session.count"]);
  const res = await good.next();
  assertEquals(res, [T.RESULT, 1, {}, [1]]);
});

Deno.test("RouterSession aborts a second HELLO and malformed messages", async () => {
  for (
    const bad of [[T.HELLO, "realm1", { roles: { caller: {} } }], "garbage", [], [999], [
      T.CALL,
      0,
      {},
      "x",
    ], [T.PUBLISH, 1, [], "t"]]
  ) {
    const c = new TestClient(router());
    await c.join();
    c.send(bad);
    const m = await c.next();
    assertEquals(m[0], T.ABORT, JSON.stringify(bad));
    assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION);
    assert(c.closed);
  }
});

Deno.test("RouterSession answers GOODBYE with goodbye_and_out and allows a new session", async () => {
  const c = new TestClient(router());
  await c.join();
  c.send([T.GOODBYE, {}, CloseUri.NORMAL]);
  assertEquals(await c.next(), [T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
  await c.join();
});

Deno.test("RouterSession aborts with handshake_timeout when HELLO never comes", async () => {
  const r = new Router({ realms: [{ name: "realm1" }], handshakeTimeoutMs: 20 });
  const c = new TestClient(r);
  const m = await c.next();
  assertEquals(m[0], T.ABORT);
  assertEquals(m[2], "xbar.close.handshake_timeout");
});

Deno.test("RouterSession: a connection that sent GOODBYE and then nothing is aborted with handshake_timeout", async () => {
  const r = new Router({ realms: [{ name: "realm1" }], handshakeTimeoutMs: 200 });
  const c = new TestClient(r);
  await c.join();
  c.send([T.GOODBYE, {}, CloseUri.NORMAL]);
  assertEquals(await c.next(), [T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
  const m = await c.next(5000);
  assertEquals(m[0], T.ABORT);
  assertEquals(m[2], "xbar.close.handshake_timeout");
  assert(c.closed);
});

Deno.test("Router routes a call and an event end to end in memory", async () => {
  const r = router();
  const callee = new TestClient(r);
  const caller = new TestClient(r);
  await callee.join();
  await caller.join();
  callee.send([T.REGISTER, 1, {}, "com.add"]);
  const [, , regId] = await callee.next() as [number, number, number];
  caller.send([T.CALL, 7, {}, "com.add", [2, 3]]);
  const inv = await callee.next();
  assertEquals(inv[0], T.INVOCATION);
  assertEquals(inv[2], regId);
  assertEquals(inv[4], [2, 3]);
  callee.send([T.YIELD, inv[1], {}, [5]]);
  assertEquals(await caller.next(), [T.RESULT, 7, {}, [5]]);

  caller.send([T.SUBSCRIBE, 8, {}, "com.topic"]);
  const sub = await caller.next();
  assertEquals(sub[0], T.SUBSCRIBED);
  callee.send([T.PUBLISH, 2, { acknowledge: true }, "com.topic", ["hi"]]);
  const pubd = await callee.next();
  assertEquals(pubd[0], T.PUBLISHED);
  const ev = await caller.next();
  assertEquals(ev[0], T.EVENT);
  assertEquals(ev[4], ["hi"]);
});

Deno.test("RouterSession aborts HELLO with an invalid realm URI or without client roles", async () => {
  const r = router();
  const badRealm = new TestClient(r);
  badRealm.send([T.HELLO, "not a realm", { roles: { caller: {} } }]);
  const m = await badRealm.next();
  assertEquals([m[0], m[2]], [T.ABORT, ErrorUri.INVALID_URI]);
  assert(badRealm.closed);
  for (const roles of [undefined, {}, [], { broker: {} }]) {
    const c = new TestClient(r);
    c.send([T.HELLO, "realm1", roles === undefined ? {} : { roles }]);
    const a = await c.next();
    assertEquals([a[0], a[2]], [T.ABORT, ErrorUri.PROTOCOL_VIOLATION], JSON.stringify(roles));
    assert(c.closed);
  }
  assertEquals(r.connectionCount, 0);
});

Deno.test("RouterSession ends the session when the client sends ABORT: on_leave published, transport closed", async () => {
  const r = router();
  const watcher = new TestClient(r);
  await watcher.join();
  watcher.send([T.SUBSCRIBE, 1, {}, "wamp.session.on_leave"]);
  const [, , subId] = await watcher.next() as [number, number, number];
  const c = new TestClient(r);
  await c.join();
  c.send([T.ABORT, {}, "com.client.gave_up"]);
  assert(c.closed);
  assertEquals(c.drain(), []);
  const ev = await watcher.next();
  assertEquals(ev.slice(0, 2), [T.EVENT, subId]);
  assertEquals((ev[4] as unknown[])[0], c.id);
  assertEquals(r.connectionCount, 1);
});

Deno.test("RouterSession keeps message order while an async authenticator decides", async () => {
  const r = new Router({
    realms: [{ name: "realm1" }],
    handshakeTimeoutMs: 0,
    authenticator: () => ({
      hello: () =>
        new Promise((resolve) =>
          setTimeout(() =>
            resolve({
              kind: "welcome",
              info: {
                authid: "late",
                authrole: "anonymous",
                authmethod: "ticket",
                authprovider: "dynamic",
              },
            }), 20)
        ),
      authenticate: () => ({ kind: "abort", uri: ErrorUri.AUTHENTICATION_FAILED, message: "" }),
    }),
  });
  const c = new TestClient(r);
  // a pipelining client: GOODBYE right behind HELLO is handled after WELCOME
  c.send([T.HELLO, "realm1", { roles: { caller: {} } }]);
  c.send([T.GOODBYE, {}, CloseUri.NORMAL]);
  const w = await c.next();
  assertEquals(w[0], T.WELCOME);
  assertEquals((w[2] as Record<string, unknown>).authid, "late");
  assertEquals(await c.next(), [T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
});
