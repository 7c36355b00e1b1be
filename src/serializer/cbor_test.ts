import assert from "node:assert/strict";
import {
  CBOR_MAX_BIGNUM_BYTES,
  CBOR_MAX_DEPTH,
  cborSerializer,
  decodeCbor,
  encodeCbor,
} from "./cbor.ts";
import { SerializationError } from "./serializer.ts";

await cborSerializer.load();

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("encodeCbor() writes integers beyond 32 bits as major type 0/1, not float64", () => {
  assert.equal(hex(encodeCbor(2 ** 32)), "1b 00 00 00 01 00 00 00 00");
  assert.equal(hex(encodeCbor(2 ** 53)), "1b 00 20 00 00 00 00 00 00");
  assert.equal(hex(encodeCbor(-(2 ** 40))), "3b 00 00 00 ff ff ff ff ff");
  assert.equal(hex(encodeCbor(-(2 ** 53))), "3b 00 1f ff ff ff ff ff ff");
  assert.equal(hex(encodeCbor(-(2 ** 31) - 1)), "3b 00 00 00 00 80 00 00 00");
});

Deno.test("encodeCbor() keeps non-integers and integral doubles beyond 2^53 as float64", () => {
  assert.equal(hex(encodeCbor(1.5)), "fb 3f f8 00 00 00 00 00 00");
  assert.equal(encodeCbor(2 ** 60)[0], 0xfb);
  assert.equal(encodeCbor(-Infinity)[0], 0xfb);
});

Deno.test("encodeCbor() rewrites floats inside messages but never inside byte or text strings", () => {
  // a byte string whose bytes look exactly like a float64 token holding 2^40, and an undefined
  const trap = bytes(0xfb, 0x42, 0x70, 0, 0, 0, 0, 0, 0, 0xf7);
  const msg = [36, 2 ** 40, 2 ** 52, {}, [trap, "\u00fb".repeat(30), 2 ** 33], { k: -(2 ** 40) }];
  const wire = encodeCbor(msg);
  assert.ok(hex(wire).includes("fb 42 70 00 00 00 00 00 00 f7"), "byte string left as is");
  assert.equal(
    wire.filter((x) => x === 0xfb).length,
    1,
    "the only 0xfb byte is the one in the bytes",
  );
  assert.deepStrictEqual(decodeCbor(wire), msg);
});

Deno.test("encodeCbor() writes undefined as null and Uint8Array as an untagged byte string", () => {
  assert.equal(hex(encodeCbor([undefined])), "81 f6");
  assert.equal(hex(encodeCbor(bytes(7))), "41 07");
});

