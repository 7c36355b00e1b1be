import { assert, assertEquals } from "./_assert.ts";
import { joined, type TestClient, testRouter } from "./_test_client.ts";
import { type Dict, MessageType as T, type RouterMessage } from "../wamp/messages.ts";
import { CloseUri, ErrorUri, XbarUri } from "../wamp/uris.ts";
import { MemoryLogger } from "../log/logger.ts";

/** Subscribes `c` to each meta topic; returns topic by subscription id. */
async function listen(c: TestClient, topics: string[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const t of topics) out.set(await c.subscribe(t), t);
  return out;
}

/** The EVENTs received so far as [topic, args], in order (removed from the queue). */
function metaEvents(c: TestClient, topics: Map<number, string>): [string, unknown][] {
  const evs = c.received.filter((m) => m[0] === T.EVENT);
  c.received.splice(0, c.received.length, ...c.received.filter((m) => m[0] !== T.EVENT));
  return evs.map((e) => [topics.get(e[1] as number) ?? `?${e[1]}`, e[4]]);
}

/** The ERROR URI a meta call answers with (throws on RESULT). */
async function callError(c: TestClient, procedure: string, args: unknown[] = [], kwargs?: Dict) {
  const m = await c.call(procedure, args, kwargs);
  if (m[0] !== T.ERROR) throw new Error(`${procedure}: expected ERROR, got ${JSON.stringify(m)}`);
  return m[4];
}

