import { assert, assertEquals } from "./_assert.ts";
import { joined, TestClient, testRouter } from "./_test_client.ts";
import { MessageType as T } from "../wamp/messages.ts";
import type { Dict } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { RoleConfig } from "./authz/authorizer.ts";

/** Publishes with acknowledge and returns the PUBLISHED publication id (throws on ERROR). */
async function publishAck(
  c: TestClient,
  topic: string,
  options: Dict = {},
  args?: unknown[],
  kwargs?: Dict,
): Promise<number> {
  const id = c.req();
  const msg: unknown[] = [T.PUBLISH, id, { ...options, acknowledge: true }, topic];
  if (args !== undefined || kwargs !== undefined) msg.push(args ?? []);
  if (kwargs !== undefined) msg.push(kwargs);
  c.send(msg);
  const m = await c.take((m) =>
    (m[0] === T.PUBLISHED || m[0] === T.ERROR) && m[1 + (m[0] === T.ERROR ? 1 : 0)] === id
  );
  if (m[0] !== T.PUBLISHED) throw new Error(`PUBLISH failed: ${JSON.stringify(m)}`);
  return m[2];
}

/** Publishes with acknowledge and returns the ERROR URI (throws on PUBLISHED). */
async function publishError(c: TestClient, topic: string, options: Dict = {}): Promise<string> {
  const id = c.req();
  c.send([T.PUBLISH, id, { ...options, acknowledge: true }, topic, []]);
  const m = await c.take((m) =>
    (m[0] === T.PUBLISHED && m[1] === id) || (m[0] === T.ERROR && m[2] === id)
  );
  if (m[0] !== T.ERROR) throw new Error(`expected ERROR, got ${JSON.stringify(m)}`);
  assertEquals(m[1], T.PUBLISH);
  return m[4];
}

/** Events received so far (removed from the queue). */
function events(c: TestClient): unknown[][] {
  const out = c.received.filter((m) => m[0] === T.EVENT);
  c.received.splice(0, c.received.length, ...c.received.filter((m) => m[0] !== T.EVENT));
  return out;
}

const ALLOW_ALL = { call: true, register: true, publish: true, subscribe: true };

Deno.test("Broker.publish() delivers EVENT with args and kwargs and acknowledges with the same publication id", async () => {
  const r = testRouter();
  const sub = await joined(r);
  const pub = await joined(r);
  const subId = await sub.subscribe("com.topic");
  const pubId = await publishAck(pub, "com.topic", {}, [1, "two"], { three: 3 });
  assertEquals(await sub.next(), [T.EVENT, subId, pubId, {}, [1, "two"], { three: 3 }]);
  // kwargs only: args are sent as an empty list
  const pubId2 = await publishAck(pub, "com.topic", {}, undefined, { k: true });
  assertEquals(await sub.next(), [T.EVENT, subId, pubId2, {}, [], { k: true }]);
  // no payload at all
  const pubId3 = await publishAck(pub, "com.topic");
  assertEquals(await sub.next(), [T.EVENT, subId, pubId3, {}]);
});

Deno.test("Broker.publish() answers nothing without acknowledge, and the event is still delivered", async () => {
  const r = testRouter();
  const sub = await joined(r);
  const pub = await joined(r);
  await sub.subscribe("com.topic");
  pub.send([T.PUBLISH, 1, {}, "com.topic", ["x"]]);
  // routing is synchronous: everything the router would send is already here
  assertEquals(pub.drain(), []);
  const ev = await sub.next();
  assertEquals(ev[0], T.EVENT);
  assertEquals(ev[4], ["x"]);
});

Deno.test("Broker.publish() excludes the publisher by default and includes it with exclude_me false", async () => {
  const r = testRouter();
  const pub = await joined(r);
  const other = await joined(r);
  await pub.subscribe("com.topic");
  await other.subscribe("com.topic");
  await publishAck(pub, "com.topic", {}, ["default"]);
  assertEquals(events(pub), []);
  assertEquals(events(other).length, 1);
  await publishAck(pub, "com.topic", { exclude_me: true }, ["explicit"]);
  assertEquals(events(pub), []);
  events(other);
  await publishAck(pub, "com.topic", { exclude_me: false }, ["me too"]);
  const mine = events(pub);
  assertEquals(mine.length, 1);
  assertEquals(mine[0][4], ["me too"]);
  assertEquals(events(other).length, 1);
});

