import assert from "node:assert/strict";
import { ApplicationError } from "../wamp/errors.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { Router } from "./router.ts";
import { InternalCaller, internalCallerFor } from "./internal_caller.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import { CallResult } from "../client/call_result.ts";

async function setup() {
  const router = new Router({ handshakeTimeoutMs: 0, realms: [{ name: "realm1" }] });
  const realm = router.realm("realm1")!;
  const callee = await joinSession(localPair(router), "realm1");
  return { router, realm, callee };
}

Deno.test("InternalCaller.call() resolves with RESULT args and kwargs", async () => {
  const { realm, callee } = await setup();
  await callee.register("com.echo", (args, kwargs) => new CallResult(args, kwargs));
  const r = await new InternalCaller(realm).call("com.echo", [1, "a"], { k: true });
  assert.deepEqual(r, { args: [1, "a"], kwargs: { k: true } });
  const empty = await internalCallerFor(realm).call("com.echo");
  assert.deepEqual(empty, { args: [], kwargs: {} });
  await callee.leave();
});

Deno.test("InternalCaller.call() rejects with the callee's ApplicationError", async () => {
  const { realm, callee } = await setup();
  await callee.register("com.fail", () => {
    throw new ApplicationError("com.example.nope", { args: ["why"], kwargs: { code: 7 } });
  });
  const caller = internalCallerFor(realm);
  await assert.rejects(caller.call("com.fail"), (e: unknown) => {
    assert.ok(e instanceof ApplicationError);
    assert.equal(e.uri, "com.example.nope");
    assert.deepEqual(e.args, ["why"]);
    assert.deepEqual(e.kwargs, { code: 7 });
    return true;
  });
  await assert.rejects(caller.call("com.missing"), { uri: ErrorUri.NO_SUCH_PROCEDURE });
  assert.equal(caller.pending, 0);
  await callee.leave();
});

Deno.test("InternalCaller.call() times out, and the callee's invocation is interrupted", async () => {
  const { realm, callee } = await setup();
  let interrupted!: () => void;
  const wasInterrupted = new Promise<void>((r) => (interrupted = r));
  await callee.register("com.slow", (_a, _k, details) =>
    new Promise((_resolve, reject) => {
      details.signal.addEventListener("abort", () => {
        interrupted();
        reject(new ApplicationError(ErrorUri.CANCELED));
      });
    }));
  await assert.rejects(
    internalCallerFor(realm).call("com.slow", [], undefined, { timeoutMs: 30 }),
    { uri: ErrorUri.TIMEOUT },
  );
  await wasInterrupted;
  await callee.leave();
});

Deno.test("InternalCaller.call() is canceled when the callee leaves", async () => {
  const { realm, callee } = await setup();
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  await callee.register("com.hang", () => {
    started();
    return new Promise(() => {});
  });
  const p = internalCallerFor(realm).call("com.hang");
  await running;
  callee.abort("com.example.bye");
  await assert.rejects(p, { uri: ErrorUri.CANCELED });
});

Deno.test("InternalCaller is no session: not counted, and disclosed as xbar/trusted", async () => {
  const { realm, callee } = await setup();
  await callee.register("com.who", (_a, _k, d) => [d.caller_authid, d.caller_authrole], {
    disclose_caller: true,
  });
  const r = await internalCallerFor(realm).call("com.who");
  assert.deepEqual(r.args, [["xbar", "trusted"]]);
  const count = await callee.call("wamp.session.count");
  assert.deepEqual(count.args, [1]);
  await callee.leave();
});

Deno.test("InternalCaller.call() discloses xbar/trusted to a callee that asks, and no caller session id", async () => {
  const { realm, callee } = await setup();
  let seen: Record<string, unknown> | undefined;
  await callee.register("com.who", (_a, _k, details) => {
    seen = { ...details };
    return null;
  }, { disclose_caller: true });
  await internalCallerFor(realm).call("com.who");
  assert.equal(seen?.caller_authid, "xbar");
  assert.equal(seen?.caller_authrole, "trusted");
  assert.equal(seen?.caller, undefined);
  await callee.leave();
});