/** Expects the router's GOODBYE at `c` (returned) and answers it, as a client does. */
async function goodbyeReceived(c: TestClient): Promise<RouterMessage> {
  const m = await c.take((m) => m[0] === T.GOODBYE);
  c.send([T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
  assert(c.closed, "the router closes the transport after the GOODBYE exchange");
  return m;
}

const SESSION_EVENTS = ["wamp.session.on_join", "wamp.session.on_leave"];
const REG_EVENTS = [
  "wamp.registration.on_create",
  "wamp.registration.on_register",
  "wamp.registration.on_unregister",
  "wamp.registration.on_delete",
];
const SUB_EVENTS = [
  "wamp.subscription.on_create",
  "wamp.subscription.on_subscribe",
  "wamp.subscription.on_unsubscribe",
  "wamp.subscription.on_delete",
];

Deno.test("wamp.session.count and wamp.session.list count and list the realm's sessions, filtered by authrole", async () => {
  const r = testRouter({}, { realms: [{ name: "realm2" }] });
  const a = await joined(r, { authrole: "user" });
  const b = await joined(r, { authrole: "admin" });
  const c = await joined(r, { authrole: "user" });
  const elsewhere = new (a.constructor as new (r: unknown) => TestClient)(r);
  await elsewhere.join("realm2");
  assertEquals(await a.result("wamp.session.count"), 3);
  assertEquals(await a.result("wamp.session.count", [["user"]]), 2);
  assertEquals(await a.result("wamp.session.count", [["admin", "user"]]), 3);
  assertEquals(await a.result("wamp.session.count", [["nobody"]]), 0);
  assertEquals(await a.result("wamp.session.count", [null]), 3);
  const all = await a.result("wamp.session.list") as number[];
  assertEquals(new Set(all), new Set([a.id, b.id, c.id]));
  const users = await a.result("wamp.session.list", [["user"]]) as number[];
  assertEquals(new Set(users), new Set([a.id, c.id]));
  assertEquals(await callError(a, "wamp.session.count", ["user"]), ErrorUri.INVALID_ARGUMENT);
  assertEquals(await callError(a, "wamp.session.list", [[1]]), ErrorUri.INVALID_ARGUMENT);
  b.disconnect();
  assertEquals(await a.result("wamp.session.count"), 2);
  assertEquals(await elsewhere.result("wamp.session.count"), 1);
});

Deno.test("wamp.session.get returns a session's details; unknown ids get no_such_session", async () => {
  const r = testRouter();
  const a = await joined(r, { authid: "alice", authrole: "user" });
  const b = await joined(r);
  const d = await b.result("wamp.session.get", [a.id]) as Dict;
  assertEquals(d.session, a.id);
  assertEquals(d.authid, "alice");
  assertEquals(d.authrole, "user");
  assertEquals(d.authmethod, "anonymous");
  assertEquals(d.authprovider, "test");
  assertEquals((d.transport as Dict).type, "local");
  assert(!isNaN(Date.parse(d.joined as string)));
  assertEquals(await callError(b, "wamp.session.get", [123456]), ErrorUri.NO_SUCH_SESSION);
  assertEquals(await callError(b, "wamp.session.get", ["x"]), ErrorUri.INVALID_ARGUMENT);
  a.disconnect();
  assertEquals(await callError(b, "wamp.session.get", [a.id]), ErrorUri.NO_SUCH_SESSION);
});

Deno.test("wamp.session.kill sends the target GOODBYE wamp.close.killed (or the reason and message given) and removes it", async () => {
  const r = testRouter();
  const admin = await joined(r);
  const events = await listen(admin, SESSION_EVENTS);
  const t1 = await joined(r, { authid: "t1" });
  const t2 = await joined(r, { authid: "t2" });
  await t1.register("com.t1");
  metaEvents(admin, events);

  assertEquals(await admin.call("wamp.session.kill", [t1.id]), [T.RESULT, admin.req() - 1, {}, [
    null,
  ]]);
  assertEquals(await goodbyeReceived(t1), [T.GOODBYE, {}, CloseUri.KILLED]);
  assertEquals(metaEvents(admin, events), [["wamp.session.on_leave", [t1.id, "t1", "anonymous"]]]);
  assertEquals(
    (await admin.call("com.t1"))[4],
    ErrorUri.NO_SUCH_PROCEDURE,
    "the killed session's registrations are gone",
  );

  await admin.result("wamp.session.kill", [t2.id], { reason: "com.bye", message: "go away" });
  assertEquals(await goodbyeReceived(t2), [T.GOODBYE, { message: "go away" }, "com.bye"]);
  assertEquals(await admin.result("wamp.session.count"), 1);
});

Deno.test("wamp.session.kill refuses the caller itself and unknown sessions with no_such_session, and bad reasons with invalid_uri", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  assertEquals(await callError(a, "wamp.session.kill", [a.id]), ErrorUri.NO_SUCH_SESSION);
  assertEquals(await callError(a, "wamp.session.kill", [424242]), ErrorUri.NO_SUCH_SESSION);
  assertEquals(
    await callError(a, "wamp.session.kill", [b.id], { reason: "not a uri" }),
    ErrorUri.INVALID_URI,
  );
  assertEquals(
    await callError(a, "wamp.session.kill", [b.id], { message: 42 }),
    ErrorUri.INVALID_ARGUMENT,
  );
  assertEquals(b.drain(), []);
  assertEquals(await a.result("wamp.session.count"), 2);
});

Deno.test("wamp.session.kill_by_authid kills every other session of that authid and returns their ids", async () => {
  const r = testRouter();
  const me = await joined(r, { authid: "bob" });
  const bob1 = await joined(r, { authid: "bob" });
  const bob2 = await joined(r, { authid: "bob" });
  const alice = await joined(r, { authid: "alice" });
  const killed = await me.result("wamp.session.kill_by_authid", ["bob"], {
    reason: "com.out",
  }) as number[];
  assertEquals(new Set(killed), new Set([bob1.id, bob2.id]));
  for (const c of [bob1, bob2]) assertEquals((await goodbyeReceived(c))[2], "com.out");
  assertEquals(alice.drain(), []);
  assertEquals(await me.result("wamp.session.kill_by_authid", ["nobody"]), []);
  assertEquals(await callError(me, "wamp.session.kill_by_authid", [1]), ErrorUri.INVALID_ARGUMENT);
  assertEquals(await me.result("wamp.session.count"), 2);
});

Deno.test("wamp.session.kill_by_authrole kills every other session of that role and returns the count", async () => {
  const r = testRouter();
  const me = await joined(r, { authrole: "user" });
  const u1 = await joined(r, { authrole: "user" });
  const u2 = await joined(r, { authrole: "user" });
  const admin = await joined(r, { authrole: "admin" });
  assertEquals(await me.result("wamp.session.kill_by_authrole", ["user"]), 2);
  for (const c of [u1, u2]) assertEquals((await goodbyeReceived(c))[2], CloseUri.KILLED);
  assertEquals(admin.drain(), []);
  assertEquals(await me.result("wamp.session.kill_by_authrole", ["user"]), 0);
});

Deno.test("wamp.session.kill_all kills every session but the caller and returns the count", async () => {
  const r = testRouter();
  const me = await joined(r);
  const others = [await joined(r), await joined(r), await joined(r)];
  assertEquals(
    await me.result("wamp.session.kill_all", [], { reason: CloseUri.SYSTEM_SHUTDOWN }),
    3,
  );
  for (const c of others) {
    assertEquals(await goodbyeReceived(c), [T.GOODBYE, {}, CloseUri.SYSTEM_SHUTDOWN]);
  }
  assertEquals(await me.result("wamp.session.list"), [me.id]);
});

Deno.test("wamp.session.on_join and on_leave carry the session's details and id/authid/authrole", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const events = await listen(watcher, SESSION_EVENTS);
  const c = await joined(r, { authid: "carol", authrole: "user" });
  const [[topic, args]] = metaEvents(watcher, events);
  assertEquals(topic, "wamp.session.on_join");
  const d = (args as Dict[])[0];
  assertEquals(
    [d.session, d.authid, d.authrole, d.authmethod, d.authprovider],
    [c.id, "carol", "user", "anonymous", "test"],
  );
  assertEquals((d.transport as Dict).type, "local");
  c.disconnect();
  assertEquals(metaEvents(watcher, events), [["wamp.session.on_leave", [c.id, "carol", "user"]]]);
  // GOODBYE is a leave too
  const g = await joined(r, { authid: "gary" });
  metaEvents(watcher, events);
  await g.leave();
  assertEquals(metaEvents(watcher, events), [["wamp.session.on_leave", [
    g.id,
    "gary",
    "anonymous",
  ]]]);
});