Deno.test("Broker.publish() applies exclude and eligible lists by session id", async () => {
  const r = testRouter();
  const pub = await joined(r);
  const [a, b, c] = [await joined(r), await joined(r), await joined(r)];
  for (const s of [a, b, c]) await s.subscribe("com.topic");
  await publishAck(pub, "com.topic", { exclude: [a.id] });
  assertEquals([events(a).length, events(b).length, events(c).length], [0, 1, 1]);
  await publishAck(pub, "com.topic", { eligible: [a.id, b.id] });
  assertEquals([events(a).length, events(b).length, events(c).length], [1, 1, 0]);
  // both: eligible AND not excluded
  await publishAck(pub, "com.topic", { eligible: [a.id, b.id], exclude: [a.id] });
  assertEquals([events(a).length, events(b).length, events(c).length], [0, 1, 0]);
  // eligible does not override exclude_me
  await pub.subscribe("com.topic");
  await publishAck(pub, "com.topic", { eligible: [pub.id] });
  assertEquals(events(pub).length, 0);
});

Deno.test("Broker.publish() applies exclude/eligible lists by authid and authrole", async () => {
  const r = testRouter();
  const pub = await joined(r, { authid: "publisher", authrole: "admin" });
  const alice = await joined(r, { authid: "alice", authrole: "user" });
  const bob = await joined(r, { authid: "bob", authrole: "user" });
  const carol = await joined(r, { authid: "carol", authrole: "admin" });
  const all = [alice, bob, carol];
  for (const s of all) await s.subscribe("com.topic");
  const counts = () => all.map((s) => events(s).length);

  await publishAck(pub, "com.topic", { exclude_authid: ["alice"] });
  assertEquals(counts(), [0, 1, 1]);
  await publishAck(pub, "com.topic", { eligible_authid: ["alice", "carol"] });
  assertEquals(counts(), [1, 0, 1]);
  await publishAck(pub, "com.topic", { exclude_authrole: ["user"] });
  assertEquals(counts(), [0, 0, 1]);
  await publishAck(pub, "com.topic", { eligible_authrole: ["user"] });
  assertEquals(counts(), [1, 1, 0]);
  await publishAck(pub, "com.topic", { eligible_authrole: ["user"], exclude_authid: ["bob"] });
  assertEquals(counts(), [1, 0, 0]);
  await publishAck(pub, "com.topic", { eligible_authid: ["bob"], eligible_authrole: ["admin"] });
  assertEquals(counts(), [0, 0, 0]);
});

Deno.test("Broker.publish() discloses the publisher only with disclose_me", async () => {
  const r = testRouter();
  const sub = await joined(r);
  const pub = await joined(r, { authid: "pete", authrole: "anonymous" });
  const subId = await sub.subscribe("com.topic");
  const p1 = await publishAck(pub, "com.topic", { disclose_me: true });
  assertEquals(await sub.next(), [T.EVENT, subId, p1, {
    publisher: pub.id,
    publisher_authid: "pete",
    publisher_authrole: "anonymous",
  }]);
  const p2 = await publishAck(pub, "com.topic");
  assertEquals(await sub.next(), [T.EVENT, subId, p2, {}]);
});

Deno.test("Broker.publish() discloses the publisher when the role's permission says disclose.publisher", async () => {
  const roles: RoleConfig[] = [
    {
      name: "loud",
      permissions: [{
        uri: "com.",
        match: "prefix",
        allow: ALLOW_ALL,
        disclose: { publisher: true },
      }],
    },
    { name: "quiet", permissions: [{ uri: "com.", match: "prefix", allow: ALLOW_ALL }] },
  ];
  const r = testRouter({ roles });
  const sub = await joined(r, { authrole: "quiet" });
  const loud = await joined(r, { authid: "l", authrole: "loud" });
  const quiet = await joined(r, { authid: "q", authrole: "quiet" });
  const subId = await sub.subscribe("com.topic");
  const p1 = await publishAck(loud, "com.topic");
  assertEquals(await sub.next(), [T.EVENT, subId, p1, {
    publisher: loud.id,
    publisher_authid: "l",
    publisher_authrole: "loud",
  }]);
  const p2 = await publishAck(quiet, "com.topic");
  assertEquals(await sub.next(), [T.EVENT, subId, p2, {}]);
});

