import assert from "node:assert/strict";
import { RawSocketFrameError, RawSocketFrameReader } from "./rawsocket_frame_reader.ts";
import { frame } from "./rawsocket_test_kit.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

Deno.test("RawSocketFrameReader.next() returns every frame of one read, in order", () => {
  const r = new RawSocketFrameReader({ maxLength: 1024 });
  r.push(concat(frame(0, "one"), frame(1, "ping"), frame(2, ""), frame(0, "two")));
  const got: [number, string][] = [];
  for (let f = r.next(); f !== undefined; f = r.next()) got.push([f.type, text(f.payload)]);
  assert.deepEqual(got, [[0, "one"], [1, "ping"], [2, ""], [0, "two"]]);
  assert.equal(r.buffered, 0);
});

Deno.test("RawSocketFrameReader.next() waits for a frame split across reads, byte by byte", () => {
  const r = new RawSocketFrameReader({ maxLength: 1024 });
  const bytes = frame(0, '[1,"realm1",{}]');
  for (let i = 0; i < bytes.length - 1; i++) {
    r.push(bytes.subarray(i, i + 1));
    assert.equal(r.next(), undefined);
  }
  r.push(bytes.subarray(bytes.length - 1));
  assert.equal(text(r.next()!.payload), '[1,"realm1",{}]');
});

Deno.test("RawSocketFrameReader.space() offers room for the rest of a large frame (one contiguous payload)", () => {
  const r = new RawSocketFrameReader({ maxLength: 1 << 20, initialSize: 1024 });
  const payload = new Uint8Array(300_000).map((_, i) => i & 0xff);
  const bytes = frame(0, payload);
  r.push(bytes.subarray(0, 10));
  assert.ok(r.space().length >= bytes.length - 10);
  r.push(bytes.subarray(10));
  const f = r.next()!;
  assert.deepEqual(f.payload, payload);
});

Deno.test("RawSocketFrameReader moves a partial frame to the front instead of growing", () => {
  const r = new RawSocketFrameReader({ maxLength: 1024, initialSize: 64 * 1024 });
  const small = frame(0, "x".repeat(96)); // 100 bytes
  // One read: 500 complete frames and the first half of another.
  const read = new Uint8Array(500 * 100 + 50);
  for (let i = 0; i < 500; i++) read.set(small, i * 100);
  read.set(small.subarray(0, 50), 500 * 100);
  r.push(read);
  let n = 0;
  while (r.next() !== undefined) n++;
  assert.equal(n, 500);
  r.push(small.subarray(50));
  assert.equal(r.next()!.payload.length, 96);
  assert.equal(r.capacity, 64 * 1024);
});

Deno.test("RawSocketFrameReader gives back a grown buffer once it is empty", () => {
  const r = new RawSocketFrameReader({ maxLength: 1 << 20 });
  r.push(frame(0, new Uint8Array(300_000)));
  assert.ok(r.capacity >= 300_004);
  r.next();
  r.space();
  assert.equal(r.capacity, 64 * 1024);
});

Deno.test("RawSocketFrameReader.next() throws for a frame over maxLength as soon as the header is in", () => {
  const r = new RawSocketFrameReader({ maxLength: 512 });
  r.push(new Uint8Array([0, 0, 0x02, 0x01])); // 513 bytes announced, none sent
  assert.throws(
    () => r.next(),
    (e) => e instanceof RawSocketFrameError && /513 bytes exceeds .* 512/.test(e.message),
  );
});

Deno.test("RawSocketFrameReader.next() throws for reserved frame types and header bits", () => {
  const r = new RawSocketFrameReader({ maxLength: 512 });
  r.push(frame(3, "x"));
  assert.throws(() => r.next(), /reserved RawSocket frame type 3/);
  const r2 = new RawSocketFrameReader({ maxLength: 512 });
  r2.push(frame(0x20, "x"));
  assert.throws(() => r2.next(), /reserved bits/);
});

Deno.test("RawSocketFrameReader.take() and peek() read the handshake octets before frames", () => {
  const r = new RawSocketFrameReader({ maxLength: 512 });
  r.push(new Uint8Array([0x7f, 0xf1]));
  assert.equal(r.peek(0), 0x7f);
  assert.equal(r.peek(2), undefined);
  assert.equal(r.take(4), undefined);
  r.push(concat(new Uint8Array([0, 0]), frame(0, "[]")));
  assert.deepEqual([...r.take(4)!], [0x7f, 0xf1, 0, 0]);
  assert.equal(text(r.next()!.payload), "[]");
});
