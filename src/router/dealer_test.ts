import { assert, assertEquals } from "./_assert.ts";
import { joined, type TestClient, testRouter } from "./_test_client.ts";
import { type Dict, MessageType as T, type RouterMessage } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { RoleConfig } from "./authz/authorizer.ts";

/** HELLO roles of a plain callee/caller that announces no advanced feature. */
const PLAIN = { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } };

/** Waits for the next INVOCATION at `callee`. */
function invocation(callee: TestClient): Promise<RouterMessage> {
  return callee.take((m) => m[0] === T.INVOCATION);
}

/** Sends CALL with request id `id`. */
function sendCall(
  c: TestClient,
  id: number,
  procedure: string,
  options: Dict = {},
  args?: unknown[],
  kwargs?: Dict,
): void {
  const msg: unknown[] = [T.CALL, id, options, procedure];
  if (args !== undefined || kwargs !== undefined) msg.push(args ?? []);
  if (kwargs !== undefined) msg.push(kwargs);
  c.send(msg);
}

/** The error URI of an ERROR message (asserting it is one for a CALL). */
function errorUri(m: RouterMessage): string {
  assertEquals([m[0], m[1]], [T.ERROR, T.CALL], JSON.stringify(m));
  return m[4] as string;
}

/** Calls `procedure` n times; returns which callee (by index in `callees`) got each call. */
async function distribution(
  caller: TestClient,
  callees: TestClient[],
  procedure: string,
  n: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = caller.req();
    sendCall(caller, id, procedure);
    const k = callees.findIndex((c) => c.received.some((m) => m[0] === T.INVOCATION));
    assert(k >= 0, "some callee got the INVOCATION synchronously");
    const inv = await invocation(callees[k]);
    callees[k].send([T.YIELD, inv[1], {}, [k]]);
    assertEquals(await caller.next(), [T.RESULT, id, {}, [k]]);
    out.push(k);
  }
  return out;
}

Deno.test("Dealer.call() routes CALL to the callee and YIELD back as RESULT with args and kwargs", async () => {
  const r = testRouter();
  const callee = await joined(r);
  const caller = await joined(r);
  const regId = await callee.register("com.add");
  sendCall(caller, 7, "com.add", {}, [2, 3], { round: true });
  const inv = await callee.next();
  assertEquals(inv[0], T.INVOCATION);
  assertEquals(inv.slice(2), [regId, {}, [2, 3], { round: true }]);
  callee.send([T.YIELD, inv[1], {}, [5], { exact: true }]);
  assertEquals(await caller.next(), [T.RESULT, 7, {}, [5], { exact: true }]);
  // no payload either way
  sendCall(caller, 8, "com.add");
  const inv2 = await callee.next();
  assertEquals(inv2.length, 4);
  assert(inv2[1] !== inv[1], "a new INVOCATION request id per call");
  callee.send([T.YIELD, inv2[1], {}]);
  assertEquals(await caller.next(), [T.RESULT, 8, {}]);
});

Deno.test("Dealer.call() answers no_such_procedure when nothing is registered", async () => {
  const r = testRouter();
  const caller = await joined(r);
  sendCall(caller, 1, "com.nothing");
  const m = await caller.next();
  assertEquals(m.slice(0, 3), [T.ERROR, T.CALL, 1]);
  assertEquals(m[4], ErrorUri.NO_SUCH_PROCEDURE);
  assertEquals(errorUri(await caller.call("wamp.no.such.meta")), ErrorUri.NO_SUCH_PROCEDURE);
});

Deno.test("Dealer.register() answers procedure_already_exists for a second registration, from another session or the same", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const regId = await a.register("com.proc");
  for (const c of [a, b]) {
    c.send([T.REGISTER, 50, {}, "com.proc"]);
    const m = await c.next();
    assertEquals([m[0], m[1], m[2], m[4]], [
      T.ERROR,
      T.REGISTER,
      50,
      ErrorUri.PROCEDURE_ALREADY_EXISTS,
    ]);
  }
  // the registration is unchanged: still a's alone
  assertEquals(await b.result("wamp.registration.list_callees", [regId]), [a.id]);
});

