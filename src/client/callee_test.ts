import assert from "node:assert/strict";
import { ApplicationError } from "../wamp/errors.ts";
import type { Message } from "../wamp/messages.ts";
import { type FakeConn, openSession } from "./_fake_router.ts";
import { CallResult } from "./call_result.ts";
import type { InvocationDetails } from "./invocation_details.ts";
import type { ProcedureHandler, RegisterOptions, Registration } from "./registration.ts";
import type { Session } from "./session.ts";

async function registered(
  conn: FakeConn,
  session: Session,
  procedure: string,
  handler: ProcedureHandler,
  options?: RegisterOptions,
  id = 501,
): Promise<[Registration, Message]> {
  const p = session.register(procedure, handler, options);
  const reg = await conn.next();
  conn.send([65, reg[1] as number, id]);
  return [await p, reg];
}

Deno.test("Session.register() sends REGISTER with options and resolves with the Registration", async () => {
  const { conn, session } = await openSession();
  const [reg, msg] = await registered(conn, session, "com.x.", () => 1, {
    match: "prefix",
    invoke: "roundrobin",
  });
  assert.deepEqual(msg, [64, msg[1], { match: "prefix", invoke: "roundrobin" }, "com.x."]);
  assert.equal(reg.id, 501);
  assert.equal(reg.procedure, "com.x.");
  assert.equal(reg.active, true);
  await session.leave();
});

Deno.test("Session.register() rejects with ApplicationError on ERROR", async () => {
  const { conn, session } = await openSession();
  const p = session.register("com.x.a", () => 1);
  const msg = await conn.next();
  conn.send([8, 64, msg[1] as number, {}, "wamp.error.procedure_already_exists"]);
  await assert.rejects(
    p,
    (e: unknown) =>
      e instanceof ApplicationError && e.uri === "wamp.error.procedure_already_exists",
  );
  await session.leave();
});

Deno.test("INVOCATION: a returned value is sent as YIELD [value]; CallResult as args/kwargs; undefined as nothing", async () => {
  const { conn, session } = await openSession();
  await registered(conn, session, "one", (args) => (args[0] as number) + 1, undefined, 1);
  await registered(
    conn,
    session,
    "many",
    (_a, kw) => new CallResult([1, 2], { k: kw.k }),
    undefined,
    2,
  );
  await registered(conn, session, "none", () => undefined, undefined, 3);
  conn.send([68, 11, 1, {}, [41]]);
  conn.send([68, 12, 2, {}, [], { k: "v" }]);
  conn.send([68, 13, 3, {}]);
  assert.deepEqual(await conn.next(), [70, 11, {}, [42]]);
  assert.deepEqual(await conn.next(), [70, 12, {}, [1, 2], { k: "v" }]);
  assert.deepEqual(await conn.next(), [70, 13, {}]);
  await session.leave();
});

Deno.test("INVOCATION: the handler gets args, kwargs and details (procedure, caller, registration)", async () => {
  const { conn, session } = await openSession();
  let seen: InvocationDetails | undefined;
  await registered(
    conn,
    session,
    "com.x.",
    (_a, _k, d) => {
      seen = d;
    },
    { match: "prefix" },
    9,
  );
  conn.send([68, 5, 9, {
    procedure: "com.x.y",
    caller: 77,
    caller_authid: "alice",
    caller_authrole: "user",
  }]);
  await conn.next();
  assert.ok(seen !== undefined);
  assert.equal(seen.procedure, "com.x.y");
  assert.equal(seen.caller, 77);
  assert.equal(seen.caller_authid, "alice");
  assert.equal(seen.caller_authrole, "user");
  assert.equal(seen.registration, 9);
  assert.equal(seen.request, 5);
  assert.equal(seen.progressive, false);
  assert.equal(seen.progress, undefined);
  await session.leave();
});