Deno.test("Broker.publish() gives EVENT.Details.topic to prefix and wildcard subscriptions only", async () => {
  const r = testRouter();
  const sub = await joined(r);
  const pub = await joined(r);
  const exact = await sub.subscribe("com.app.temp");
  const prefix = await sub.subscribe("com.app", { match: "prefix" });
  const wild = await sub.subscribe("com..temp", { match: "wildcard" });
  assert(new Set([exact, prefix, wild]).size === 3);
  const p = await publishAck(pub, "com.app.temp", {}, [21]);
  const got = events(sub);
  assertEquals(got.length, 3, "one event per matching subscription");
  const bySub = new Map(got.map((e) => [e[1], e]));
  assertEquals(bySub.get(exact), [T.EVENT, exact, p, {}, [21]]);
  assertEquals(bySub.get(prefix), [T.EVENT, prefix, p, { topic: "com.app.temp" }, [21]]);
  assertEquals(bySub.get(wild), [T.EVENT, wild, p, { topic: "com.app.temp" }, [21]]);
  // only the patterns that match
  const p2 = await publishAck(pub, "com.app.humidity");
  assertEquals(events(sub), [[T.EVENT, prefix, p2, { topic: "com.app.humidity" }]]);
  const p3 = await publishAck(pub, "com.other.temp");
  assertEquals(events(sub), [[T.EVENT, wild, p3, { topic: "com.other.temp" }]]);
  // disclosure and topic together
  const p4 = await publishAck(pub, "com.app.x", { disclose_me: true });
  const [e4] = events(sub);
  assertEquals(e4[2], p4);
  assertEquals((e4[3] as Dict).topic, "com.app.x");
  assertEquals((e4[3] as Dict).publisher, pub.id);
});

Deno.test("Broker.subscribe() gives every subscriber of the same topic and policy the same id, another policy another id", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const exactA = await a.subscribe("com.topic");
  const exactB = await b.subscribe("com.topic");
  assertEquals(exactA, exactB);
  const prefixA = await a.subscribe("com.topic", { match: "prefix" });
  const prefixB = await b.subscribe("com.topic", { match: "prefix" });
  assertEquals(prefixA, prefixB);
  assert(prefixA !== exactA);
  const wildA = await a.subscribe("com.topic", { match: "wildcard" });
  assert(wildA !== exactA && wildA !== prefixA);
  assertEquals(await a.subscribe("com.other"), await b.subscribe("com.other"));
  assert((await a.subscribe("com.other")) !== exactA);
});

Deno.test("Broker.subscribe() is idempotent: the same id again and still one event per publication", async () => {
  const r = testRouter();
  const sub = await joined(r);
  const pub = await joined(r);
  const id1 = await sub.subscribe("com.topic");
  const id2 = await sub.subscribe("com.topic");
  assertEquals(id1, id2);
  assertEquals(await sub.result("wamp.subscription.count_subscribers", [id1]), 1);
  await publishAck(pub, "com.topic");
  assertEquals(events(sub).length, 1);
  // one UNSUBSCRIBE ends it
  sub.send([T.UNSUBSCRIBE, 99, id1]);
  assertEquals(await sub.next(), [T.UNSUBSCRIBED, 99]);
  await publishAck(pub, "com.topic");
  assertEquals(events(sub), []);
});

Deno.test("Broker.unsubscribe() stops events for that session only", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const pub = await joined(r);
  const id = await a.subscribe("com.topic");
  await b.subscribe("com.topic");
  a.send([T.UNSUBSCRIBE, 5, id]);
  assertEquals(await a.next(), [T.UNSUBSCRIBED, 5]);
  await publishAck(pub, "com.topic");
  assertEquals(events(a), []);
  assertEquals(events(b).length, 1);
});

