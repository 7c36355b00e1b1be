import assert from "node:assert/strict";
import { ApplicationError } from "../wamp/errors.ts";
import type { Dict, List } from "../wamp/messages.ts";
import { fullRouterRoles, openSession } from "./_fake_router.ts";
import { CallResult } from "./call_result.ts";

Deno.test("Session.call() sends CALL and resolves with the RESULT's args, kwargs and details", async () => {
  const { conn, session } = await openSession();
  const p = session.call("com.x.add", [2, 3], { z: 1 });
  const call = await conn.next();
  assert.deepEqual(call, [48, call[1], {}, "com.x.add", [2, 3], { z: 1 }]);
  conn.send([50, call[1] as number, { d: 1 }, [5], { ok: true }]);
  const r = await p;
  assert.ok(r instanceof CallResult);
  assert.deepEqual(r.args, [5]);
  assert.deepEqual(r.kwargs, { ok: true });
  assert.deepEqual(r.details, { d: 1 });
  await session.leave();
});

Deno.test("Session.call() omits empty payloads and gives [] / {} for a bare RESULT", async () => {
  const { conn, session } = await openSession();
  const p = session.call("com.x.noop");
  const call = await conn.next();
  assert.equal(call.length, 4);
  conn.send([50, call[1] as number, {}]);
  const r = await p;
  assert.deepEqual([r.args, r.kwargs], [[], {}]);
  const p2 = session.call("com.x.kw", undefined, { a: 1 });
  const call2 = await conn.next();
  assert.deepEqual(call2.slice(4), [[], { a: 1 }]);
  conn.send([50, call2[1] as number, {}]);
  await p2;
  await session.leave();
});

Deno.test("Session.call() uses a new request id per request and matches answers by id", async () => {
  const { conn, session } = await openSession();
  const a = session.call("a");
  const b = session.call("b");
  const ca = await conn.next();
  const cb = await conn.next();
  assert.notEqual(ca[1], cb[1]);
  conn.send([50, cb[1] as number, {}, ["b"]]);
  conn.send([50, ca[1] as number, {}, ["a"]]);
  assert.deepEqual((await a).args, ["a"]);
  assert.deepEqual((await b).args, ["b"]);
  await session.leave();
});

Deno.test("Session.call() rejects with ApplicationError(uri, args, kwargs) on ERROR", async () => {
  const { conn, session } = await openSession();
  const p = session.call("com.x.fail");
  const call = await conn.next();
  conn.send([8, 48, call[1] as number, {}, "com.x.error.bad", ["why"], { code: 7 }]);
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApplicationError);
    assert.equal(err.uri, "com.x.error.bad");
    assert.deepEqual(err.args, ["why"]);
    assert.deepEqual(err.kwargs, { code: 7 });
    assert.match(err.message, /com\.x\.error\.bad: why/);
    return true;
  });
  await session.leave();
});

Deno.test("Session.call() passes progressive results to onProgress, then resolves with the final one", async () => {
  const { conn, session } = await openSession();
  const progress: [List, Dict][] = [];
  const p = session.call("com.x.stream", [], undefined, {
    onProgress: (a, k) => progress.push([a, k]),
  });
  const call = await conn.next();
  assert.deepEqual(call[2], { receive_progress: true });
  const id = call[1] as number;
  conn.send([50, id, { progress: true }, [1]]);
  conn.send([50, id, { progress: true }, [2], { k: 2 }]);
  conn.send([50, id, {}, [3]]);
  assert.deepEqual((await p).args, [3]);
  assert.deepEqual(progress, [[[1], {}], [[2], { k: 2 }]]);
  await session.leave();
});

Deno.test("Session.call() sends timeout, disclose_me and extra options", async () => {
  const { conn, session } = await openSession();
  const p = session.call("a", undefined, undefined, {
    timeout: 1500,
    disclose_me: true,
    extra: { rkey: "k" },
  });
  const call = await conn.next();
  assert.deepEqual(call[2], { rkey: "k", timeout: 1500, disclose_me: true });
  conn.send([50, call[1] as number, {}]);
  await p;
  await session.leave();
});

Deno.test("Session.call() with an aborted signal sends CANCEL (killnowait) and rejects with wamp.error.canceled", async () => {
  const { conn, session } = await openSession();
  const ac = new AbortController();
  const p = session.call("slow", undefined, undefined, { signal: ac.signal });
  const call = await conn.next();
  ac.abort();
  await assert.rejects(
    p,
    (err: unknown) => err instanceof ApplicationError && err.uri === "wamp.error.canceled",
  );
  assert.deepEqual(await conn.next(), [49, call[1], { mode: "killnowait" }]);
  conn.send([8, 48, call[1] as number, {}, "wamp.error.canceled"]); // late answer: ignored
  await session.leave();
});