Deno.test("INVOCATION: an async handler's value is yielded when it resolves", async () => {
  const { conn, session } = await openSession();
  await registered(conn, session, "slow", async (args) => {
    await new Promise((r) => setTimeout(r, 5));
    return args[0];
  });
  conn.send([68, 1, 501, {}, ["x"]]);
  assert.deepEqual(await conn.next(), [70, 1, {}, ["x"]]);
  await session.leave();
});

Deno.test("INVOCATION: a thrown ApplicationError is sent as ERROR with its uri, args and kwargs", async () => {
  const { conn, session } = await openSession();
  await registered(
    conn,
    session,
    "bad",
    () => {
      throw new ApplicationError("com.x.error.bad", { args: ["a"], kwargs: { b: 1 } });
    },
    undefined,
    1,
  );
  await registered(
    conn,
    session,
    "bad_async",
    () => {
      return Promise.reject(new ApplicationError("com.x.error.later"));
    },
    undefined,
    2,
  );
  conn.send([68, 1, 1, {}]);
  conn.send([68, 2, 2, {}]);
  assert.deepEqual(await conn.next(), [8, 68, 1, {}, "com.x.error.bad", ["a"], { b: 1 }]);
  assert.deepEqual(await conn.next(), [8, 68, 2, {}, "com.x.error.later"]);
  await session.leave();
});

Deno.test("INVOCATION: any other exception is sent as wamp.error.runtime_error with its message", async () => {
  const { conn, session } = await openSession();
  await registered(conn, session, "oops", () => {
    throw new TypeError("boom");
  });
  conn.send([68, 3, 501, {}]);
  assert.deepEqual(await conn.next(), [8, 68, 3, {}, "wamp.error.runtime_error", ["boom"]]);
  await session.leave();
});

Deno.test("INVOCATION for an unknown registration is answered with wamp.error.no_such_registration", async () => {
  const { conn, session } = await openSession();
  conn.send([68, 4, 999, {}]);
  const err = await conn.next();
  assert.deepEqual(err.slice(0, 5), [8, 68, 4, {}, "wamp.error.no_such_registration"]);
  await session.leave();
});

Deno.test("INVOCATION with receive_progress: details.progress() sends progressive YIELDs", async () => {
  const { conn, session } = await openSession();
  await registered(conn, session, "stream", async (_a, _k, d) => {
    d.progress!([1]);
    await Promise.resolve();
    d.progress!([2], { k: 1 });
    return "end";
  });
  conn.send([68, 8, 501, { receive_progress: true }]);
  assert.deepEqual(await conn.next(), [70, 8, { progress: true }, [1]]);
  assert.deepEqual(await conn.next(), [70, 8, { progress: true }, [2], { k: 1 }]);
  assert.deepEqual(await conn.next(), [70, 8, {}, ["end"]]);
  await session.leave();
});

Deno.test("INTERRUPT aborts the handler's signal and answers ERROR wamp.error.canceled", async () => {
  const { conn, session } = await openSession();
  let aborted: unknown;
  await registered(conn, session, "slow", (_a, _k, d) =>
    new Promise((resolve) => {
      d.signal.addEventListener("abort", () => {
        aborted = d.signal.reason;
        resolve("too late");
      });
    }));
  conn.send([68, 20, 501, {}]);
  await new Promise((r) => setTimeout(r, 0));
  conn.send([69, 20, { mode: "kill" }]);
  assert.deepEqual(await conn.next(), [8, 68, 20, {}, "wamp.error.canceled"]);
  assert.ok(aborted instanceof ApplicationError);
  await session.leave();
  assert.equal((await conn.next())[0], 6); // the handler's late result was not sent
});

Deno.test("INTERRUPT with killnowait aborts without an answer; its reason URI is used when given", async () => {
  const { conn, session } = await openSession();
  const reasons: string[] = [];
  await registered(conn, session, "slow", (_a, _k, d) =>
    new Promise((resolve) => {
      d.signal.addEventListener("abort", () => {
        reasons.push((d.signal.reason as ApplicationError).uri);
        resolve(undefined);
      });
    }));
  conn.send([68, 21, 501, {}]);
  conn.send([68, 22, 501, {}]);
  await new Promise((r) => setTimeout(r, 0));
  conn.send([69, 21, { mode: "killnowait" }]);
  conn.send([69, 22, { mode: "kill", reason: "wamp.error.timeout" }]);
  assert.deepEqual(await conn.next(), [8, 68, 22, {}, "wamp.error.timeout"]);
  assert.deepEqual(reasons, ["wamp.error.canceled", "wamp.error.timeout"]);
  await session.leave();
  assert.equal((await conn.next())[0], 6);
});

