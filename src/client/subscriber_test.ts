import assert from "node:assert/strict";
import { ApplicationError } from "../wamp/errors.ts";
import type { Dict, List } from "../wamp/messages.ts";
import { openSession } from "./_fake_router.ts";
import type { EventDetails } from "./subscription.ts";

Deno.test("Session.subscribe() sends SUBSCRIBE with options and delivers EVENTs with details", async () => {
  const { conn, session } = await openSession();
  const got: [List, Dict, EventDetails][] = [];
  const p = session.subscribe("com.x.", (a, k, d) => {
    got.push([a, k, d]);
  }, { match: "prefix" });
  const sub = await conn.next();
  assert.deepEqual(sub, [32, sub[1], { match: "prefix" }, "com.x."]);
  conn.send([33, sub[1] as number, 700]);
  const s = await p;
  assert.equal(s.id, 700);
  assert.equal(s.topic, "com.x.");
  conn.send([36, 700, 9001, { topic: "com.x.y", publisher: 5 }, [1], { a: 2 }]);
  conn.send([36, 700, 9002, {}]);
  await new Promise((r) => setTimeout(r, 0));
  await session.leave();
  assert.equal(got.length, 2);
  assert.deepEqual(got[0][0], [1]);
  assert.deepEqual(got[0][1], { a: 2 });
  assert.equal(got[0][2].publication, 9001);
  assert.equal(got[0][2].topic, "com.x.y");
  assert.equal(got[0][2].publisher, 5);
  assert.deepEqual([got[1][0], got[1][1], got[1][2].topic], [[], {}, "com.x."]);
});

Deno.test("Session.subscribe() rejects with ApplicationError on ERROR", async () => {
  const { conn, session } = await openSession();
  const p = session.subscribe("bad..uri", () => {});
  const sub = await conn.next();
  conn.send([8, 32, sub[1] as number, {}, "wamp.error.invalid_uri"]);
  await assert.rejects(
    p,
    (e: unknown) => e instanceof ApplicationError && e.uri === "wamp.error.invalid_uri",
  );
  await session.leave();
});

Deno.test("Two handlers on one subscription id both get events; UNSUBSCRIBE goes out only for the last", async () => {
  const { conn, session } = await openSession();
  const got: string[] = [];
  const pa = session.subscribe("t", () => {
    got.push("a");
  });
  const pb = session.subscribe("t", () => {
    got.push("b");
  });
  const ma = await conn.next();
  const mb = await conn.next();
  conn.send([33, ma[1] as number, 7]);
  conn.send([33, mb[1] as number, 7]);
  const [a, b] = await Promise.all([pa, pb]);
  conn.send([36, 7, 1, {}]);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(got, ["a", "b"]);
  await a.unsubscribe(); // b still listens: nothing sent
  conn.send([36, 7, 2, {}]);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(got, ["a", "b", "b"]);
  const pu = b.unsubscribe();
  const un = await conn.next();
  assert.deepEqual(un, [34, un[1], 7]);
  conn.send([36, 7, 3, {}]); // in flight before UNSUBSCRIBED: not delivered
  conn.send([35, un[1] as number]);
  await pu;
  assert.deepEqual(got, ["a", "b", "b"]);
  await session.leave();
});

Deno.test("An event handler that throws or rejects goes to onerror; other handlers still run", async () => {
  const errors: unknown[] = [];
  const { conn, session } = await openSession({ onerror: (e) => errors.push(e) });
  let ok = 0;
  const p1 = session.subscribe("t", () => {
    throw new Error("sync");
  });
  const p2 = session.subscribe("t", () => Promise.reject(new Error("async")));
  const p3 = session.subscribe("t", () => {
    ok++;
  });
  for (let i = 0; i < 3; i++) {
    const m = await conn.next();
    conn.send([33, m[1] as number, 7]);
  }
  await Promise.all([p1, p2, p3]);
  conn.send([36, 7, 1, {}]);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(ok, 1);
  assert.deepEqual(errors.map((e) => (e as Error).message), ["sync", "async"]);
  await session.leave();
});

Deno.test("UNSUBSCRIBED with request 0 revokes the subscription and calls onrevoke", async () => {
  const { conn, session } = await openSession();
  const p = session.subscribe("t", () => {});
  const m = await conn.next();
  conn.send([33, m[1] as number, 7]);
  const s = await p;
  const revoked = new Promise<string | undefined>((resolve) => (s.onrevoke = resolve));
  conn.send([35, 0, { subscription: 7, reason: "wamp.close.killed" }]);
  assert.equal(await revoked, "wamp.close.killed");
  assert.equal(s.active, false);
  await session.leave();
});

Deno.test("Session.publish() sends PUBLISH and resolves at once without acknowledge", async () => {
  const { conn, session } = await openSession();
  const r = await session.publish("t", [1], { k: 2 }, { exclude_me: false, eligible: [5] });
  assert.equal(r, undefined);
  const m = await conn.next();
  assert.deepEqual(m, [16, m[1], { exclude_me: false, eligible: [5] }, "t", [1], { k: 2 }]);
  await session.publish("t");
  assert.deepEqual((await conn.next()).slice(2), [{}, "t"]);
  await session.leave();
});

Deno.test("Session.publish({acknowledge: true}) resolves with the publication id, rejects on ERROR", async () => {
  const { conn, session } = await openSession();
  const p = session.publish("t", [], {}, { acknowledge: true });
  const m = await conn.next();
  conn.send([17, m[1] as number, 4242]);
  assert.equal(await p, 4242);
  const p2 = session.publish("forbidden", [], {}, { acknowledge: true });
  const m2 = await conn.next();
  conn.send([8, 16, m2[1] as number, {}, "wamp.error.not_authorized"]);
  await assert.rejects(
    p2,
    (e: unknown) => e instanceof ApplicationError && e.uri === "wamp.error.not_authorized",
  );
  await session.leave();
});