Deno.test("Session.call() with cancelMode kill waits for the router's answer", async () => {
  const { conn, session } = await openSession();
  const ac = new AbortController();
  const p = session.call("slow", undefined, undefined, { signal: ac.signal, cancelMode: "kill" });
  const call = await conn.next();
  ac.abort();
  assert.deepEqual(await conn.next(), [49, call[1], { mode: "kill" }]);
  conn.send([50, call[1] as number, {}, ["finished anyway"]]);
  assert.deepEqual((await p).args, ["finished anyway"]);
  await session.leave();
});

Deno.test("Session.call() with an already aborted signal rejects without sending", async () => {
  const { conn, session } = await openSession();
  await assert.rejects(
    session.call("a", [], {}, { signal: AbortSignal.abort() }),
    ApplicationError,
  );
  await session.leave();
  assert.equal((await conn.next())[0], 6); // GOODBYE: no CALL was sent
});

Deno.test("Session.call() times out locally when the router does not announce call_timeout", async () => {
  const roles = fullRouterRoles() as { dealer: { features: Dict } };
  delete roles.dealer.features.call_timeout;
  const { conn, session } = await openSession({ welcome: { roles } });
  const p = session.call("slow", undefined, undefined, { timeout: 20 });
  const call = await conn.next();
  assert.equal((call[2] as Dict).timeout, 20);
  await assert.rejects(
    p,
    (err: unknown) => err instanceof ApplicationError && err.uri === "wamp.error.timeout",
  );
  assert.deepEqual(await conn.next(), [49, call[1], { mode: "killnowait" }]);
  await session.leave();
});

Deno.test("Session.call() leaves the timeout to a router that announces call_timeout", async () => {
  const { conn, session } = await openSession();
  const p = session.call("slow", undefined, undefined, { timeout: 5 });
  const call = await conn.next();
  await new Promise((r) => setTimeout(r, 20));
  conn.send([8, 48, call[1] as number, {}, "wamp.error.timeout"]);
  await assert.rejects(
    p,
    (err: unknown) => err instanceof ApplicationError && err.uri === "wamp.error.timeout",
  );
  await session.leave();
});

Deno.test("Session.callProgressive() sends chunks with one request id, options first, final without progress", async () => {
  const { conn, session } = await openSession();
  const pc = session.callProgressive("com.x.upload", { disclose_me: true, receive_progress: true });
  pc.send(["a"]);
  pc.send(["b"], { n: 2 });
  const done = pc.end(["c"]);
  assert.equal(pc.ended, true);
  const c1 = await conn.next();
  const c2 = await conn.next();
  const c3 = await conn.next();
  assert.deepEqual(c1, [
    48,
    pc.request,
    { disclose_me: true, receive_progress: true, progress: true },
    "com.x.upload",
    ["a"],
  ]);
  assert.deepEqual(c2, [48, pc.request, { progress: true }, "com.x.upload", ["b"], { n: 2 }]);
  assert.deepEqual(c3, [48, pc.request, {}, "com.x.upload", ["c"]]);
  assert.throws(() => pc.send(["d"]), /already ended/);
  conn.send([50, pc.request, {}, ["abc"]]);
  assert.deepEqual((await done).args, ["abc"]);
  await session.leave();
});

Deno.test("Session.callProgressive(): an ERROR mid-stream rejects result and drops later chunks", async () => {
  const { conn, session } = await openSession();
  const pc = session.callProgressive("com.x.upload");
  pc.send([1]);
  const c1 = await conn.next();
  conn.send([8, 48, c1[1] as number, {}, "wamp.error.feature_not_supported"]);
  await assert.rejects(pc.result, ApplicationError);
  pc.send([2]);
  await session.leave();
  assert.equal((await conn.next())[0], 6); // GOODBYE: chunk 2 was dropped
});

Deno.test("Session.callProgressive() throws feature_not_supported when the dealer does not announce it", async () => {
  const { session } = await openSession({ welcome: { roles: { dealer: { features: {} } } } });
  assert.throws(() => session.callProgressive("x"), (err: unknown) => {
    return err instanceof ApplicationError && err.uri === "wamp.error.feature_not_supported";
  });
  await session.leave();
});

Deno.test("ProgressiveCall.cancel() sends CANCEL for the running call", async () => {
  const { conn, session } = await openSession();
  const pc = session.callProgressive("com.x.upload");
  pc.send([1]);
  await conn.next();
  pc.cancel("skip");
  assert.deepEqual(await conn.next(), [49, pc.request, { mode: "skip" }]);
  await assert.rejects(
    pc.result,
    (e: unknown) => e instanceof ApplicationError && e.uri === "wamp.error.canceled",
  );
  await session.leave();
});
