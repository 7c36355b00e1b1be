import assert from "node:assert/strict";
import { openSession } from "./_fake_router.ts";
import { SessionClosedError } from "./session_closed_error.ts";

Deno.test("Session.leave() sends GOODBYE, waits for the router's GOODBYE, closes the transport", async () => {
  const { conn, session } = await openSession();
  const left: string[] = [];
  session.onleave = (reason) => left.push(reason);
  const info = await session.leave("wamp.close.normal", "bye");
  assert.deepEqual(await conn.next(), [6, { message: "bye" }, "wamp.close.normal"]);
  assert.equal(info.reason, "wamp.close.goodbye_and_out");
  assert.deepEqual(left, ["wamp.close.goodbye_and_out"]);
  assert.equal(session.isOpen, false);
  await conn.whenClosed();
  assert.equal(conn.closedCalls, 1);
  assert.equal(await session.leave(), info); // idempotent
});

Deno.test("Session.leave() gives up after leaveTimeout when the router never answers", async () => {
  const { conn, session } = await openSession({ autoGoodbye: false, leaveTimeout: 10 });
  const info = await session.leave();
  assert.equal(info.reason, "wamp.close.normal");
  await conn.whenClosed();
});

Deno.test("A router GOODBYE is answered with goodbye_and_out and ends the session", async () => {
  const { conn, session } = await openSession();
  conn.send([6, { message: "shutting down" }, "wamp.close.system_shutdown"]);
  const info = await session.closed;
  assert.equal(info.reason, "wamp.close.system_shutdown");
  assert.deepEqual(info.details, { message: "shutting down" });
  assert.deepEqual(await conn.next(), [6, {}, "wamp.close.goodbye_and_out"]);
});

Deno.test("When the transport closes, every outstanding request rejects and nothing hangs", async () => {
  const { conn, session } = await openSession();
  const call = session.call("a");
  const reg = session.register("b", () => 1);
  const sub = session.subscribe("c", () => {});
  const pub = session.publish("d", [], {}, { acknowledge: true });
  const pc = session.callProgressive("e");
  pc.send([1]);
  // a running invocation sees its signal abort
  const regP = session.register(
    "f",
    (_a, _k, d) => new Promise((r) => d.signal.addEventListener("abort", r)),
  );
  for (let i = 0; i < 6; i++) await conn.next();
  conn.send([65, 6 + 0, 77]); // id of the register("f") request is 6 (sequential ids from 1)
  const inv = await regP;
  assert.equal(inv.id, 77);
  conn.send([68, 1, 77, {}]);
  await new Promise((r) => setTimeout(r, 0));
  const left = new Promise<string>((resolve) => (session.onleave = resolve));
  conn.peer.close();
  for (const p of [call, reg, sub, pub, pc.result]) {
    await assert.rejects(
      p,
      (e: unknown) => e instanceof SessionClosedError && e.reason === "xbar.close.transport_lost",
    );
  }
  assert.equal(await left, "xbar.close.transport_lost");
  assert.equal(inv.active, false);
  await assert.rejects(session.call("late"), SessionClosedError);
  await assert.rejects(session.publish("late"), SessionClosedError);
  assert.throws(() => session.callProgressive("late"), SessionClosedError);
});

Deno.test("An ABORT from the router ends the session with its reason", async () => {
  const { conn, session } = await openSession();
  const call = session.call("a");
  await conn.next();
  conn.send([3, { message: "kicked" }, "wamp.close.killed"]);
  await assert.rejects(
    call,
    (e: unknown) => e instanceof SessionClosedError && e.reason === "wamp.close.killed",
  );
  assert.equal((await session.closed).reason, "wamp.close.killed");
  await conn.whenClosed();
});

Deno.test("A message a router must never send makes the client ABORT with protocol_violation", async () => {
  const { conn, session } = await openSession();
  conn.send([48, 1, {}, "x"] as never);
  const info = await session.closed;
  assert.equal(info.reason, "wamp.error.protocol_violation");
  const abort = await conn.next();
  assert.equal(abort[0], 3);
  assert.equal(abort[2], "wamp.error.protocol_violation");
});

Deno.test("Session.leave() rejects outstanding requests at once", async () => {
  const { conn, session } = await openSession();
  const call = session.call("a");
  await conn.next();
  const leaving = session.leave();
  await assert.rejects(call, SessionClosedError);
  await leaving;
});

Deno.test("Caller and callee on one fake router: a relayed call round-trips through both sessions", async () => {
  const a = await openSession();
  const b = await openSession();
  const reg = b.session.register("com.x.add", (args) => (args[0] as number) + (args[1] as number));
  const regMsg = await b.conn.next();
  b.conn.send([65, regMsg[1] as number, 1]);
  await reg;
  const p = a.session.call("com.x.add", [2, 3]);
  const call = await a.conn.next();
  b.conn.send([68, 100, 1, {}, call[4] as unknown[]]);
  const y = await b.conn.next();
  a.conn.send([50, call[1] as number, {}, y[3] as unknown[]]);
  assert.deepEqual((await p).args, [5]);
  await a.session.leave();
  await b.session.leave();
});