Deno.test("decodeCbor() reads 64-bit integers in the safe range as numbers and beyond as bigint", () => {
  assert.equal(decodeCbor(bytes(0x1b, 0, 0, 1, 0, 0, 0, 0, 0)), 2 ** 40);
  assert.equal(decodeCbor(bytes(0x1b, 0, 0x20, 0, 0, 0, 0, 0, 0)), 2 ** 53);
  assert.equal(decodeCbor(bytes(0x1b, 0, 0x20, 0, 0, 0, 0, 0, 1)), 2n ** 53n + 1n);
  assert.equal(decodeCbor(bytes(0x3b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)), -(2 ** 32));
  assert.equal(
    decodeCbor(bytes(0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    -(2n ** 64n),
  );
  assert.deepStrictEqual(
    decodeCbor(
      bytes(0x82, 0x1b, 0, 0, 1, 0, 0, 0, 0, 0, 0xa1, 0x61, 0x6b, 0x1b, 0, 0, 0, 2, 0, 0, 0, 0),
    ),
    [2 ** 40, { k: 2 ** 33 }],
  );
});

Deno.test("encodeCbor() writes a bigint back exactly", () => {
  const big = [2n ** 53n + 1n, 2n ** 64n - 1n, -(2n ** 64n), 2n ** 70n];
  assert.deepStrictEqual(decodeCbor(encodeCbor(big)), big);
});

Deno.test("decodeCbor() reads indefinite-length arrays and maps", () => {
  assert.deepStrictEqual(decodeCbor(bytes(0x9f, 1, 0x9f, 0xff, 0xff)), [1, []]);
  assert.deepStrictEqual(decodeCbor(bytes(0xbf, 0x61, 0x61, 1, 0xff)), { a: 1 });
});

Deno.test("decodeCbor() reads standard tags: dates, bignums, typed arrays, self-describe", () => {
  assert.deepStrictEqual(decodeCbor(bytes(0xc1, 0x01)), new Date(1000));
  assert.equal(decodeCbor(bytes(0xc2, 0x42, 1, 0)), 256, "a bignum in the safe range is a number");
  assert.equal(decodeCbor(bytes(0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0)), 2n ** 64n);
  assert.equal(decodeCbor(bytes(0xc3, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0)), -1n - 2n ** 64n);
  assert.deepStrictEqual(decodeCbor(bytes(0xd8, 64, 0x42, 1, 2)), bytes(1, 2));
  assert.equal(decodeCbor(bytes(0xd9, 0xd9, 0xf7, 0x05)), 5);
});

Deno.test("decodeCbor() refuses cbor-x's special tags (shared references, packing, objects)", () => {
  const frames = [
    [0xd8, 28, 0x81, 0xd8, 29, 0x00], // a self-referencing array
    [0xd8, 51, 0x84, 0x80, 0x80, 0x80, 0x01], // packed CBOR table
    [0xd8, 27, 0x82, 0x66, 0x52, 0x65, 0x67, 0x45, 0x78, 0x70, 0x61, 0x61], // RegExp
    [0xd8, 105, 0x80], // record
    [0xd8, 25, 0x00], // stringref
  ];
  for (const f of frames) {
    assert.throws(() => decodeCbor(new Uint8Array(f)), /unsupported tag/);
  }
});

Deno.test("decodeCbor() refuses malformed heads and stray breaks", () => {
  for (const f of [[0x1c], [0x3e], [0xfc], [0xff], [0x81, 0xff], [0x1f], [0xdf, 0x01]]) {
    assert.throws(() => decodeCbor(new Uint8Array(f)), SerializationError, hex(new Uint8Array(f)));
  }
});

Deno.test("decodeCbor() refuses a small frame declaring huge arrays, maps or strings, at once", () => {
  const frames = [
    [0x9a, 0x05, 0xf5, 0xe1, 0x00, 1],
    [0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    [0x5a, 0x80, 0, 0, 0, 1],
    [0x7b, 0, 0, 0, 1, 0, 0, 0, 0, 0x61],
    Array.from({ length: 100 }, (_, i) => [0x9a, 0x00, 0x0f, 0x42, 0x40][i % 5]),
  ];
  for (const f of frames) {
    assert.throws(() => decodeCbor(new Uint8Array(f)), /truncated/);
  }
});

Deno.test("decodeCbor() accepts nesting up to CBOR_MAX_DEPTH and refuses deeper", () => {
  const nested = (depth: number) => new Uint8Array([...new Array(depth).fill(0x81), 0x01]);
  assert.ok(Array.isArray(decodeCbor(nested(CBOR_MAX_DEPTH))));
  assert.throws(() => decodeCbor(nested(CBOR_MAX_DEPTH + 1)), /nesting deeper/);
});

Deno.test("decodeCbor() accepts bignums up to CBOR_MAX_BIGNUM_BYTES and refuses longer or non-byte ones", () => {
  const bignum = (len: number) =>
    new Uint8Array([0xc2, 0x59, len >> 8, len & 0xff, ...new Array(len).fill(0xff)]);
  assert.equal(
    decodeCbor(bignum(CBOR_MAX_BIGNUM_BYTES)),
    2n ** BigInt(8 * CBOR_MAX_BIGNUM_BYTES) - 1n,
  );
  for (
    const f of [
      bignum(CBOR_MAX_BIGNUM_BYTES + 1),
      bytes(0xc2, 0x01),
      bytes(0xc3, 0xc2, 0x41, 1),
      bytes(0xc2, 0x5f, 0x41, 1, 0xff),
    ]
  ) {
    assert.throws(() => decodeCbor(f), /bignum must be a byte string/);
  }
});

Deno.test("decodeCbor() refuses text input", () => {
  assert.throws(() => decodeCbor("[1]"), SerializationError);
});

Deno.test("cborSerializer is the binary serializer wamp.2.cbor with RawSocket id 3", () => {
  assert.equal(cborSerializer.name, "cbor");
  assert.equal(cborSerializer.rawsocketId, 3);
  assert.equal(cborSerializer.binary, true);
});