Deno.test("wamp.session.add_testament publishes the testament when the session goes, and not after flush_testaments", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const subId = await watcher.subscribe("com.will");
  const dying = await joined(r);
  assertEquals(
    await dying.result("wamp.session.add_testament", ["com.will", ["bye"], { code: 1 }]),
    null,
  );
  await dying.result("wamp.session.add_testament", ["com.will", ["detached"]], {
    scope: "detached",
  });
  assertEquals(watcher.drain(), [], "nothing published while the session lives");
  dying.disconnect();
  const evs = watcher.drain();
  assertEquals(evs.map((e) => [e[0], e[1], e[4], e[5]]), [
    [T.EVENT, subId, ["detached"], undefined],
    [T.EVENT, subId, ["bye"], { code: 1 }],
  ]);

  const flushed = await joined(r);
  await flushed.result("wamp.session.add_testament", ["com.will", ["one"]]);
  await flushed.result("wamp.session.add_testament", ["com.will", ["two"]]);
  assertEquals(await flushed.result("wamp.session.flush_testaments"), 2);
  assertEquals(await flushed.result("wamp.session.flush_testaments"), 0);
  await flushed.leave();
  assertEquals(watcher.drain(), []);
});

Deno.test("wamp.session.add_testament applies publish_options and checks its arguments", async () => {
  const r = testRouter();
  const admin = await joined(r, { authrole: "admin" });
  const user = await joined(r, { authrole: "user" });
  await admin.subscribe("com.will");
  await user.subscribe("com.will");
  const dying = await joined(r);
  await dying.result("wamp.session.add_testament", ["com.will", ["admins only"]], {
    publish_options: { eligible_authrole: ["admin"] },
  });
  assertEquals(
    await callError(dying, "wamp.session.add_testament", ["bad uri"]),
    ErrorUri.INVALID_URI,
  );
  assertEquals(
    await callError(dying, "wamp.session.add_testament", ["com.will", "x"]),
    ErrorUri.INVALID_ARGUMENT,
  );
  assertEquals(
    await callError(dying, "wamp.session.add_testament", ["com.will", []], { scope: "forever" }),
    ErrorUri.INVALID_ARGUMENT,
  );
  assertEquals(
    await callError(dying, "wamp.session.flush_testaments", [], { scope: "forever" }),
    ErrorUri.INVALID_ARGUMENT,
  );
  dying.disconnect();
  assertEquals(admin.drain().map((e) => e[4]), [["admins only"]]);
  assertEquals(user.drain(), []);
});