Deno.test("Dealer.unregister() removes the registration; unknown ids get no_such_registration", async () => {
  const r = testRouter();
  const callee = await joined(r);
  const other = await joined(r);
  const regId = await callee.register("com.proc");
  other.send([T.UNREGISTER, 3, regId]);
  const m = await other.next();
  assertEquals([m[0], m[1], m[2], m[4]], [T.ERROR, T.UNREGISTER, 3, ErrorUri.NO_SUCH_REGISTRATION]);
  callee.send([T.UNREGISTER, 4, regId]);
  assertEquals(await callee.next(), [T.UNREGISTERED, 4]);
  assertEquals(errorUri(await other.call("com.proc")), ErrorUri.NO_SUCH_PROCEDURE);
  callee.send([T.UNREGISTER, 5, regId]);
  assertEquals((await callee.next())[4], ErrorUri.NO_SUCH_REGISTRATION);
  // the procedure can be registered again
  await other.register("com.proc");
});

Deno.test("Dealer.register() answers invalid_uri for bad procedure URIs and reserved wamp.* procedures", async () => {
  const r = testRouter();
  const c = await joined(r);
  for (
    const [uri, options] of [
      ["com..proc", {}],
      ["com.proc.", {}],
      ["wamp.mine", {}],
      ["wamp.", { match: "prefix" }],
      ["com proc", { match: "wildcard" }],
    ] as [string, Dict][]
  ) {
    const id = c.req();
    c.send([T.REGISTER, id, options, uri]);
    const m = await c.next();
    assertEquals([m[0], m[1], m[2], m[4]], [T.ERROR, T.REGISTER, id, ErrorUri.INVALID_URI], uri);
  }
  c.send([T.REGISTER, 99, { match: "regex" }, "com.proc"]);
  assertEquals((await c.next())[4], ErrorUri.INVALID_ARGUMENT);
  c.send([T.REGISTER, 100, { invoke: "sometimes" }, "com.proc"]);
  assertEquals((await c.next())[4], ErrorUri.INVALID_ARGUMENT);
  assertEquals(errorUri(await c.call("com..proc")), ErrorUri.INVALID_URI);
});

Deno.test("Dealer shared registration roundrobin alternates between callees in registration order", async () => {
  const r = testRouter();
  const callees = [await joined(r), await joined(r), await joined(r)];
  const ids = new Set<number>();
  for (const c of callees) ids.add(await c.register("com.rr", { invoke: "roundrobin" }));
  assertEquals(ids.size, 1, "one registration shared by all callees");
  const caller = await joined(r);
  assertEquals(await distribution(caller, callees, "com.rr", 7), [0, 1, 2, 0, 1, 2, 0]);
  // a callee leaving: the rest keep alternating
  callees[1].send([T.UNREGISTER, 9, [...ids][0]]);
  assertEquals(await callees[1].next(), [T.UNREGISTERED, 9]);
  const rest = await distribution(caller, callees, "com.rr", 4);
  assert(!rest.includes(1));
  assertEquals(new Set(rest), new Set([0, 2]));
  assert(rest[0] !== rest[1] && rest[1] !== rest[2], `alternates: ${rest}`);
});

Deno.test("Dealer shared registration first and last pick by registration order", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const f = [await joined(r), await joined(r), await joined(r)];
  for (const c of f) await c.register("com.first", { invoke: "first" });
  assertEquals(await distribution(caller, f, "com.first", 3), [0, 0, 0]);
  f[0].disconnect();
  assertEquals(await distribution(caller, f, "com.first", 2), [1, 1]);

  const l = [await joined(r), await joined(r), await joined(r)];
  for (const c of l) await c.register("com.last", { invoke: "last" });
  assertEquals(await distribution(caller, l, "com.last", 3), [2, 2, 2]);
  l[2].disconnect();
  assertEquals(await distribution(caller, l, "com.last", 2), [1, 1]);
});

