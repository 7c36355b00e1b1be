import { assert, assertEquals } from "./_assert.ts";
import { joined, TestClient, testRouter } from "./_test_client.ts";
import { type Dict, MessageType as T } from "../wamp/messages.ts";
import { CloseUri, ErrorUri } from "../wamp/uris.ts";
import { MemoryLogger } from "../log/logger.ts";

/** Expects the router's GOODBYE and answers it; returns the reason. */
async function answerGoodbye(c: TestClient): Promise<string> {
  const m = await c.take((m) => m[0] === T.GOODBYE);
  c.send([T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
  return m[2] as string;
}

Deno.test("Router.addRealm() refuses a duplicate name; realm() finds realms by name", () => {
  const r = testRouter();
  assert(r.realm("realm1"));
  assertEquals(r.realm("nope"), undefined);
  let threw = false;
  try {
    r.addRealm({ name: "realm1" });
  } catch {
    threw = true;
  }
  assert(threw);
  r.addRealm({ name: "realm2" });
  assertEquals([...r.realms()].map((x) => x.name), ["realm1", "realm2"]);
});

Deno.test("Realm.join() sends WELCOME before announcing the session with on_join", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const onJoin = await watcher.subscribe("wamp.session.on_join");
  const c = new TestClient(r);
  c.send([T.HELLO, "realm1", { roles: { subscriber: {} }, authid: "newbie" }]);
  // both happen synchronously: the WELCOME is out when the event is
  const welcome = c.drain();
  assertEquals(welcome.length, 1);
  assertEquals(welcome[0][0], T.WELCOME);
  const ev = watcher.drain();
  assertEquals(ev.length, 1);
  assertEquals(ev[0].slice(0, 2), [T.EVENT, onJoin]);
  const details = (ev[0][4] as Dict[])[0];
  assertEquals([details.session, details.authid], [welcome[0][1], "newbie"]);
});

Deno.test("Router gives sessions ids unique across realms and keeps realms apart", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const ids = new Set<number>();
  const inRealm2: TestClient[] = [];
  for (let i = 0; i < 5; i++) {
    ids.add((await joined(r)).id);
    const c = new TestClient(r);
    await c.join("realm2");
    ids.add(c.id);
    inRealm2.push(c);
  }
  assertEquals(ids.size, 10);
  for (const id of ids) assert(Number.isInteger(id) && id >= 1 && id <= 2 ** 53);
  const c = inRealm2[0];
  assertEquals(await c.result("wamp.session.count"), 5);
  const inRealm1 = [...ids].find((id) => !inRealm2.some((x) => x.id === id))!;
  const m = await c.call("wamp.session.get", [inRealm1]);
  assertEquals([m[0], m[4]], [T.ERROR, ErrorUri.NO_SUCH_SESSION]);
  // a procedure registered in realm2 cannot be called from realm1
  await c.register("com.p");
  const other = await joined(r);
  const e = await other.call("com.p");
  assertEquals([e[0], e[4]], [T.ERROR, ErrorUri.NO_SUCH_PROCEDURE]);
});

Deno.test("Router.removeRealm() ends the realm's sessions with close_realm and refuses new ones", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const a = await joined(r);
  const b = await joined(r);
  const stay = new TestClient(r);
  await stay.join("realm2");
  assert(r.removeRealm("realm1"));
  assert(!r.removeRealm("realm1"));
  assertEquals(await answerGoodbye(a), CloseUri.CLOSE_REALM);
  assertEquals(await answerGoodbye(b), CloseUri.CLOSE_REALM);
  assert(a.closed && b.closed);
  assertEquals(stay.drain(), []);
  const late = new TestClient(r);
  late.send([T.HELLO, "realm1", { roles: { caller: {} } }]);
  const m = await late.next();
  assertEquals([m[0], m[2]], [T.ABORT, ErrorUri.NO_SUCH_REALM]);
  assertEquals(await stay.result("wamp.session.count"), 1);
});

