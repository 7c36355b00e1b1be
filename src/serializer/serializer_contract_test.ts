/**
 * One contract every serializer passes (GUIDE habit 3): round trips of every
 * message type and of awkward values, and garbage that must be refused with
 * `SerializationError` and nothing else.
 */
import assert from "node:assert/strict";
import { MAX_ID } from "../wamp/ids.ts";
import { MessageType as T } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { loadSerializers, serializers } from "./mod.ts";
import { SerializationError, type Serializer } from "./serializer.ts";

await loadSerializers();

const BIN = new Uint8Array([0, 1, 2, 0xcb, 0x42, 0x70, 0, 0, 0, 0, 0, 0, 0xfb, 0xff, 0xf7, 0x1b]);
const UNICODE = "héllo wörld ✓ 日本語 🎉 \u2028 \\ \" '";

/** Every message type, with payloads where the type has them. */
const messages: [string, unknown[]][] = [
  ["HELLO", [T.HELLO, "realm1", {
    roles: { caller: { features: { progressive_call_results: true } } },
  }]],
  ["WELCOME", [T.WELCOME, MAX_ID, { roles: { broker: {} }, authid: "jöe" }]],
  ["ABORT", [T.ABORT, { message: UNICODE }, "wamp.error.no_such_realm"]],
  ["CHALLENGE", [T.CHALLENGE, "wampcra", { challenge: '{"nonce": "x"}', iterations: 1000 }]],
  ["AUTHENTICATE", [T.AUTHENTICATE, "c2lnbmF0dXJl", {}]],
  ["GOODBYE", [T.GOODBYE, {}, "wamp.close.normal"]],
  ["ERROR", [T.ERROR, T.CALL, 2 ** 40, {}, "app.error", [UNICODE], { code: -1 }]],
  ["PUBLISH", [
    T.PUBLISH,
    1,
    { acknowledge: true, exclude: [2 ** 52 + 1] },
    "com.topic",
    [BIN],
    {},
  ]],
  ["PUBLISHED", [T.PUBLISHED, 1, 2 ** 53]],
  ["SUBSCRIBE", [T.SUBSCRIBE, 3, { match: "wildcard" }, "com..x"]],
  ["SUBSCRIBED", [T.SUBSCRIBED, 3, 4_294_967_296]],
  ["UNSUBSCRIBE", [T.UNSUBSCRIBE, 4, 4_294_967_297]],
  ["UNSUBSCRIBED", [T.UNSUBSCRIBED, 4]],
  ["UNSUBSCRIBED router-initiated", [T.UNSUBSCRIBED, 0, {
    subscription: 2 ** 53 - 1,
    reason: "x",
  }]],
  ["EVENT", [
    T.EVENT,
    8_888_888_888_888,
    2 ** 53,
    { publisher: 12345 },
    [1, 2.5, null, true, false],
    { nested: { deeper: { deepest: [{}] } } },
  ]],
  ["CALL", [T.CALL, 5, { timeout: 0 }, "com.example.add", [], {}]],
  ["CANCEL", [T.CANCEL, 5, { mode: "kill" }]],
  ["RESULT", [T.RESULT, 5, { progress: true }, [[], [[]], {}, ""]]],
  ["REGISTER", [T.REGISTER, 6, { match: "prefix", invoke: "roundrobin" }, "com."]],
  ["REGISTERED", [T.REGISTERED, 6, 123_456_789_012]],
  ["UNREGISTER", [T.UNREGISTER, 7, 123_456_789_012]],
  ["UNREGISTERED", [T.UNREGISTERED, 7]],
  ["UNREGISTERED router-initiated", [T.UNREGISTERED, 0, { registration: 123_456_789_012 }]],
  ["INVOCATION", [T.INVOCATION, 9, 123_456_789_012, { caller: 2 ** 50 }, [BIN, { b: BIN }], {
    [UNICODE]: UNICODE,
  }]],
  ["INTERRUPT", [T.INTERRUPT, 9, { mode: "killnowait" }]],
  ["YIELD", [T.YIELD, 9, {}, [new Uint8Array(0)], { empty: "" }]],
];

/** Values beyond messages that every serializer round-trips exactly. */
const values: [string, unknown][] = [
  ["integers up to 2^53", [
    0,
    1,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 40,
    2 ** 53 - 1,
    2 ** 53,
  ]],
  ["negative integers down to -2^53", [
    -1,
    -24,
    -25,
    -129,
    -32769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 32),
    -(2 ** 32) - 1,
    -(2 ** 40),
    -(2 ** 53),
  ]],
  ["large integral numbers", [2 ** 60, 2 ** 63, 2 ** 64 - 2 ** 11, -(2 ** 63), 1e18]],
  ["floats", [1.5, -0.25, 1e-300, 1e300, 3.141592653589793, 4294967296.5, -4294967296.5]],
  ["unicode strings and keys", {
    [UNICODE]: [UNICODE, "", "a".repeat(70_000), "é".repeat(40_000)],
  }],
  ["nested dicts", { a: { b: { c: { d: { e: [1, { f: null }] } } } } }],
  ["binary at every level", [BIN, { k: BIN, l: [BIN, [BIN]] }, new Uint8Array(100_000).fill(0xcb)]],
  ["empty containers", [[], {}, [[]], [{}], ""]],
  [
    "a dict with many keys",
    Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i * 2 ** 33])),
  ],
  ["a long list", Array.from({ length: 70_000 }, (_, i) => i)],
];

