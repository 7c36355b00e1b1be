import assert from "node:assert/strict";
import { MessageType } from "../wamp/messages.ts";
import { CloseUri, ErrorUri, XbarUri } from "../wamp/uris.ts";
import { joined, TestClient, testRouter } from "./_test_client.ts";
import { Router } from "./router.ts";
import { Histogram, LabelledCounter } from "./router_metrics.ts";

Deno.test("LabelledCounter.inc() counts by label and adds to 'other' past its limit", () => {
  const c = new LabelledCounter(2);
  c.inc("a");
  c.inc("b", 2);
  c.inc("c");
  c.inc("a");
  c.inc("d");
  assert.deepEqual(Object.fromEntries(c.values), { a: 2, b: 2, other: 2 });
});

Deno.test("Histogram.observe() puts each value in the first bucket whose bound it does not exceed", () => {
  const h = new Histogram([0.1, 1]);
  h.observe(0.05);
  h.observe(0.1);
  h.observe(0.5);
  h.observe(7);
  assert.deepEqual([...h.counts], [2, 1, 1]);
  assert.equal(h.count, 4);
  assert.ok(Math.abs(h.sum - 7.65) < 1e-9);
});

Deno.test("Router.metrics counts messages in and out by type and transport, sessions, calls, call errors and durations", async () => {
  const router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await callee.register("com.add");
  const answered = caller.call("com.add", [1, 2]);
  const inv = await callee.take((m) => m[0] === MessageType.INVOCATION);
  callee.send([MessageType.YIELD, inv[1], {}, [3]]);
  assert.equal((await answered)[0], MessageType.RESULT);
  const missing = await caller.call("com.nothing");
  assert.equal(missing[4], ErrorUri.NO_SUCH_PROCEDURE);
  const failing = caller.call("com.add", [1]);
  const inv2 = await callee.take((m) => m[0] === MessageType.INVOCATION);
  callee.send([MessageType.ERROR, MessageType.INVOCATION, inv2[1], {}, "com.error.bad_args"]);
  assert.equal((await failing)[4], "com.error.bad_args");

  const t = router.metrics.traffic.get("local")!;
  assert.equal(t.received[MessageType.HELLO], 2);
  assert.equal(t.sent[MessageType.WELCOME], 2);
  assert.equal(t.received[MessageType.CALL], 3);
  assert.equal(t.sent[MessageType.INVOCATION], 2);
  assert.equal(t.received[MessageType.YIELD], 1);
  assert.equal(t.sent[MessageType.RESULT], 1);
  assert.equal(t.sent[MessageType.ERROR], 2);

  const m = router.realm("realm1")!.metrics;
  assert.equal(m.sessionsOpened.values.get("local"), 2);
  assert.equal(m.callsRouted, 2);
  assert.deepEqual(Object.fromEntries(m.callErrors.values), {
    [ErrorUri.NO_SUCH_PROCEDURE]: 1,
    "com.error.bad_args": 1,
  });
  assert.equal(m.callDuration.count, 2);

  await caller.leave(CloseUri.NORMAL);
  callee.disconnect();
  assert.deepEqual(Object.fromEntries(m.sessionsClosed.values), {
    [`local\n${CloseUri.NORMAL}`]: 1,
    [`local\n${XbarUri.TRANSPORT_LOST}`]: 1,
  });
  router.shutdown();
});

Deno.test("Router.metrics counts publications, deliveries (retained ones too), protocol violations, slow consumers and auth failures", async () => {
  const router = testRouter();
  const sub1 = await joined(router);
  const sub2 = await joined(router);
  const pub = await joined(router);
  await sub1.subscribe("com.t");
  await sub2.subscribe("com.t");
  pub.send([MessageType.PUBLISH, pub.req(), { retain: true }, "com.t", [1]]);
  await sub1.take((m) => m[0] === MessageType.EVENT);
  await sub2.take((m) => m[0] === MessageType.EVENT);
  const late = await joined(router);
  await late.subscribe("com.t", { get_retained: true });
  await late.take((m) => m[0] === MessageType.EVENT);
  const m = router.realm("realm1")!.metrics;
  assert.equal(m.eventsPublished, 1);
  assert.equal(m.eventsDelivered, 3);

  const bad = new TestClient(router, { type: "websocket" });
  bad.send([MessageType.HELLO, "realm1", { roles: { caller: {} } }]);
  await bad.next();
  bad.send([MessageType.RESULT, 1, {}]);
  await bad.waitClosed();
  const undecodable = new TestClient(router, { type: "websocket" });
  undecodable.handle.protocolViolation("not JSON");
  const slow = new TestClient(router, { type: "websocket" });
  await slow.join();
  slow.handle.overflow(1 << 20);
  const ws = router.metrics.traffic.get("websocket")!;
  assert.equal(ws.protocolViolations, 2);
  assert.equal(ws.slowConsumers, 1);
  assert.equal(m.sessionsClosed.values.get(`websocket\n${XbarUri.SLOW_CONSUMER}`), 1);

  const strict = new Router({
    realms: [{ name: "realm1" }],
    handshakeTimeoutMs: 0,
    authenticator: () => ({
      hello: () => ({ kind: "challenge", method: "ticket", extra: {} }),
      authenticate: () => ({
        kind: "abort",
        uri: ErrorUri.AUTHENTICATION_FAILED,
        message: "wrong ticket",
      }),
    }),
  });
  const intruder = new TestClient(strict, { type: "rawsocket" });
  intruder.send([MessageType.HELLO, "realm1", { roles: { caller: {} }, authmethods: ["ticket"] }]);
  assert.equal((await intruder.next())[0], MessageType.CHALLENGE);
  intruder.send([MessageType.AUTHENTICATE, "nope", {}]);
  assert.equal((await intruder.next())[0], MessageType.ABORT);
  assert.deepEqual(
    Object.fromEntries(strict.metrics.traffic.get("rawsocket")!.authFailures.values),
    { ticket: 1 },
  );
  strict.shutdown();
  router.shutdown();
});