Deno.test("wamp.registration.* list, look up, match and describe registrations", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const q = await joined(r);
  const exact = await a.register("com.p.get");
  const prefix = await a.register("com.p", { match: "prefix" });
  const wild = await a.register("com..get", { match: "wildcard" });
  const shared = await a.register("com.shared", { invoke: "roundrobin" });
  assertEquals(await b.register("com.shared", { invoke: "roundrobin" }), shared);

  assertEquals(await q.result("wamp.registration.list"), {
    exact: [exact, shared],
    prefix: [prefix],
    wildcard: [wild],
  });
  assertEquals(await q.result("wamp.registration.lookup", ["com.p.get"]), exact);
  assertEquals(await q.result("wamp.registration.lookup", ["com.p", { match: "prefix" }]), prefix);
  assertEquals(await q.result("wamp.registration.lookup", ["com.p"], { match: "prefix" }), prefix);
  assertEquals(await q.result("wamp.registration.lookup", ["com.p"]), null);
  assertEquals(
    await q.result("wamp.registration.lookup", ["com..get", { match: "wildcard" }]),
    wild,
  );
  assertEquals(await q.result("wamp.registration.match", ["com.p.get"]), exact);
  assertEquals(await q.result("wamp.registration.match", ["com.p.set"]), prefix);
  assertEquals(await q.result("wamp.registration.match", ["com.x.get"]), wild);
  assertEquals(await q.result("wamp.registration.match", ["org.nothing"]), null);

  const d = await q.result("wamp.registration.get", [prefix]) as Dict;
  assertEquals([d.id, d.uri, d.match, d.invoke], [prefix, "com.p", "prefix", "single"]);
  assert(!isNaN(Date.parse(d.created as string)));
  assertEquals((await q.result("wamp.registration.get", [shared]) as Dict).invoke, "roundrobin");
  assertEquals(await q.result("wamp.registration.list_callees", [shared]), [a.id, b.id]);
  assertEquals(await q.result("wamp.registration.count_callees", [shared]), 2);
  assertEquals(await q.result("wamp.registration.count_callees", [exact]), 1);
  for (const p of ["get", "list_callees", "count_callees"]) {
    assertEquals(
      await callError(q, `wamp.registration.${p}`, [999]),
      ErrorUri.NO_SUCH_REGISTRATION,
      p,
    );
    assertEquals(await callError(q, `wamp.registration.${p}`, ["x"]), ErrorUri.INVALID_ARGUMENT, p);
  }
  assertEquals(
    await callError(q, "wamp.registration.lookup", ["com.p", { match: "regex" }]),
    ErrorUri.INVALID_ARGUMENT,
  );
});

Deno.test("wamp.subscription.* list, look up, match and describe subscriptions", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const q = await joined(r);
  const exact = await a.subscribe("com.t.x");
  assertEquals(await b.subscribe("com.t.x"), exact);
  const prefix = await a.subscribe("com.t", { match: "prefix" });
  const wild = await b.subscribe("com..x", { match: "wildcard" });

  assertEquals(await q.result("wamp.subscription.list"), {
    exact: [exact],
    prefix: [prefix],
    wildcard: [wild],
  });
  assertEquals(await q.result("wamp.subscription.lookup", ["com.t.x"]), exact);
  assertEquals(await q.result("wamp.subscription.lookup", ["com.t", { match: "prefix" }]), prefix);
  assertEquals(await q.result("wamp.subscription.lookup", ["com.t"]), null);
  const matched = await q.result("wamp.subscription.match", ["com.t.x"]) as number[];
  assertEquals(new Set(matched), new Set([exact, prefix, wild]));
  assertEquals(await q.result("wamp.subscription.match", ["org.none"]), null);
  const d = await q.result("wamp.subscription.get", [wild]) as Dict;
  assertEquals([d.id, d.uri, d.match], [wild, "com..x", "wildcard"]);
  assert(!isNaN(Date.parse(d.created as string)));
  assertEquals(await q.result("wamp.subscription.list_subscribers", [exact]), [a.id, b.id]);
  assertEquals(await q.result("wamp.subscription.count_subscribers", [exact]), 2);
  assertEquals(await q.result("wamp.subscription.count_subscribers", [prefix]), 1);
  for (const p of ["get", "list_subscribers", "count_subscribers"]) {
    assertEquals(
      await callError(q, `wamp.subscription.${p}`, [999]),
      ErrorUri.NO_SUCH_SUBSCRIPTION,
      p,
    );
  }
  assertEquals(await callError(q, "wamp.subscription.match", [1]), ErrorUri.INVALID_ARGUMENT);
});