Deno.test("Dealer shared registration random reaches several callees", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callees = [await joined(r), await joined(r), await joined(r)];
  for (const c of callees) await c.register("com.random", { invoke: "random" });
  // P(some callee never picked in 60 calls) = 3 * (2/3)^60 ≈ 1e-10
  const got = await distribution(caller, callees, "com.random", 60);
  assertEquals(new Set(got), new Set([0, 1, 2]));
});

Deno.test("Dealer shared registration answers procedure_already_exists for a mismatched invoke policy", async () => {
  const r = testRouter();
  const a = await joined(r);
  const b = await joined(r);
  const regId = await a.register("com.shared", { invoke: "roundrobin" });
  for (const invoke of [undefined, "single", "random", "first", "last"]) {
    const id = b.req();
    b.send([T.REGISTER, id, invoke ? { invoke } : {}, "com.shared"]);
    const m = await b.next();
    assertEquals([m[0], m[2], m[4]], [T.ERROR, id, ErrorUri.PROCEDURE_ALREADY_EXISTS], invoke);
  }
  const details = await a.result("wamp.registration.get", [regId]) as Dict;
  assertEquals(details.invoke, "roundrobin");
  assertEquals(await a.result("wamp.registration.count_callees", [regId]), 1);
});

Deno.test("Dealer routes to the best pattern registration and tells the callee the procedure called", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const short = await joined(r);
  const long = await joined(r);
  const exact = await joined(r);
  const wild = await joined(r);
  const wild2 = await joined(r);
  const regShort = await short.register("com.app", { match: "prefix" });
  const regLong = await long.register("com.app.obj", { match: "prefix" });
  const regExact = await exact.register("com.app.obj.get");
  const regWild = await wild.register("org..get", { match: "wildcard" });
  const regWild2 = await wild2.register("org.app.", { match: "wildcard" });

  const expectAt = async (callee: TestClient, procedure: string, reg: number, pattern: boolean) => {
    const id = caller.req();
    sendCall(caller, id, procedure, {}, [procedure]);
    const inv = await invocation(callee);
    assertEquals(inv[2], reg, procedure);
    assertEquals(inv[3], pattern ? { procedure } : {}, procedure);
    callee.send([T.YIELD, inv[1], {}]);
    assertEquals(await caller.next(), [T.RESULT, id, {}]);
  };
  await expectAt(exact, "com.app.obj.get", regExact, false);
  await expectAt(long, "com.app.obj.set", regLong, true);
  await expectAt(long, "com.app.obj", regLong, true);
  await expectAt(short, "com.app.other", regShort, true);
  await expectAt(short, "com.application", regShort, true); // a plain string prefix
  await expectAt(wild, "org.x.get", regWild, true);
  // org.app.get matches both wildcards: "org.app." has the longer literal portion first
  await expectAt(wild2, "org.app.get", regWild2, true);
  assertEquals(errorUri(await caller.call("org.x.y.get")), ErrorUri.NO_SUCH_PROCEDURE);
  for (const c of [short, long, exact, wild, wild2]) assertEquals(c.drain(), []);
});