/** Deterministic PRNG (mulberry32) for fuzzing. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Encodes then decodes, going through bytes for every serializer. */
function roundTrip(s: Serializer, value: unknown): unknown {
  const wire = s.encode(value);
  if (s.binary) {
    assert.ok(wire instanceof Uint8Array, "binary serializers encode to bytes");
    assert.equal(
      Object.getPrototypeOf(wire),
      Uint8Array.prototype,
      "plain Uint8Array, not a Buffer",
    );
  } else {
    assert.equal(typeof wire, "string", "text serializers encode to a string");
  }
  return s.decode(wire);
}

function toBytes(wire: string | Uint8Array): Uint8Array {
  return typeof wire === "string" ? new TextEncoder().encode(wire) : wire;
}

function assertSerializationError(f: () => unknown, what: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof SerializationError, `${what}: expected SerializationError, got ${e}`);
    return true;
  });
}

for (const s of Object.values(serializers)) {
  const name = `${s.name} serializer`;

  Deno.test(`${name}: metadata matches the spec`, () => {
    const ids = { json: 1, msgpack: 2, cbor: 3 };
    assert.equal(s.rawsocketId, ids[s.name]);
    assert.equal(s.binary, s.name !== "json");
  });

  for (const [kind, msg] of messages) {
    Deno.test(`${name}: ${kind} round-trips exactly and still parses`, () => {
      const back = roundTrip(s, msg);
      assert.deepStrictEqual(back, msg);
      parseMessage(back);
    });
  }

  for (const [kind, value] of values) {
    Deno.test(`${name}: ${kind} round-trip exactly`, () => {
      assert.deepStrictEqual(roundTrip(s, value), value);
    });
  }

  Deno.test(`${name}: decoded integers up to 2^53 are numbers`, () => {
    const back = roundTrip(s, [2 ** 32, 2 ** 53, -(2 ** 53)]) as unknown[];
    for (const v of back) assert.equal(typeof v, "number");
  });

  Deno.test(`${name}: decoded binary is a plain Uint8Array that does not alias the input`, () => {
    const input = toBytes(s.encode([BIN]));
    const back = s.decode(input) as Uint8Array[];
    assert.equal(Object.getPrototypeOf(back[0]), Uint8Array.prototype);
    assert.deepStrictEqual(back[0], BIN);
    input.fill(0x20);
    assert.deepStrictEqual(back[0], BIN);
  });

  Deno.test(`${name}: decoded dicts are plain objects`, () => {
    const back = roundTrip(s, [{ a: { b: 1 } }]) as Record<string, unknown>[];
    assert.equal(Object.getPrototypeOf(back[0]), Object.prototype);
    assert.equal(Object.getPrototypeOf(back[0].a), Object.prototype);
  });

  Deno.test(`${name}: undefined inside a list becomes null`, () => {
    assert.deepStrictEqual(roundTrip(s, [1, undefined, 2]), [1, null, 2]);
  });

  Deno.test(`${name}: encoding a cycle throws SerializationError`, () => {
    const a: unknown[] = [1];
    a.push(a);
    assertSerializationError(() => s.encode(a), "cycle");
  });

  Deno.test(`${name}: every truncation of a message is refused with SerializationError`, () => {
    const wire = s.encode([T.CALL, 2 ** 40, { x: [1.5, "ü"] }, "com.example", [BIN], { k: "v" }]);
    for (let n = 0; n < wire.length; n++) {
      assertSerializationError(() => s.decode(wire.slice(0, n)), `prefix of ${n}`);
    }
  });

  Deno.test(`${name}: trailing bytes after a message are refused with SerializationError`, () => {
    const extended = new Uint8Array([
      ...toBytes(s.encode([T.GOODBYE, {}, "wamp.close.normal"])),
      ...toBytes(s.encode([1])),
    ]);
    assertSerializationError(() => s.decode(extended), "two values");
  });

  Deno.test(`${name}: empty input is refused with SerializationError`, () => {
    assertSerializationError(() => s.decode(new Uint8Array(0)), "empty bytes");
  });

  Deno.test(`${name}: random garbage never throws anything but SerializationError`, () => {
    const rand = prng(0x5eed + s.rawsocketId);
    for (let round = 0; round < 5000; round++) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 40));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      try {
        s.decode(bytes);
      } catch (e) {
        if (!(e instanceof SerializationError)) {
          assert.fail(`${[...bytes]} threw ${e}`);
        }
      }
    }
  });

  Deno.test(`${name}: a huge declared length is refused without hanging`, () => {
    const huge = s.name === "json"
      ? new TextEncoder().encode("[" + "[".repeat(100_000))
      : s.name === "msgpack"
      ? new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 1])
      : new Uint8Array([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1]);
    assertSerializationError(() => s.decode(huge), "huge length");
  });
}