Deno.test("wamp.registration.on_* events follow register and unregister in order", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const events = await listen(watcher, REG_EVENTS);
  const a = await joined(r);
  const b = await joined(r);
  const id = await a.register("com.p", { invoke: "first" });
  const [[t1, args1], ...rest1] = metaEvents(watcher, events);
  assertEquals(t1, "wamp.registration.on_create");
  assertEquals((args1 as unknown[])[0], a.id);
  const details = (args1 as Dict[])[1];
  assertEquals([details.id, details.uri, details.match, details.invoke], [
    id,
    "com.p",
    "exact",
    "first",
  ]);
  assertEquals(rest1, [["wamp.registration.on_register", [a.id, id]]]);
  await b.register("com.p", { invoke: "first" });
  assertEquals(metaEvents(watcher, events), [["wamp.registration.on_register", [b.id, id]]]);
  a.send([T.UNREGISTER, 1, id]);
  await a.next();
  assertEquals(metaEvents(watcher, events), [["wamp.registration.on_unregister", [a.id, id]]]);
  b.send([T.UNREGISTER, 1, id]);
  await b.next();
  assertEquals(metaEvents(watcher, events), [
    ["wamp.registration.on_unregister", [b.id, id]],
    ["wamp.registration.on_delete", [b.id, id]],
  ]);
  // failed registrations publish nothing
  await a.register("com.q");
  metaEvents(watcher, events);
  b.send([T.REGISTER, 9, {}, "com.q"]);
  assertEquals((await b.next())[4], ErrorUri.PROCEDURE_ALREADY_EXISTS);
  assertEquals(metaEvents(watcher, events), []);
});

Deno.test("wamp.subscription.on_* events follow subscribe and unsubscribe in order", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const events = await listen(watcher, SUB_EVENTS);
  assertEquals(metaEvents(watcher, events), [], "no meta events for wamp.* subscriptions");
  const a = await joined(r);
  const b = await joined(r);
  const id = await a.subscribe("com.t", { match: "prefix" });
  const [[t1, args1], ...rest1] = metaEvents(watcher, events);
  assertEquals(t1, "wamp.subscription.on_create");
  assertEquals((args1 as unknown[])[0], a.id);
  const details = (args1 as Dict[])[1];
  assertEquals([details.id, details.uri, details.match], [id, "com.t", "prefix"]);
  assertEquals(rest1, [["wamp.subscription.on_subscribe", [a.id, id]]]);
  await b.subscribe("com.t", { match: "prefix" });
  assertEquals(metaEvents(watcher, events), [["wamp.subscription.on_subscribe", [b.id, id]]]);
  await b.subscribe("com.t", { match: "prefix" }); // again: nothing new
  assertEquals(metaEvents(watcher, events), []);
  a.send([T.UNSUBSCRIBE, 1, id]);
  await a.next();
  assertEquals(metaEvents(watcher, events), [["wamp.subscription.on_unsubscribe", [a.id, id]]]);
  b.send([T.UNSUBSCRIBE, 1, id]);
  await b.next();
  assertEquals(metaEvents(watcher, events), [
    ["wamp.subscription.on_unsubscribe", [b.id, id]],
    ["wamp.subscription.on_delete", [b.id, id]],
  ]);
});