Deno.test("Dealer forwards progressive results only when the caller asked and the callee announced the feature", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.stream");
  sendCall(caller, 1, "com.stream", { receive_progress: true });
  const inv = await callee.next();
  assertEquals(inv[3], { receive_progress: true });
  callee.send([T.YIELD, inv[1], { progress: true }, ["a"]]);
  callee.send([T.YIELD, inv[1], { progress: true }, ["b"], { n: 2 }]);
  callee.send([T.YIELD, inv[1], {}, ["done"]]);
  assertEquals(caller.drain(), [
    [T.RESULT, 1, { progress: true }, ["a"]],
    [T.RESULT, 1, { progress: true }, ["b"], { n: 2 }],
    [T.RESULT, 1, {}, ["done"]],
  ]);
  // the caller did not ask: progressive YIELDs are not forwarded
  sendCall(caller, 2, "com.stream");
  const inv2 = await callee.next();
  assertEquals(inv2[3], {});
  callee.send([T.YIELD, inv2[1], { progress: true }, ["a"]]);
  assertEquals(caller.drain(), []);
  callee.send([T.YIELD, inv2[1], {}, ["done"]]);
  assertEquals(caller.drain(), [[T.RESULT, 2, {}, ["done"]]]);
  // a callee that did not announce progressive_call_results is not asked for them
  const plain = await joined(r, PLAIN);
  await plain.register("com.plain");
  sendCall(caller, 3, "com.plain", { receive_progress: true });
  const inv3 = await plain.next();
  assertEquals(inv3[3], {});
  plain.send([T.YIELD, inv3[1], {}, ["only"]]);
  assertEquals(await caller.next(), [T.RESULT, 3, {}, ["only"]]);
});

Deno.test("Dealer forwards progressive call invocations with one INVOCATION request id", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  const regId = await callee.register("com.upload");
  sendCall(caller, 10, "com.upload", { progress: true }, ["chunk1"]);
  const first = await callee.next();
  assertEquals(first.slice(2), [regId, { progress: true }, ["chunk1"]]);
  sendCall(caller, 10, "com.upload", { progress: true }, ["chunk2"]);
  sendCall(caller, 10, "com.upload", {}, ["last"]);
  assertEquals(callee.drain(), [
    [T.INVOCATION, first[1], regId, { progress: true }, ["chunk2"]],
    [T.INVOCATION, first[1], regId, {}, ["last"]],
  ]);
  callee.send([T.YIELD, first[1], {}, ["stored"]]);
  assertEquals(await caller.next(), [T.RESULT, 10, {}, ["stored"]]);
  // the request id is free again: a new CALL with it is a new call
  sendCall(caller, 10, "com.upload", {}, ["again"]);
  const again = await callee.next();
  assert(again[1] !== first[1]);
  assertEquals(again[3], {});
});

Deno.test("Dealer answers feature_not_supported for a progressive invocation to a callee without the feature", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r, PLAIN);
  await callee.register("com.upload");
  sendCall(caller, 1, "com.upload", { progress: true }, ["chunk"]);
  assertEquals(errorUri(await caller.next()), ErrorUri.FEATURE_NOT_SUPPORTED);
  assertEquals(callee.drain(), []);
  // the id was not kept in flight: the caller can use it again
  sendCall(caller, 1, "com.upload", {}, ["whole"]);
  assertEquals((await callee.next())[4], ["whole"]);
});

Deno.test("Dealer answers a call with wamp.error.timeout after `timeout` ms, interrupts the callee and ignores a late YIELD", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.slow");
  const t0 = performance.now();
  sendCall(caller, 1, "com.slow", { timeout: 60 });
  const inv = await callee.next();
  assertEquals(inv[3], { timeout: 60 }, "a callee announcing call_timeout is told the timeout");
  const err = await caller.next();
  const elapsed = performance.now() - t0;
  assertEquals(errorUri(err), ErrorUri.TIMEOUT);
  assertEquals(err[2], 1);
  assert(elapsed >= 55, `timed out after ${elapsed} ms, not before 60`);
  assertEquals(await callee.next(), [T.INTERRUPT, inv[1], {
    mode: "killnowait",
    reason: ErrorUri.TIMEOUT,
  }]);
  callee.send([T.YIELD, inv[1], {}, ["too late"]]);
  callee.send([T.ERROR, T.INVOCATION, inv[1], {}, ErrorUri.CANCELED]);
  assertEquals(caller.drain(), []);
  assertEquals(callee.drain(), []);
  // a call that answers in time is not timed out
  sendCall(caller, 2, "com.slow", { timeout: 1000 });
  const inv2 = await callee.next();
  callee.send([T.YIELD, inv2[1], {}, ["fast"]]);
  assertEquals(await caller.next(), [T.RESULT, 2, {}, ["fast"]]);
});