Deno.test("Broker.unsubscribe() answers no_such_subscription for an unknown id or another session's subscription", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  a.send([T.UNSUBSCRIBE, 5, 12345]);
  const m = await a.next();
  assertEquals([m[0], m[1], m[2], m[4]], [
    T.ERROR,
    T.UNSUBSCRIBE,
    5,
    ErrorUri.NO_SUCH_SUBSCRIPTION,
  ]);
  const id = await b.subscribe("com.topic");
  a.send([T.UNSUBSCRIBE, 6, id]);
  const m2 = await a.next();
  assertEquals([m2[0], m2[2], m2[4]], [T.ERROR, 6, ErrorUri.NO_SUCH_SUBSCRIPTION]);
  // b's subscription is untouched
  assertEquals(await b.result("wamp.subscription.list_subscribers", [id]), [b.id]);
  // unsubscribing twice: the second is an error
  b.send([T.UNSUBSCRIBE, 7, id]);
  assertEquals(await b.next(), [T.UNSUBSCRIBED, 7]);
  b.send([T.UNSUBSCRIBE, 8, id]);
  assertEquals((await b.next())[4], ErrorUri.NO_SUCH_SUBSCRIPTION);
});

Deno.test("Broker.subscribe() with get_retained delivers the latest retained event after SUBSCRIBED, marked retained", async () => {
  const r = testRouter();
  const pub = await joined(r, { authid: "pete" });
  await publishAck(pub, "com.temp", { retain: true }, [19]);
  const p2 = await publishAck(pub, "com.temp", { retain: true, disclose_me: true }, [20]);
  await publishAck(pub, "com.temp", {}, [21]); // not retained: does not replace
  const late = await joined(r);
  const id = late.req();
  late.send([T.SUBSCRIBE, id, { get_retained: true }, "com.temp"]);
  const subd = await late.next();
  assertEquals(subd[0], T.SUBSCRIBED);
  assertEquals(await late.next(), [T.EVENT, subd[2], p2, {
    publisher: pub.id,
    publisher_authid: "pete",
    publisher_authrole: "anonymous",
    retained: true,
  }, [20]]);
  assertEquals(late.drain(), []);
  // without get_retained: nothing
  const other = await joined(r);
  await other.subscribe("com.temp");
  assertEquals(other.drain(), []);
});

Deno.test("Broker.subscribe() with get_retained on a pattern delivers each matching topic's retained event with its topic", async () => {
  const r = testRouter();
  const pub = await joined(r);
  const pa = await publishAck(pub, "com.room.a.temp", { retain: true }, ["a"]);
  const pb = await publishAck(pub, "com.room.b.temp", { retain: true }, ["b"]);
  await publishAck(pub, "com.hall.temp", { retain: true }, ["hall"]);
  const s = await joined(r);
  const subId = await s.subscribe("com.room", { match: "prefix", get_retained: true });
  const got = events(s).sort((x, y) => String(x[4]).localeCompare(String(y[4])));
  assertEquals(got, [
    [T.EVENT, subId, pa, { retained: true, topic: "com.room.a.temp" }, ["a"]],
    [T.EVENT, subId, pb, { retained: true, topic: "com.room.b.temp" }, ["b"]],
  ]);
  const w = await joined(r);
  const wId = await w.subscribe("com..temp", { match: "wildcard", get_retained: true });
  assertEquals(events(w).map((e) => [e[1], (e[3] as Dict).topic]), [[wId, "com.hall.temp"]]);
});

Deno.test("Broker.subscribe() with get_retained never delivers a retained event the subscriber was not eligible for", async () => {
  const r = testRouter();
  const pub = await joined(r);
  await publishAck(pub, "com.secret", { retain: true, eligible_authrole: ["admin"] }, ["s"]);
  const user = await joined(r, { authrole: "anonymous" });
  await user.subscribe("com.secret", { get_retained: true });
  assertEquals(events(user), []);
  const admin = await joined(r, { authrole: "admin" });
  await admin.subscribe("com.secret", { get_retained: true });
  assertEquals(events(admin).length, 1);
});

