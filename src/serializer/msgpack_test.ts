import assert from "node:assert/strict";
import { decodeMsgpack, encodeMsgpack, MSGPACK_MAX_DEPTH, msgpackSerializer } from "./msgpack.ts";
import { SerializationError } from "./serializer.ts";

await msgpackSerializer.load();

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

Deno.test("encodeMsgpack() writes integers beyond 32 bits as uint64/int64, not float64", () => {
  assert.equal(hex(encodeMsgpack(2 ** 32)), "cf 00 00 00 01 00 00 00 00");
  assert.equal(hex(encodeMsgpack(2 ** 53)), "cf 00 20 00 00 00 00 00 00");
  assert.equal(hex(encodeMsgpack(2 ** 53 - 1)), "cf 00 1f ff ff ff ff ff ff");
  assert.equal(hex(encodeMsgpack(-(2 ** 31) - 1)), "d3 ff ff ff ff 7f ff ff ff");
  assert.equal(hex(encodeMsgpack(-(2 ** 53))), "d3 ff e0 00 00 00 00 00 00");
});

Deno.test("encodeMsgpack() keeps non-integers and integral doubles beyond 2^53 as float64", () => {
  assert.equal(hex(encodeMsgpack(1.5)), "cb 3f f8 00 00 00 00 00 00");
  assert.equal(encodeMsgpack(2 ** 60)[0], 0xcb);
  assert.equal(encodeMsgpack(Infinity)[0], 0xcb);
  assert.equal(encodeMsgpack(NaN)[0], 0xcb);
});

Deno.test("encodeMsgpack() rewrites floats inside messages but never inside str or bin", () => {
  // bin whose bytes look exactly like a float64 token holding 2^40
  const trap = new Uint8Array([0xcb, 0x42, 0x70, 0, 0, 0, 0, 0, 0]);
  const msg = [36, 2 ** 40, 2 ** 52, {}, [trap, "\u00cb" + "B".repeat(40), 2 ** 33], {
    k: -(2 ** 40),
  }];
  const wire = encodeMsgpack(msg);
  assert.equal(hex(wire).includes("cb 42 70 00 00 00 00 00 00"), true, "bin left as is");
  assert.deepStrictEqual(decodeMsgpack(wire), msg);
  assert.equal(
    wire.filter((x) => x === 0xcb).length,
    1,
    "the only 0xcb byte is the one in the bin",
  );
});

Deno.test("decodeMsgpack() reads uint64/int64 in the safe range as numbers and beyond as bigint", () => {
  assert.equal(decodeMsgpack(new Uint8Array([0xcf, 0, 0, 1, 0, 0, 0, 0, 0])), 2 ** 40);
  assert.equal(decodeMsgpack(new Uint8Array([0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0])), 2 ** 53);
  assert.equal(decodeMsgpack(new Uint8Array([0xcf, 0, 0x20, 0, 0, 0, 0, 0, 1])), 2n ** 53n + 1n);
  assert.equal(
    decodeMsgpack(new Uint8Array([0xd3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])),
    -(2 ** 32),
  );
  assert.equal(
    decodeMsgpack(new Uint8Array([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    2n ** 64n - 1n,
  );
});

Deno.test("encodeMsgpack() writes a bigint back exactly", () => {
  const big = [2n ** 53n + 1n, 2n ** 64n - 1n, -(2n ** 63n)];
  assert.deepStrictEqual(decodeMsgpack(encodeMsgpack(big)), big);
});

Deno.test("encodeMsgpack() writes undefined as nil and Uint8Array as bin", () => {
  assert.equal(hex(encodeMsgpack([undefined])), "91 c0");
  assert.equal(hex(encodeMsgpack(new Uint8Array([7]))), "c4 01 07");
});

Deno.test("decodeMsgpack() reads the standard timestamp extension as a Date", () => {
  assert.deepStrictEqual(
    decodeMsgpack(new Uint8Array([0xd6, 0xff, 0, 0, 0, 1])),
    new Date(1000),
  );
});

Deno.test("decodeMsgpack() refuses msgpackr's private extensions (records, references)", () => {
  for (
    const bad of [[0xd4, 0x72, 0], [0xd4, 0x70, 0], [0xc7, 1, 0x65, 0], [0xd4, 0, 0], [
      0xd5,
      0x42,
      0,
      0,
    ]]
  ) {
    assert.throws(() => decodeMsgpack(new Uint8Array(bad)), (e: unknown) => {
      assert.ok(e instanceof SerializationError);
      assert.match(e.message, /unsupported extension type/);
      return true;
    });
  }
});

Deno.test("decodeMsgpack() refuses the never-used byte 0xc1 anywhere", () => {
  assert.throws(() => decodeMsgpack(new Uint8Array([0xc1])), SerializationError);
  assert.throws(() => decodeMsgpack(new Uint8Array([0x92, 1, 0xc1])), SerializationError);
});

Deno.test("decodeMsgpack() refuses a small frame declaring huge arrays, maps or strings, at once", () => {
  const frames = [
    [0xdd, 0xff, 0xff, 0xff, 0xff, 1],
    [0xdf, 0x05, 0xf5, 0xe1, 0x00, 1, 1],
    [0xdb, 0x80, 0, 0, 0, 0x61],
    [0xc6, 0x80, 0, 0, 0, 0x61],
    Array.from({ length: 100 }, (_, i) => [0xdd, 0x00, 0x0f, 0x42, 0x40][i % 5]),
  ];
  for (const f of frames) {
    assert.throws(() => decodeMsgpack(new Uint8Array(f)), /truncated/);
  }
});

Deno.test("decodeMsgpack() accepts nesting up to MSGPACK_MAX_DEPTH and refuses deeper", () => {
  const nested = (depth: number) => new Uint8Array([...new Array(depth).fill(0x91), 0x01]);
  assert.ok(Array.isArray(decodeMsgpack(nested(MSGPACK_MAX_DEPTH))));
  assert.throws(() => decodeMsgpack(nested(MSGPACK_MAX_DEPTH + 1)), /nesting deeper/);
});

Deno.test("decodeMsgpack() refuses text input", () => {
  assert.throws(() => decodeMsgpack("[1]"), SerializationError);
});

Deno.test("msgpackSerializer is the binary serializer wamp.2.msgpack with RawSocket id 2", () => {
  assert.equal(msgpackSerializer.name, "msgpack");
  assert.equal(msgpackSerializer.rawsocketId, 2);
  assert.equal(msgpackSerializer.binary, true);
});