Deno.test("Realm.leave() publishes cleanup meta events, then testaments, then on_leave, in that order", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  const events = await listen(watcher, [
    ...SESSION_EVENTS,
    ...REG_EVENTS,
    ...SUB_EVENTS,
    "com.will",
  ]);
  const s = await joined(r, { authid: "sam" });
  const reg = await s.register("com.p");
  const sub = await s.subscribe("com.t");
  await s.result("wamp.session.add_testament", ["com.will", ["gone"]]);
  metaEvents(watcher, events);
  s.disconnect();
  assertEquals(metaEvents(watcher, events), [
    ["wamp.registration.on_unregister", [s.id, reg]],
    ["wamp.registration.on_delete", [s.id, reg]],
    ["wamp.subscription.on_unsubscribe", [s.id, sub]],
    ["wamp.subscription.on_delete", [s.id, sub]],
    ["com.will", ["gone"]],
    ["wamp.session.on_leave", [s.id, "sam", "anonymous"]],
  ]);
});

Deno.test("RouterSession that leaves receives nothing after the GOODBYE, not even its own cleanup events", async () => {
  const r = testRouter();
  for (const how of ["goodbye", "killed"] as const) {
    const admin = await joined(r);
    const s = await joined(r);
    await listen(s, [...REG_EVENTS, ...SUB_EVENTS, ...SESSION_EVENTS]);
    await s.register("com.self");
    await s.subscribe("com.t");
    // a call to itself in flight: leaving would otherwise INTERRUPT itself
    s.send([T.CALL, 500, {}, "com.self"]);
    s.drain();
    if (how === "goodbye") {
      s.send([T.GOODBYE, {}, CloseUri.NORMAL]);
      assertEquals(s.drain(), [[T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]], how);
    } else {
      await admin.result("wamp.session.kill", [s.id]);
      assertEquals(s.drain(), [[T.GOODBYE, {}, CloseUri.KILLED]], how);
      s.send([T.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    }
    admin.disconnect();
  }
});

Deno.test("RouterSession.overflow() drops a slow consumer: logged, on_leave published, others unaffected", async () => {
  const logger = new MemoryLogger();
  const r = testRouter({}, { logger });
  const watcher = await joined(r);
  const events = await listen(watcher, SESSION_EVENTS);
  const slow = await joined(r, { authid: "slowpoke" });
  const callee = await joined(r);
  await callee.register("com.p");
  await slow.subscribe("com.t");
  metaEvents(watcher, events);
  slow.handle.overflow(5_000_000);
  assert(slow.closed, "the router closes the slow consumer's transport");
  assertEquals(metaEvents(watcher, events), [[
    "wamp.session.on_leave",
    [slow.id, "slowpoke", "anonymous"],
  ]]);
  const line = logger.lines.find((l) => l.msg.includes("slow consumer"));
  assert(line, "the reason is logged");
  assertEquals(line.level, "warn");
  assertEquals(line.fields?.session, slow.id);
  assertEquals(line.fields?.queuedBytes, 5_000_000);
  // others go on: calls, events, meta
  const caller = await joined(r);
  caller.send([T.CALL, 1, {}, "com.p"]);
  const inv = await callee.next();
  callee.send([T.YIELD, inv[1], {}, ["ok"]]);
  assertEquals(await caller.next(), [T.RESULT, 1, {}, ["ok"]]);
  assertEquals(await caller.result("wamp.subscription.lookup", ["com.t"]), null);
  assertEquals(
    await caller.result("wamp.session.count"),
    3,
    "watcher, callee, caller (slow consumer gone)",
  );
  // a second overflow report, or late input, changes nothing
  const before = slow.received.length;
  slow.handle.overflow(1);
  slow.handle.receive([T.CALL, 2, {}, "com.p"]);
  assertEquals(slow.received.length, before);
  assertEquals(callee.drain(), []);
  assertEquals(logger.lines.filter((l) => l.msg.includes("slow consumer")).length, 1);
  assertEquals(XbarUri.SLOW_CONSUMER, "xbar.close.slow_consumer");
});

Deno.test("Realm with enableMetaApi false: meta procedures answer no_such_procedure, no meta events", async () => {
  const r = testRouter({ enableMetaApi: false });
  const a = await joined(r);
  await a.subscribe("wamp.session.on_join");
  const b = await joined(r);
  for (const proc of ["wamp.session.count", "wamp.session.get", "wamp.registration.list"]) {
    const res = await b.call(proc, [a.id]);
    assertEquals([res[0], res[4]], [T.ERROR, ErrorUri.NO_SUCH_PROCEDURE], proc);
  }
  await b.register("com.x");
  assertEquals(a.drain(), [], "no on_join, no on_register");
});