Deno.test("Broker keeps event history for configured topics, readable with wamp.subscription.get_events and a limit", async () => {
  const r = testRouter({ eventHistory: [{ uri: "com.log", limit: 3 }] });
  const pub = await joined(r, { authid: "pete" });
  const ids: number[] = [];
  for (let i = 1; i <= 5; i++) ids.push(await publishAck(pub, "com.log", {}, [i]));
  const reader = await joined(r);
  const subId = await reader.result("wamp.subscription.lookup", ["com.log"]);
  assert(typeof subId === "number", "the history subscription exists without subscribers");
  const all = await reader.result("wamp.subscription.get_events", [subId]) as Dict[];
  assertEquals(
    all.map((e) => e.publication),
    ids.slice(2),
    "only the newest `limit` events are kept",
  );
  assertEquals(all.map((e) => e.args), [[3], [4], [5]]);
  for (const e of all) {
    assertEquals(e.subscription, subId);
    assertEquals(e.topic, "com.log");
    assert(typeof e.timestamp === "string" && !isNaN(Date.parse(e.timestamp as string)));
  }
  const two = await reader.result("wamp.subscription.get_events", [subId, 2]) as Dict[];
  assertEquals(two.map((e) => e.args), [[4], [5]]);
  const kw = await reader.result("wamp.subscription.get_events", [subId], { limit: 1 }) as Dict[];
  assertEquals(kw.map((e) => e.args), [[5]]);
  // a subscriber joins the same subscription and gets live events too
  assertEquals(await reader.subscribe("com.log"), subId);
  await publishAck(pub, "com.log", {}, [6]);
  assertEquals(events(reader).length, 1);
  // after the subscriber leaves, the history subscription stays
  await reader.leave();
  const again = await joined(r);
  assertEquals(await again.result("wamp.subscription.lookup", ["com.log"]), subId);
});

Deno.test("Broker event history leaves out events for session-id lists and filters authid/authrole lists per reader", async () => {
  const r = testRouter({ eventHistory: [{ uri: "com.log", limit: 10 }] });
  const pub = await joined(r);
  const admin = await joined(r, { authrole: "admin" });
  const user = await joined(r, { authrole: "user", authid: "u" });
  await publishAck(pub, "com.log", {}, ["public"]);
  await publishAck(pub, "com.log", { exclude: [admin.id] }, ["by session id"]);
  await publishAck(pub, "com.log", { eligible: [user.id] }, ["by session id 2"]);
  await publishAck(pub, "com.log", { eligible_authrole: ["admin"] }, ["admins"]);
  await publishAck(pub, "com.log", { exclude_authid: ["u"] }, ["not u"]);
  const subId = await user.result("wamp.subscription.lookup", ["com.log"]);
  const forAdmin = await admin.result("wamp.subscription.get_events", [subId]) as Dict[];
  assertEquals(forAdmin.map((e) => e.args), [["public"], ["admins"], ["not u"]]);
  const forUser = await user.result("wamp.subscription.get_events", [subId]) as Dict[];
  assertEquals(forUser.map((e) => e.args), [["public"]]);
});

Deno.test("Broker event history works for a prefix pattern and records each concrete topic", async () => {
  const r = testRouter({ eventHistory: [{ uri: "com.log.", match: "prefix", limit: 5 }] });
  const pub = await joined(r);
  await publishAck(pub, "com.log.a", {}, [1]);
  await publishAck(pub, "com.log.b", {}, [2]);
  await publishAck(pub, "com.other", {}, [3]);
  const subId = await pub.result("wamp.subscription.lookup", ["com.log.", { match: "prefix" }]);
  const evs = await pub.result("wamp.subscription.get_events", [subId]) as Dict[];
  assertEquals(evs.map((e) => [e.topic, e.args]), [["com.log.a", [1]], ["com.log.b", [2]]]);
});

Deno.test("wamp.subscription.get_events answers invalid_argument without history and no_such_subscription for unknown ids", async () => {
  const r = testRouter();
  const c = await joined(r);
  const id = await c.subscribe("com.topic");
  const m = await c.call("wamp.subscription.get_events", [id]);
  assertEquals([m[0], m[4]], [T.ERROR, ErrorUri.INVALID_ARGUMENT]);
  const m2 = await c.call("wamp.subscription.get_events", [424242]);
  assertEquals([m2[0], m2[4]], [T.ERROR, ErrorUri.NO_SUCH_SUBSCRIPTION]);
});

Deno.test("Broker.publish() answers invalid_uri for a bad topic when acknowledged, nothing otherwise", async () => {
  const r = testRouter();
  const c = await joined(r);
  for (const bad of ["com..topic", "com.topic.", ".com", "com topic", "com.#"]) {
    assertEquals(await publishError(c, bad), ErrorUri.INVALID_URI, bad);
    c.send([T.PUBLISH, c.req(), {}, bad]);
    assertEquals(c.drain(), [], bad);
  }
  const strict = testRouter({ uriCheck: "strict" });
  const s = await joined(strict);
  assertEquals(await publishError(s, "com.Topic"), ErrorUri.INVALID_URI);
  const loose = await joined(r);
  await publishAck(loose, "com.Topic-1");
});

