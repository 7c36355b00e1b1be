import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  decodeJson,
  encodeJson,
  JSON_MAX_DEPTH,
  jsonSerializer,
  nestedDeeperThan,
} from "./json.ts";
import { MSGPACK_MAX_DEPTH } from "./msgpack.ts";
import { CBOR_MAX_DEPTH } from "./cbor.ts";
import { SerializationError } from "./serializer.ts";

const BIN = new Uint8Array([1, 2, 3]);

Deno.test("encodeJson() writes a Uint8Array as the string \\0 + base64 (spec binary convention)", () => {
  assert.equal(encodeJson([BIN]), '["\\u0000AQID"]');
  assert.equal(encodeJson([new Uint8Array([1, 2])]), '["\\u0000AQI="]');
  assert.equal(encodeJson(new Uint8Array(0)), '"\\u0000"');
  assert.equal(encodeJson({ a: { b: [BIN] } }), '{"a":{"b":["\\u0000AQID"]}}');
});

Deno.test("encodeJson() writes a Buffer as binary, not as Buffer.toJSON()", () => {
  assert.equal(encodeJson([Buffer.from([1, 2, 3])]), '["\\u0000AQID"]');
});

Deno.test("encodeJson() output is what JSON.stringify gives when there is no binary", () => {
  const msg = [48, 1, { timeout: 5 }, "com.example", ["héllo", 1.5, null, true], { k: [{}] }];
  assert.equal(encodeJson(msg), JSON.stringify(msg));
});

Deno.test("encodeJson() writes a bigint as an exact integer literal", () => {
  assert.equal(encodeJson([2n ** 64n + 1n, -5n]), "[18446744073709551617,-5]");
  assert.equal(encodeJson(7n), "7");
});

Deno.test("decodeJson() turns \\0 + base64 strings into Uint8Array at any depth", () => {
  assert.deepStrictEqual(decodeJson('["\\u0000AQID", {"k": ["\\u0000AQI="]}, "\\u0000"]'), [
    BIN,
    { k: [new Uint8Array([1, 2])] },
    new Uint8Array(0),
  ]);
  assert.deepStrictEqual(decodeJson('"\\u0000AQID"'), BIN);
});

Deno.test("decodeJson() accepts base64 without padding (lenient like Autobahn)", () => {
  assert.deepStrictEqual(decodeJson('["\\u0000AQI"]'), [new Uint8Array([1, 2])]);
});

Deno.test("decodeJson() leaves strings with a NUL that is not first alone", () => {
  assert.deepStrictEqual(decodeJson('["a\\u0000b", "\\\\u0000"]'), ["a\u0000b", "\\u0000"]);
});

Deno.test("decodeJson() keeps an own __proto__ key holding binary as a key", () => {
  const v = decodeJson('{"__proto__": "\\u0000AQID", "x": 1}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.ok(Object.hasOwn(v, "__proto__"));
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(v, "__proto__")?.value, BIN);
});

Deno.test("decodeJson() refuses invalid base64 after \\0 with SerializationError", () => {
  assert.throws(() => decodeJson('["\\u0000not base64!"]'), SerializationError);
});

Deno.test("decodeJson() accepts UTF-8 bytes and text alike", () => {
  const text = '[1, "héllo ✓ 🎉", {"ключ": "\\u0000AQID"}]';
  const expected = [1, "héllo ✓ 🎉", { "ключ": BIN }];
  assert.deepStrictEqual(decodeJson(text), expected);
  assert.deepStrictEqual(decodeJson(new TextEncoder().encode(text)), expected);
});

Deno.test("decodeJson() keeps a genuine U+FFFD from valid UTF-8", () => {
  assert.deepStrictEqual(decodeJson(new TextEncoder().encode('["\uFFFD"]')), ["\uFFFD"]);
});

Deno.test("decodeJson() refuses invalid UTF-8 with SerializationError", () => {
  for (
    const bad of [[0x5b, 0x22, 0xff, 0x22, 0x5d], [0x5b, 0x22, 0xc3, 0x22, 0x5d], [
      0x5b,
      0x22,
      0xed,
      0xa0,
      0x80,
      0x22,
      0x5d,
    ]]
  ) {
    assert.throws(() => decodeJson(new Uint8Array(bad)), (e: unknown) => {
      assert.ok(e instanceof SerializationError);
      assert.match(e.message, /UTF-8/);
      return true;
    });
  }
});

Deno.test("decodeJson() refuses invalid JSON and non-text input with SerializationError", () => {
  for (const bad of ["", "[1,", "{'a': 1}", "[1] [2]", "NaN", "[\u0000]"]) {
    assert.throws(() => decodeJson(bad), SerializationError, JSON.stringify(bad));
  }
  assert.throws(() => decodeJson(42 as unknown as string), SerializationError);
});

Deno.test("jsonSerializer is the text serializer wamp.2.json with RawSocket id 1", () => {
  assert.equal(jsonSerializer.name, "json");
  assert.equal(jsonSerializer.rawsocketId, 1);
  assert.equal(jsonSerializer.binary, false);
  assert.equal(jsonSerializer.encode, encodeJson);
  assert.equal(jsonSerializer.decode, decodeJson);
});

Deno.test("decodeJson() accepts nesting up to JSON_MAX_DEPTH and refuses deeper, brackets in strings aside", () => {
  const nested = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth);
  assert.ok(Array.isArray(decodeJson(nested(JSON_MAX_DEPTH))));
  assert.throws(() => decodeJson(nested(JSON_MAX_DEPTH + 1)), /nesting deeper than 1000 levels/);
  const objects = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  assert.ok(decodeJson(objects(JSON_MAX_DEPTH)));
  assert.throws(() => decodeJson(objects(JSON_MAX_DEPTH + 1)), SerializationError);
  // Brackets (and escaped quotes) inside strings are not nesting.
  const inString = JSON.stringify(["[".repeat(5000) + '\\"[' + "{".repeat(5000)]);
  assert.deepEqual(decodeJson(inString), JSON.parse(inString));
  assert.equal(JSON_MAX_DEPTH, MSGPACK_MAX_DEPTH);
  assert.equal(JSON_MAX_DEPTH, CBOR_MAX_DEPTH);
});

Deno.test("decodeJson() refuses a 16 MiB [[[[... frame before JSON.parse sees it", () => {
  const bomb = new TextEncoder().encode("[".repeat(16 * 1024 * 1024));
  const parse = JSON.parse;
  let parsed = 0;
  JSON.parse = (...args: Parameters<typeof parse>) => {
    parsed++;
    return parse(...args);
  };
  try {
    assert.throws(() => decodeJson(bomb), /nesting deeper than 1000 levels/);
  } finally {
    JSON.parse = parse;
  }
  assert.equal(parsed, 0);
});

Deno.test("nestedDeeperThan() skips strings with escaped quotes and backslashes", () => {
  assert.equal(nestedDeeperThan('["\\\\", [[]]]', 2), true);
  assert.equal(nestedDeeperThan('["\\"[[[", []]', 2), false);
  assert.equal(nestedDeeperThan('{"k":"]]]]"}', 0), true);
  assert.equal(nestedDeeperThan('"unterminated [[[[', 1), false);
});