Deno.test("Dealer timeout on a callee without call_canceling: ERROR to the caller and no INTERRUPT", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r, PLAIN);
  await callee.register("com.slow");
  sendCall(caller, 1, "com.slow", { timeout: 20 });
  const inv = await callee.next();
  assertEquals(inv[3], {}, "no timeout for a callee that did not announce call_timeout");
  assertEquals(errorUri(await caller.next()), ErrorUri.TIMEOUT);
  assertEquals(callee.drain(), []);
});

Deno.test("Dealer.call() answers invalid_argument for a timeout that is not a non-negative integer", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.p");
  for (const timeout of [-1, 1.5, "10"]) {
    assertEquals(
      errorUri(await caller.call("com.p", [], undefined, { timeout })),
      ErrorUri.INVALID_ARGUMENT,
    );
  }
  assertEquals(callee.drain(), []);
});

Deno.test("Dealer.cancel() skip answers the caller at once, sends no INTERRUPT and drops the callee's answer", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.p");
  sendCall(caller, 1, "com.p");
  const inv = await callee.next();
  caller.send([T.CANCEL, 1, { mode: "skip" }]);
  assertEquals(errorUri(await caller.next()), ErrorUri.CANCELED);
  assertEquals(callee.drain(), []);
  callee.send([T.YIELD, inv[1], {}, ["late"]]);
  assertEquals(caller.drain(), []);
});

Deno.test("Dealer.cancel() kill interrupts the callee and forwards its answer, whatever it is", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.p");
  sendCall(caller, 1, "com.p");
  const inv = await callee.next();
  caller.send([T.CANCEL, 1, { mode: "kill" }]);
  assertEquals(await callee.next(), [T.INTERRUPT, inv[1], { mode: "kill" }]);
  assertEquals(caller.drain(), [], "no ERROR before the callee answers");
  caller.send([T.CANCEL, 1, { mode: "kill" }]); // a repeated cancel changes nothing
  assertEquals(callee.drain(), []);
  callee.send([T.ERROR, T.INVOCATION, inv[1], {}, ErrorUri.CANCELED, ["stopped"]]);
  assertEquals(await caller.next(), [T.ERROR, T.CALL, 1, {}, ErrorUri.CANCELED, ["stopped"]]);
  // the callee may also finish first: the caller gets the RESULT
  sendCall(caller, 2, "com.p");
  const inv2 = await callee.next();
  caller.send([T.CANCEL, 2, { mode: "kill" }]);
  await callee.next();
  callee.send([T.YIELD, inv2[1], {}, ["finished anyway"]]);
  assertEquals(await caller.next(), [T.RESULT, 2, {}, ["finished anyway"]]);
});

Deno.test("Dealer.cancel() killnowait (the default) answers at once, interrupts, and drops the callee's answer", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.p");
  for (const options of [{ mode: "killnowait" }, {}]) {
    const id = caller.req();
    sendCall(caller, id, "com.p");
    const inv = await callee.next();
    caller.send([T.CANCEL, id, options]);
    const err = await caller.next();
    assertEquals([errorUri(err), err[2]], [ErrorUri.CANCELED, id]);
    assertEquals(await callee.next(), [T.INTERRUPT, inv[1], { mode: "killnowait" }]);
    callee.send([T.ERROR, T.INVOCATION, inv[1], {}, ErrorUri.CANCELED]);
    callee.send([T.YIELD, inv[1], {}]);
    assertEquals(caller.drain(), []);
  }
});

Deno.test("Dealer.cancel() behaves as skip for a callee without call_canceling, whatever the mode", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r, PLAIN);
  await callee.register("com.p");
  for (const mode of ["kill", "killnowait", "skip"]) {
    const id = caller.req();
    sendCall(caller, id, "com.p");
    const inv = await callee.next();
    caller.send([T.CANCEL, id, { mode }]);
    assertEquals(errorUri(await caller.next()), ErrorUri.CANCELED, mode);
    assertEquals(callee.drain(), [], mode);
    callee.send([T.YIELD, inv[1], {}]);
    assertEquals(caller.drain(), [], mode);
  }
});