Deno.test("Router.shutdown() says GOODBYE system_shutdown to every session and the connections close", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const a = await joined(r);
  const b = new TestClient(r);
  await b.join("realm2");
  assertEquals(r.connectionCount, 2);
  r.shutdown();
  for (const c of [a, b]) {
    const m = await c.take((m) => m[0] === T.GOODBYE);
    assertEquals(m, [T.GOODBYE, { message: "router shutting down" }, CloseUri.SYSTEM_SHUTDOWN]);
    c.send([T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    assert(c.closed);
  }
  assertEquals(r.connectionCount, 0);
});

Deno.test("RouterSession that was killed and never answers GOODBYE is closed after a grace period", async () => {
  const r = testRouter();
  const admin = await joined(r);
  const mute = await joined(r);
  await admin.result("wamp.session.kill", [mute.id]);
  await mute.take((m) => m[0] === T.GOODBYE);
  // late traffic of a session that has left is ignored
  mute.send([T.CALL, 1, {}, "wamp.session.count"]);
  assertEquals(mute.drain(), []);
  await mute.waitClosed(3000);
  assertEquals(r.connectionCount, 1);
});

Deno.test("RouterSession can join another realm after GOODBYE on the same connection", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const c = await joined(r);
  const first = c.id;
  await c.register("com.p");
  await c.leave();
  await c.join("realm2");
  assert(c.id !== first);
  assertEquals(await c.result("wamp.session.list"), [c.id]);
  const other = await joined(r);
  const m = await other.call("com.p");
  assertEquals(m[4], ErrorUri.NO_SUCH_PROCEDURE, "the first session's registration went with it");
});

Deno.test("Realm.handle() aborts a session that sends router-to-client messages or bad ERRORs", async () => {
  const r = testRouter();
  for (
    const bad of [
      [T.EVENT, 1, 1, {}],
      [T.RESULT, 1, {}],
      [T.INVOCATION, 1, 1, {}],
      [T.WELCOME, 1, {}],
      [T.ERROR, T.CALL, 1, {}, "com.err"],
      [T.AUTHENTICATE, "sig", {}],
    ]
  ) {
    const watcher = await joined(r);
    const c = await joined(r);
    c.send(bad);
    const m = await c.take((m) => m[0] === T.ABORT);
    assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION, JSON.stringify(bad));
    assert(c.closed);
    assertEquals(await watcher.result("wamp.session.count"), 1, JSON.stringify(bad));
    watcher.disconnect();
  }
});

Deno.test("Realm without roles lets every role in; with roles only the configured ones, anonymous and trusted", async () => {
  const open = testRouter();
  const anyRole = await joined(open, { authrole: "whatever" });
  assertEquals(await anyRole.result("wamp.session.count"), 1);
  const closed = testRouter({ roles: [{ name: "user" }] });
  const realm = closed.realm("realm1")!;
  assert(realm.hasRole("user"));
  assert(!realm.hasRole("admin"));
  // as in Crossbar: "anonymous" may join a realm without that role (and may do nothing),
  // "trusted" may always join (and may do everything)
  assert(realm.hasRole("anonymous"));
  assert(realm.hasRole("trusted"));
  const anon = await joined(closed, { authrole: "anonymous" });
  const denied = await anon.call("wamp.session.count");
  assertEquals([denied[0], denied[4]], [T.ERROR, ErrorUri.NOT_AUTHORIZED]);
  const trusted = await joined(closed, { authrole: "trusted" });
  assertEquals(await trusted.result("wamp.session.count"), 2);
  const c = new TestClient(closed);
  c.send([T.HELLO, "realm1", { roles: { caller: {} }, authrole: "admin" }]);
  const m = await c.next();
  assertEquals([m[0], m[2]], [T.ABORT, ErrorUri.NO_SUCH_ROLE]);
});

Deno.test("Realm with trace logs each message of its sessions, in and out", async () => {
  const logger = new MemoryLogger();
  const r = testRouter({ trace: true }, { logger });
  const c = await joined(r);
  await c.call("wamp.session.count");
  const traced = logger.lines.filter((l) => l.msg.startsWith("trace "));
  assert(traced.some((l) => l.msg === "trace in CALL" && l.fields?.session === c.id));
  assert(traced.some((l) => l.msg === "trace out RESULT" && l.fields?.realm === "realm1"));
});
