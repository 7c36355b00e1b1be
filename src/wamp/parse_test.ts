import assert from "node:assert/strict";
import { ProtocolViolation } from "./errors.ts";
import { MAX_ID } from "./ids.ts";
import { MessageType as T } from "./messages.ts";
import { parseMessage } from "./parse.ts";

const BIN = new Uint8Array([1, 2, 3]);

/** Valid messages: every type, minimal and with optional parts. */
const valid: [string, unknown[]][] = [
  ["HELLO", [T.HELLO, "realm1", { roles: { caller: {} } }]],
  ["WELCOME", [T.WELCOME, MAX_ID, { roles: { broker: {} } }]],
  ["ABORT", [T.ABORT, { message: "no" }, "wamp.error.no_such_realm"]],
  ["CHALLENGE", [T.CHALLENGE, "wampcra", { challenge: "x" }]],
  ["AUTHENTICATE", [T.AUTHENTICATE, "sig", {}]],
  ["GOODBYE", [T.GOODBYE, {}, "wamp.close.normal"]],
  ["ERROR minimal", [T.ERROR, T.CALL, 1, {}, "wamp.error.no_such_procedure"]],
  ["ERROR with args", [T.ERROR, T.INVOCATION, 2, {}, "app.error", ["x"]]],
  ["ERROR with args and kwargs", [T.ERROR, T.SUBSCRIBE, 3, {}, "app.error", [], { a: 1 }]],
  ["ERROR for UNSUBSCRIBE", [T.ERROR, T.UNSUBSCRIBE, 3, {}, "e"]],
  ["ERROR for PUBLISH", [T.ERROR, T.PUBLISH, 3, {}, "e"]],
  ["ERROR for REGISTER", [T.ERROR, T.REGISTER, 3, {}, "e"]],
  ["ERROR for UNREGISTER", [T.ERROR, T.UNREGISTER, 3, {}, "e"]],
  ["PUBLISH minimal", [T.PUBLISH, 1, {}, "com.topic"]],
  ["PUBLISH with args", [T.PUBLISH, 1, { acknowledge: true }, "com.topic", [1, "two", BIN]]],
  ["PUBLISH with args and kwargs", [T.PUBLISH, 1, {}, "com.topic", [], { k: [1] }]],
  ["PUBLISHED", [T.PUBLISHED, 1, 2 ** 52]],
  ["SUBSCRIBE", [T.SUBSCRIBE, 1, { match: "prefix" }, "com."]],
  ["SUBSCRIBED", [T.SUBSCRIBED, 1, 77]],
  ["UNSUBSCRIBE", [T.UNSUBSCRIBE, 2, 77]],
  ["UNSUBSCRIBED", [T.UNSUBSCRIBED, 2]],
  ["UNSUBSCRIBED router-initiated", [T.UNSUBSCRIBED, 0, { subscription: 77, reason: "x" }]],
  ["UNSUBSCRIBED with request and details", [T.UNSUBSCRIBED, 2, {}]],
  ["EVENT minimal", [T.EVENT, 77, 88, {}]],
  ["EVENT with args and kwargs", [T.EVENT, 77, 88, {}, ["a"], { b: null }]],
  ["CALL minimal", [T.CALL, 1, {}, "com.proc"]],
  ["CALL with args", [T.CALL, 1, {}, "com.proc", [1, 2]]],
  ["CALL with args and kwargs", [T.CALL, 1, { timeout: 1000 }, "com.proc", [], { x: 1 }]],
  ["CANCEL", [T.CANCEL, 1, { mode: "kill" }]],
  ["RESULT minimal", [T.RESULT, 1, {}]],
  ["RESULT with args and kwargs", [T.RESULT, 1, { progress: true }, [3], { y: 2 }]],
  ["REGISTER", [T.REGISTER, 1, {}, "com.proc"]],
  ["REGISTERED", [T.REGISTERED, 1, 99]],
  ["UNREGISTER", [T.UNREGISTER, 2, 99]],
  ["UNREGISTERED", [T.UNREGISTERED, 2]],
  ["UNREGISTERED router-initiated", [T.UNREGISTERED, 0, { registration: 99 }]],
  ["INVOCATION minimal", [T.INVOCATION, 5, 99, {}]],
  ["INVOCATION with args and kwargs", [T.INVOCATION, 5, 99, {}, [1], { z: 3 }]],
  ["INTERRUPT", [T.INTERRUPT, 5, { mode: "killnowait" }]],
  ["YIELD minimal", [T.YIELD, 5, {}]],
  ["YIELD with args and kwargs", [T.YIELD, 5, {}, ["r"], { s: 1 }]],
  ["CALL with a null-prototype dict", [T.CALL, 1, Object.create(null), "p"]],
];