Deno.test("Progressive call invocations: the handler runs per chunk and the final chunk's value is yielded once", async () => {
  const { conn, session } = await openSession();
  const chunks: [unknown, boolean, number][] = [];
  await registered(conn, session, "upload", (args, _k, d) => {
    chunks.push([args[0], d.progressive, d.request]);
    if (!d.progressive) return chunks.map((c) => c[0]).join("");
  });
  conn.send([68, 30, 501, { progress: true }, ["a"]]);
  conn.send([68, 30, 501, { progress: true }, ["b"]]);
  conn.send([68, 30, 501, {}, ["c"]]);
  assert.deepEqual(await conn.next(), [70, 30, {}, ["abc"]]);
  assert.deepEqual(chunks, [["a", true, 30], ["b", true, 30], ["c", false, 30]]);
  await session.leave();
  assert.equal((await conn.next())[0], 6);
});

Deno.test("Progressive call invocations: a failing chunk ends the call with ERROR and later chunks are dropped", async () => {
  const { conn, session } = await openSession();
  let calls = 0;
  await registered(conn, session, "upload", () => {
    calls++;
    throw new ApplicationError("com.x.error.too_big");
  });
  conn.send([68, 31, 501, { progress: true }, [1]]);
  conn.send([68, 31, 501, { progress: true }, [2]]);
  conn.send([68, 31, 501, {}, [3]]);
  assert.deepEqual(await conn.next(), [8, 68, 31, {}, "com.x.error.too_big"]);
  await session.leave();
  assert.equal((await conn.next())[0], 6);
  assert.equal(calls, 1);
});

Deno.test("Progressive call invocations: INTERRUPT killnowait mid-stream aborts the shared signal", async () => {
  const { conn, session } = await openSession();
  const signals: AbortSignal[] = [];
  await registered(conn, session, "upload", (_a, _k, d) => {
    signals.push(d.signal);
  });
  conn.send([68, 32, 501, { progress: true }, [1]]);
  conn.send([68, 32, 501, { progress: true }, [2]]);
  await new Promise((r) => setTimeout(r, 0));
  conn.send([69, 32, { mode: "killnowait" }]);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(signals.length, 2);
  assert.equal(signals[0], signals[1]);
  assert.equal(signals[0].aborted, true);
  await session.leave();
  assert.equal((await conn.next())[0], 6);
});

Deno.test("Registration.unregister() sends UNREGISTER and resolves on UNREGISTERED", async () => {
  const { conn, session } = await openSession();
  const [reg] = await registered(conn, session, "a", () => 1);
  const p = reg.unregister();
  const msg = await conn.next();
  assert.deepEqual(msg, [66, msg[1], 501]);
  assert.equal(reg.active, false);
  conn.send([67, msg[1] as number]);
  await p;
  await reg.unregister(); // idempotent, sends nothing
  conn.send([68, 40, 501, {}]);
  assert.equal((await conn.next())[4], "wamp.error.no_such_registration");
  await session.leave();
});

Deno.test("UNREGISTERED with request 0 revokes the registration and calls onrevoke", async () => {
  const { conn, session } = await openSession();
  const [reg] = await registered(conn, session, "a", () => 1);
  const revoked = new Promise<string | undefined>((resolve) => (reg.onrevoke = resolve));
  conn.send([67, 0, { registration: 501, reason: "wamp.close.killed" }]);
  assert.equal(await revoked, "wamp.close.killed");
  assert.equal(reg.active, false);
  await session.leave();
});
