/**
 * The observations each third-party client scenario must make, shared by the
 * interop tests of every transport (WebSocket, RawSocket TCP and Unix).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ScriptResult } from "./_harness.ts";

/** Asserts one scenario's observations. */
export type Check = (r: ScriptResult["result"]) => void;

/** What each AutobahnJS scenario (tests/node/scenarios.mjs) must observe, on any transport. */
export const autobahnJsChecks: Record<string, Check> = {
  rpc(r) {
    assert.equal(r.sum, 5);
    assert.deepEqual(r.kw, { args: [3], kwargs: { got: { a: "b" } } });
    assert.deepEqual(r.err, {
      error: "com.example.error.bad",
      args: ["nope"],
      kwargs: { code: 7 },
    });
    assert.equal(r.missing, "wamp.error.no_such_procedure");
    assert.equal(r.dup, "wamp.error.procedure_already_exists");
    assert.equal(r.big, 2 ** 52 + 1);
    assert.equal(r.unicode, "grüß 🌍");
    assert.equal(r.welcome.authrole, "anonymous");
    assert.deepEqual(r.welcome.roles.sort(), ["broker", "dealer"]);
  },
  progressive(r) {
    assert.equal(r.res, "done");
    assert.deepEqual(r.progress, [0, 1, 2]);
    assert.deepEqual(r.res2, { r: "done", n: 2 });
  },
  pubsub(r) {
    assert.equal(r.ackIsId, true);
    // s1 gets a, b, d? no: d is eligible only for s2; c excludes s2
    assert.deepEqual(r.got1, ["a", "b", "c", "e"]);
    assert.deepEqual(r.got1kw, { k: 1 });
    assert.deepEqual(r.got2, ["a", "b", "d", "e"]);
    assert.deepEqual(r.gotPub, ["b"]);
    assert.equal(r.disclosed, true);
    assert.equal(r.notDisclosed, true);
    assert.equal(r.denied, "wamp.error.not_authorized");
    assert.equal(r.badUri, "wamp.error.invalid_uri");
  },
  patterns(r) {
    // "com..update" (3 components) matches com.other.update, not com.example.x.update.
    // (AutobahnJS fills details.topic itself for exact subscriptions.)
    assert.deepEqual(r.events, [
      { m: "exact", topic: "com.example.x.update" },
      { m: "prefix", topic: "com.example.x.update" },
      { m: "wildcard", topic: "com.other.update" },
    ]);
    assert.deepEqual(r.calls, [
      "exact:com.example.exact", // AutobahnJS fills details.procedure itself for exact registrations
      "prefix:com.example.foo.bar",
      "wildcard:com.thing.get",
    ]);
  },
  shared(r) {
    assert.deepEqual(r.rr, ["c1", "c2", "c1", "c2"]);
    assert.equal(r.first, "c1");
    assert.equal(r.last, "c2");
    assert.equal(r.mismatch, "wamp.error.procedure_already_exists");
    assert.equal(r.afterLeave, "c2");
  },
  disclosure(r) {
    assert.deepEqual(r.hidden, { caller: null, authrole: null });
    assert.equal(r.shown, true);
    assert.equal(r.role, "anonymous");
  },
  timeoutCancel(r) {
    assert.equal(r.timedOut, "wamp.error.timeout");
    assert.ok(r.elapsed >= 190 && r.elapsed < 1400, `timeout after ${r.elapsed} ms`);
    assert.equal(r.canceled, "wamp.error.canceled");
    assert.equal(r.fast, "ok");
  },
  calleeLeaves(r) {
    assert.equal(r.error, "wamp.error.canceled");
  },
  meta(r) {
    assert.equal(r.count, 2);
    assert.equal(r.listHas, true);
    assert.equal(r.infoSession, true);
    assert.equal(r.infoAuthrole, "anonymous");
    assert.equal(r.callees, true);
    assert.equal(r.noSession, "wamp.error.no_such_session");
    assert.equal(r.killed, null);
    assert.equal(r.countAfter, 1);
  },
  retained(r) {
    assert.deepEqual(r.got, [{ v: "v2", retained: true }]);
  },
};

/** What each Autobahn|Python scenario (tests/python/scenarios.py) must observe, on any transport. */
export const autobahnPythonChecks: Record<string, Check> = {
  rpc(x) {
    assert.equal(x.sum, 5);
    assert.equal(x.big, 2 ** 52 + 1);
    assert.deepEqual(x.err, {
      error: "com.example.error.bad",
      args: ["nope"],
      kwargs: { code: 7 },
    });
    assert.equal(x.missing, "wamp.error.no_such_procedure");
    assert.equal(x.progressive, "done");
    assert.deepEqual(x.progress, [0, 1, 2]);
    assert.equal(x.authrole, "anonymous");
  },
  pubsub(x) {
    assert.equal(x.ack, true);
    assert.deepEqual(x.got, [[[1, "two"], { k: 3 }]]);
    assert.deepEqual(x.pattern, ["com.example.other", "com.example.topic"]);
  },
  cancel(x) {
    assert.equal(x.timeout, "wamp.error.timeout");
    assert.ok(x.canceled === "cancelled" || x.canceled === "wamp.error.canceled", x.canceled);
    assert.equal(x.interrupted, true);
  },
};