Deno.test("Dealer.cancel() of an answered or unknown call does nothing; an unknown mode aborts the caller", async () => {
  const r = testRouter();
  const caller = await joined(r);
  const callee = await joined(r);
  await callee.register("com.p");
  sendCall(caller, 1, "com.p");
  const inv = await callee.next();
  callee.send([T.YIELD, inv[1], {}]);
  await caller.next();
  caller.send([T.CANCEL, 1, {}]);
  caller.send([T.CANCEL, 12345, { mode: "kill" }]);
  assertEquals(caller.drain(), []);
  assertEquals(callee.drain(), []);
  sendCall(caller, 2, "com.p");
  await callee.next();
  caller.send([T.CANCEL, 2, { mode: "nicely" }]);
  const m = await caller.take((m) => m[0] === T.ABORT);
  assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION);
  assert(caller.closed);
});

Deno.test("Dealer discloses the caller for disclose_me, a disclose_caller registration, or the role's disclose.caller", async () => {
  const roles: RoleConfig[] = [
    {
      name: "open",
      permissions: [{
        uri: "com.",
        match: "prefix",
        allow: { call: true, register: true },
        disclose: { caller: true },
      }],
    },
    {
      name: "closed",
      permissions: [{ uri: "com.", match: "prefix", allow: { call: true, register: true } }],
    },
  ];
  const r = testRouter({ roles });
  const callee = await joined(r, { authrole: "closed" });
  const open = await joined(r, { authid: "olive", authrole: "open" });
  const closed = await joined(r, { authid: "carl", authrole: "closed" });
  await callee.register("com.p");
  await callee.register("com.told", { disclose_caller: true });
  const detailsFor = async (caller: TestClient, procedure: string, options: Dict = {}) => {
    const id = caller.req();
    sendCall(caller, id, procedure, options);
    const inv = await callee.next();
    callee.send([T.YIELD, inv[1], {}]);
    await caller.next();
    return inv[3];
  };
  const carl = { caller: closed.id, caller_authid: "carl", caller_authrole: "closed" };
  assertEquals(await detailsFor(closed, "com.p"), {});
  assertEquals(await detailsFor(closed, "com.p", { disclose_me: true }), carl);
  assertEquals(await detailsFor(closed, "com.told"), carl);
  assertEquals(await detailsFor(open, "com.p"), {
    caller: open.id,
    caller_authid: "olive",
    caller_authrole: "open",
  });
});

Deno.test("Dealer answers every in-flight call with ERROR when the callee leaves, however it leaves", async () => {
  for (const how of ["disconnect", "goodbye", "abort", "overflow"] as const) {
    const r = testRouter();
    const callee = await joined(r);
    const callers = [await joined(r), await joined(r)];
    await callee.register("com.p");
    await callee.register("com.q");
    sendCall(callers[0], 1, "com.p");
    sendCall(callers[0], 2, "com.q");
    sendCall(callers[1], 1, "com.p", { progress: true });
    assertEquals(callee.drain().length, 3);
    if (how === "disconnect") callee.disconnect();
    else if (how === "goodbye") await callee.leave();
    else if (how === "abort") callee.send([T.ABORT, {}, "wamp.close.normal"]);
    else callee.handle.overflow(1 << 20);
    const errs = [...callers[0].drain(), ...callers[1].drain()];
    assertEquals(errs.length, 3, how);
    for (const e of errs) assertEquals(errorUri(e), ErrorUri.CANCELED, how);
    assertEquals(errorUri(await callers[0].call("com.p")), ErrorUri.NO_SUCH_PROCEDURE, how);
    // a later chunk of the progressive call is a new call now, and finds no callee
    sendCall(callers[1], 1, "com.p", {}, ["last"]);
    assertEquals(errorUri(await callers[1].next()), ErrorUri.NO_SUCH_PROCEDURE, how);
  }
});