Deno.test("Broker.subscribe() answers invalid_uri for a bad pattern and invalid_argument for an unknown match policy", async () => {
  const r = testRouter();
  const c = await joined(r);
  for (
    const [topic, options] of [
      ["com..topic", {}],
      ["com.topic.", {}],
      ["com..topic.", { match: "prefix" }],
      ["com topic", { match: "wildcard" }],
    ] as [string, Dict][]
  ) {
    const id = c.req();
    c.send([T.SUBSCRIBE, id, options, topic]);
    const m = await c.next();
    assertEquals([m[0], m[1], m[2], m[4]], [T.ERROR, T.SUBSCRIBE, id, ErrorUri.INVALID_URI], topic);
  }
  c.send([T.SUBSCRIBE, 77, { match: "regex" }, "com.topic"]);
  assertEquals((await c.next())[4], ErrorUri.INVALID_ARGUMENT);
  // valid patterns
  await c.subscribe("com.", { match: "prefix" });
  await c.subscribe("", { match: "prefix" });
  await c.subscribe("..c", { match: "wildcard" });
});

Deno.test("Broker.publish() refuses to publish to wamp.* topics", async () => {
  const r = testRouter();
  const listener = await joined(r);
  await listener.subscribe("wamp.session.on_join");
  const c = await joined(r);
  events(listener);
  assertEquals(await publishError(c, "wamp.session.on_join"), ErrorUri.NOT_AUTHORIZED);
  c.send([T.PUBLISH, c.req(), {}, "wamp.session.on_join", [{ fake: true }]]);
  assertEquals(events(listener), []);
});

Deno.test("Broker.publish() answers invalid_argument for options of the wrong type and publishes nothing", async () => {
  const r = testRouter();
  const sub = await joined(r);
  await sub.subscribe("com.topic");
  const pub = await joined(r);
  for (
    const options of [
      { exclude: "x" },
      { exclude: [0] },
      { eligible: [1.5] },
      { eligible: 7 },
      { exclude_authid: [1] },
      { eligible_authid: "alice" },
      { exclude_authrole: [null] },
      { eligible_authrole: {} },
      { exclude_me: "no" },
      { disclose_me: 1 },
      { retain: "yes" },
    ]
  ) {
    assertEquals(
      await publishError(pub, "com.topic", options),
      ErrorUri.INVALID_ARGUMENT,
      JSON.stringify(options),
    );
  }
  pub.send([T.PUBLISH, 1, { acknowledge: "yes" }, "com.topic"]);
  const m = await pub.next();
  assertEquals([m[0], m[4]], [T.ERROR, ErrorUri.INVALID_ARGUMENT]);
  assertEquals(events(sub), []);
});

Deno.test("Broker.subscribe() answers invalid_argument for get_retained of the wrong type", async () => {
  const r = testRouter();
  const c = await joined(r);
  c.send([T.SUBSCRIBE, 3, { get_retained: "yes" }, "com.topic"]);
  const m = await c.next();
  assertEquals([m[0], m[1], m[2], m[4]], [T.ERROR, T.SUBSCRIBE, 3, ErrorUri.INVALID_ARGUMENT]);
});

Deno.test("Broker delivers events only within the publisher's realm", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const inRealm1 = await joined(r);
  const inRealm2 = new TestClient(r);
  await inRealm2.join("realm2");
  await inRealm1.subscribe("com.topic");
  await inRealm2.subscribe("com.topic");
  const pub = await joined(r);
  await publishAck(pub, "com.topic");
  assertEquals(events(inRealm1).length, 1);
  assertEquals(events(inRealm2), []);
});

Deno.test("Broker stops delivering to a session that left and removes its subscriptions", async () => {
  const r = testRouter();
  const a = await joined(r);
  const pub = await joined(r);
  const id = await a.subscribe("com.topic");
  a.disconnect();
  await publishAck(pub, "com.topic");
  assertEquals(a.received.filter((m) => m[0] === T.EVENT), []);
  const m = await pub.call("wamp.subscription.get", [id]);
  assertEquals([m[0], m[4]], [T.ERROR, ErrorUri.NO_SUCH_SUBSCRIPTION]);
});