for (const [name, msg] of valid) {
  Deno.test(`parseMessage() accepts ${name}`, () => {
    assert.equal(parseMessage(msg), msg, "returns the same array, not a copy");
  });
}

class Klass {}

/** Invalid values and the exact text of the violation. */
const invalid: [string, unknown, string][] = [
  // shape
  ["a non-array", { 0: 48 }, "message must be an array, got dict"],
  ["null", null, "message must be an array, got null"],
  ["a string", "[48]", "message must be an array, got string"],
  ["an empty array", [], "message must not be an empty array"],
  ["an unknown code", [99, 1], "unknown message type 99"],
  ["the retired HEARTBEAT code", [7, 1, 1], "unknown message type 7"],
  ["a string code", ["48", 1, {}, "p"], "element 0 (message type) must be an integer, got string"],
  ["a float code", [48.5, 1, {}, "p"], "element 0 (message type) must be an integer, got 48.5"],
  // arity
  ["HELLO too short", [T.HELLO, "realm1"], "HELLO: expected 3 elements, got 2"],
  ["HELLO too long", [T.HELLO, "realm1", {}, {}], "HELLO: expected 3 elements, got 4"],
  ["CALL too short", [T.CALL, 1, {}], "CALL: expected 4 to 6 elements, got 3"],
  ["CALL too long", [T.CALL, 1, {}, "p", [], {}, 7], "CALL: expected 4 to 6 elements, got 7"],
  ["ERROR too short", [T.ERROR, T.CALL, 1, {}], "ERROR: expected 5 to 7 elements, got 4"],
  ["RESULT too long", [T.RESULT, 1, {}, [], {}, 1], "RESULT: expected 3 to 5 elements, got 6"],
  ["YIELD too short", [T.YIELD, 1], "YIELD: expected 3 to 5 elements, got 2"],
  ["SUBSCRIBE with args", [T.SUBSCRIBE, 1, {}, "t", []], "SUBSCRIBE: expected 4 elements, got 5"],
  [
    "UNSUBSCRIBED too long",
    [T.UNSUBSCRIBED, 1, {}, 1],
    "UNSUBSCRIBED: expected 2 to 3 elements, got 4",
  ],
  ["UNREGISTERED too short", [T.UNREGISTERED], "UNREGISTERED: expected 2 to 3 elements, got 1"],
  ["PUBLISHED too short", [T.PUBLISHED, 1], "PUBLISHED: expected 3 elements, got 2"],
  // ids
  [
    "request id 0",
    [T.CALL, 0, {}, "p"],
    "CALL: element 1 (Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "request id 2^53+2",
    [T.CALL, MAX_ID + 2, {}, "p"],
    "CALL: element 1 (Request) must be an id (integer in [1, 2^53]), got 9007199254740994",
  ],
  [
    "request id 2^53+1 (a bigint, as binary serializers decode it)",
    [T.CALL, 2n ** 53n + 1n, {}, "p"],
    "CALL: element 1 (Request) must be an id (integer in [1, 2^53]), got bigint 9007199254740993",
  ],
  [
    "a float id",
    [T.PUBLISH, 1.5, {}, "t"],
    "PUBLISH: element 1 (Request) must be an id (integer in [1, 2^53]), got 1.5",
  ],
  [
    "a negative id",
    [T.SUBSCRIBE, -1, {}, "t"],
    "SUBSCRIBE: element 1 (Request) must be an id (integer in [1, 2^53]), got -1",
  ],
  [
    "a string id",
    [T.REGISTER, "1", {}, "p"],
    "REGISTER: element 1 (Request) must be an id (integer in [1, 2^53]), got string",
  ],
  [
    "NaN as id",
    [T.UNREGISTER, NaN, 1],
    "UNREGISTER: element 1 (Request) must be an id (integer in [1, 2^53]), got NaN",
  ],
  [
    "a bigint id",
    [T.WELCOME, 2n ** 60n, {}],
    "WELCOME: element 1 (Session) must be an id (integer in [1, 2^53]), got bigint 1152921504606846976",
  ],
  [
    "a null id",
    [T.PUBLISHED, 1, null],
    "PUBLISHED: element 2 (Publication) must be an id (integer in [1, 2^53]), got null",
  ],
  [
    "subscription id 0 in EVENT",
    [T.EVENT, 0, 1, {}],
    "EVENT: element 1 (SUBSCRIBED.Subscription) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "publication id Infinity in EVENT",
    [T.EVENT, 1, Infinity, {}],
    "EVENT: element 2 (PUBLISHED.Publication) must be an id (integer in [1, 2^53]), got Infinity",
  ],
  [
    "registration id float in INVOCATION",
    [T.INVOCATION, 1, 2.5, {}],
    "INVOCATION: element 2 (REGISTERED.Registration) must be an id (integer in [1, 2^53]), got 2.5",
  ],
  [
    "subscription id 0 in UNSUBSCRIBE",
    [T.UNSUBSCRIBE, 1, 0],
    "UNSUBSCRIBE: element 2 (SUBSCRIBED.Subscription) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "SUBSCRIBED id 0",
    [T.SUBSCRIBED, 1, 0],
    "SUBSCRIBED: element 2 (Subscription) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "REGISTERED id 0",
    [T.REGISTERED, 0, 1],
    "REGISTERED: element 1 (REGISTER.Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "CANCEL id 0",
    [T.CANCEL, 0, {}],
    "CANCEL: element 1 (CALL.Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "INTERRUPT id -5",
    [T.INTERRUPT, -5, {}],
    "INTERRUPT: element 1 (INVOCATION.Request) must be an id (integer in [1, 2^53]), got -5",
  ],
  [
    "YIELD id 0",
    [T.YIELD, 0, {}],
    "YIELD: element 1 (INVOCATION.Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "RESULT id 0",
    [T.RESULT, 0, {}],
    "RESULT: element 1 (CALL.Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  [
    "ERROR request 0",
    [T.ERROR, T.CALL, 0, {}, "e"],
    "ERROR: element 2 (REQUEST.Request) must be an id (integer in [1, 2^53]), got 0",
  ],
  // UNSUBSCRIBED / UNREGISTERED request 0
  [
    "UNSUBSCRIBED request 0 without details",
    [T.UNSUBSCRIBED, 0],
    "UNSUBSCRIBED: element 1 (UNSUBSCRIBE.Request) may be 0 only when element 2 (Details) is present",
  ],
  [
    "UNREGISTERED request 0 without details",
    [T.UNREGISTERED, 0],
    "UNREGISTERED: element 1 (UNREGISTER.Request) may be 0 only when element 2 (Details) is present",
  ],
  [
    "UNREGISTERED request -1 with details",
    [T.UNREGISTERED, -1, {}],
    "UNREGISTERED: element 1 (UNREGISTER.Request) must be an id (integer in [1, 2^53]) or 0, got -1",
  ],
  [
    "UNSUBSCRIBED null details",
    [T.UNSUBSCRIBED, 0, null],
    "UNSUBSCRIBED: element 2 (Details) must be a dict, got null",
  ],
  // dicts
  ["a null dict", [T.CALL, 1, null, "p"], "CALL: element 2 (Options) must be a dict, got null"],
  ["an array as dict", [T.HELLO, "r", []], "HELLO: element 2 (Details) must be a dict, got array"],
  [
    "binary as dict",
    [T.WELCOME, 1, BIN],
    "WELCOME: element 2 (Details) must be a dict, got binary",
  ],
  [
    "a class instance as dict",
    [T.GOODBYE, new Klass(), "r"],
    "GOODBYE: element 1 (Details) must be a dict, got object Klass",
  ],
  [
    "a Map as dict",
    [T.ABORT, new Map(), "r"],
    "ABORT: element 1 (Details) must be a dict, got object Map",
  ],
  [
    "a string as dict",
    [T.CHALLENGE, "cra", "x"],
    "CHALLENGE: element 2 (Extra) must be a dict, got string",
  ],
  [
    "EVENT null details",
    [T.EVENT, 1, 2, null],
    "EVENT: element 3 (Details) must be a dict, got null",
  ],
  [
    "INVOCATION array details",
    [T.INVOCATION, 1, 2, []],
    "INVOCATION: element 3 (Details) must be a dict, got array",
  ],
  [
    "ERROR null details",
    [T.ERROR, T.CALL, 1, null, "e"],
    "ERROR: element 3 (Details) must be a dict, got null",
  ],
  [
    "SUBSCRIBE null options",
    [T.SUBSCRIBE, 1, null, "t"],
    "SUBSCRIBE: element 2 (Options) must be a dict, got null",
  ],
  [
    "YIELD array options",
    [T.YIELD, 1, [], []],
    "YIELD: element 2 (Options) must be a dict, got array",
  ],
  // strings
  [
    "a numeric procedure",
    [T.CALL, 1, {}, 42],
    "CALL: element 3 (Procedure) must be a string, got 42",
  ],
  [
    "a null topic",
    [T.PUBLISH, 1, {}, null],
    "PUBLISH: element 3 (Topic) must be a string, got null",
  ],
  [
    "a dict topic",
    [T.SUBSCRIBE, 1, {}, {}],
    "SUBSCRIBE: element 3 (Topic) must be a string, got dict",
  ],
  ["a numeric realm", [T.HELLO, 1, {}], "HELLO: element 1 (Realm) must be a string, got 1"],
  ["a null reason", [T.ABORT, {}, null], "ABORT: element 2 (Reason) must be a string, got null"],
  ["a numeric reason", [T.GOODBYE, {}, 1], "GOODBYE: element 2 (Reason) must be a string, got 1"],
  [
    "an array auth method",
    [T.CHALLENGE, [], {}],
    "CHALLENGE: element 1 (AuthMethod) must be a string, got array",
  ],
  [
    "a null signature",
    [T.AUTHENTICATE, null, {}],
    "AUTHENTICATE: element 1 (Signature) must be a string, got null",
  ],
  [
    "a numeric error uri",
    [T.ERROR, T.CALL, 1, {}, 5],
    "ERROR: element 4 (Error) must be a string, got 5",
  ],
  [
    "a numeric procedure in REGISTER",
    [T.REGISTER, 1, {}, 5],
    "REGISTER: element 3 (Procedure) must be a string, got 5",
  ],
  // payload
  [
    "kwargs without args (CALL)",
    [T.CALL, 1, {}, "p", { a: 1 }],
    "CALL: element 4 (Arguments) must be a list, got dict",
  ],
  [
    "kwargs without args (RESULT)",
    [T.RESULT, 1, {}, { a: 1 }],
    "RESULT: element 3 (Arguments) must be a list, got dict",
  ],
  [
    "null args",
    [T.PUBLISH, 1, {}, "t", null],
    "PUBLISH: element 4 (Arguments) must be a list, got null",
  ],
  [
    "null args before kwargs",
    [T.EVENT, 1, 2, {}, null, {}],
    "EVENT: element 4 (Arguments) must be a list, got null",
  ],
  ["binary args", [T.YIELD, 1, {}, BIN], "YIELD: element 3 (Arguments) must be a list, got binary"],
  [
    "array kwargs",
    [T.INVOCATION, 1, 2, {}, [], []],
    "INVOCATION: element 5 (ArgumentsKw) must be a dict, got array",
  ],
  [
    "null kwargs",
    [T.CALL, 1, {}, "p", [], null],
    "CALL: element 5 (ArgumentsKw) must be a dict, got null",
  ],
  [
    "string args in ERROR",
    [T.ERROR, T.CALL, 1, {}, "e", "x"],
    "ERROR: element 5 (Arguments) must be a list, got string",
  ],
  [
    "null kwargs in ERROR",
    [T.ERROR, T.CALL, 1, {}, "e", [], null],
    "ERROR: element 6 (ArgumentsKw) must be a dict, got null",
  ],
  // ERROR request type
  [
    "ERROR for RESULT",
    [T.ERROR, T.RESULT, 1, {}, "e"],
    "ERROR: element 1 (REQUEST.Type) must be one of SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION (32, 34, 16, 64, 66, 48, 68), got 50",
  ],
  [
    "ERROR for CANCEL",
    [T.ERROR, T.CANCEL, 1, {}, "e"],
    "ERROR: element 1 (REQUEST.Type) must be one of SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION (32, 34, 16, 64, 66, 48, 68), got 49",
  ],
  [
    "ERROR with a string request type",
    [T.ERROR, "48", 1, {}, "e"],
    "ERROR: element 1 (REQUEST.Type) must be one of SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION (32, 34, 16, 64, 66, 48, 68), got string",
  ],
];

for (const [name, value, text] of invalid) {
  Deno.test(`parseMessage() rejects ${name}`, () => {
    assert.throws(() => parseMessage(value), (e: unknown) => {
      assert.ok(e instanceof ProtocolViolation, `expected ProtocolViolation, got ${e}`);
      assert.equal(e.message, text);
      assert.equal(e.uri, "wamp.error.protocol_violation");
      return true;
    });
  });
}

Deno.test("parseMessage() does not check URI syntax", () => {
  const msg = [T.CALL, 1, {}, "not a valid uri!"];
  assert.equal(parseMessage(msg), msg);
});

Deno.test("parseMessage() does not copy or change the message", () => {
  const args = [1, { deep: [BIN] }];
  const kwargs = { a: 1 };
  const msg = [T.CALL, 7, {}, "p", args, kwargs];
  const out = parseMessage(msg);
  assert.equal(out, msg);
  assert.equal(out[0], T.CALL);
  if (out[0] !== T.CALL) return;
  assert.equal(out[4], args);
  assert.equal(out[5], kwargs);
  assert.deepEqual(msg, [T.CALL, 7, {}, "p", [1, { deep: [BIN] }], { a: 1 }]);
});