Deno.test("Dealer interrupts the callee when the caller leaves, and ignores the callee's answer", async () => {
  const r = testRouter();
  const callee = await joined(r);
  const plain = await joined(r, PLAIN);
  const caller = await joined(r);
  await callee.register("com.p");
  await plain.register("com.plain");
  sendCall(caller, 1, "com.p");
  sendCall(caller, 2, "com.plain");
  const inv = await callee.next();
  const inv2 = await plain.next();
  caller.disconnect();
  assertEquals(callee.drain(), [[T.INTERRUPT, inv[1], { mode: "killnowait" }]]);
  assertEquals(plain.drain(), [], "no INTERRUPT for a callee without call_canceling");
  callee.send([T.YIELD, inv[1], {}]);
  plain.send([T.YIELD, inv2[1], {}]);
  assertEquals(callee.drain(), []);
  assertEquals(plain.drain(), []);
  assert(!callee.closed && !plain.closed);
});

Deno.test("Dealer forwards a callee ERROR with its URI, args and kwargs", async () => {
  const r = testRouter();
  const callee = await joined(r);
  const caller = await joined(r);
  await callee.register("com.div");
  sendCall(caller, 4, "com.div", {}, [1, 0]);
  const inv = await callee.next();
  callee.send([T.ERROR, T.INVOCATION, inv[1], { ignored: 1 }, "com.error.div_by_zero", ["no"], {
    a: 0,
  }]);
  assertEquals(await caller.next(), [T.ERROR, T.CALL, 4, {}, "com.error.div_by_zero", ["no"], {
    a: 0,
  }]);
  sendCall(caller, 5, "com.div");
  const inv2 = await callee.next();
  callee.send([T.ERROR, T.INVOCATION, inv2[1], {}, "com.error.plain"]);
  assertEquals(await caller.next(), [T.ERROR, T.CALL, 5, {}, "com.error.plain"]);
  // a late answer for an invocation already answered is ignored
  callee.send([T.ERROR, T.INVOCATION, inv2[1], {}, "com.error.plain"]);
  callee.send([T.YIELD, inv2[1], {}]);
  assertEquals(await caller.result("wamp.session.count"), 2);
  assertEquals(caller.drain(), []);
  assertEquals(callee.drain(), []);
});

for (const answer of ["YIELD", "ERROR"] as const) {
  Deno.test(`Dealer aborts a callee that sends ${answer} for an INVOCATION request id it was never sent`, async () => {
    const r = testRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.p");
    sendCall(caller, 1, "com.p");
    const inv = await invocation(callee);
    callee.send([T.YIELD, inv[1], {}, ["ok"]]);
    assertEquals(await caller.next(), [T.RESULT, 1, {}, ["ok"]]);
    const never = (inv[1] as number) + 1;
    callee.send(
      answer === "YIELD"
        ? [T.YIELD, never, {}]
        : [T.ERROR, T.INVOCATION, never, {}, "com.error.plain"],
    );
    const m = await callee.take((m) => m[0] === T.ABORT);
    assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION);
    assert(callee.closed);
    assertEquals(caller.drain(), []);
    assertEquals(await caller.result("wamp.session.count"), 1);
  });
}

Deno.test("Dealer aborts a caller that reuses the request id of a call in flight", async () => {
  const r = testRouter();
  const callee = await joined(r);
  const caller = await joined(r);
  const bystander = await joined(r);
  await callee.register("com.p");
  sendCall(caller, 1, "com.p");
  const inv = await callee.next();
  sendCall(caller, 1, "com.p");
  const m = await caller.take((m) => m[0] === T.ABORT);
  assertEquals(m[2], ErrorUri.PROTOCOL_VIOLATION);
  assert(caller.closed);
  // the callee got one INVOCATION, then the INTERRUPT for the caller that is gone
  assertEquals(callee.drain(), [[T.INTERRUPT, inv[1], { mode: "killnowait" }]]);
  assertEquals(await bystander.result("wamp.session.count"), 2);
});
