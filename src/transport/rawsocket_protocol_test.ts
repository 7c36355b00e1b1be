import assert from "node:assert/strict";
import {
  encodeHandshake,
  encodeHandshakeError,
  FrameType,
  HandshakeError,
  handshakeErrorText,
  lengthExponentFor,
  MAX_MAX_MESSAGE_SIZE,
  maxMessageSizeOf,
  parseHandshakeReply,
  parseHandshakeRequest,
  readFrameHeader,
  writeFrameHeader,
} from "./rawsocket_protocol.ts";

Deno.test("maxMessageSizeOf() maps the exponent nibble to 2^(9+n): 512 B .. 16 MiB", () => {
  assert.equal(maxMessageSizeOf(0), 512);
  assert.equal(maxMessageSizeOf(1), 1024);
  assert.equal(maxMessageSizeOf(15), 16 * 1024 * 1024);
});

Deno.test("lengthExponentFor() rounds down to a power of two and caps at 16 MiB", () => {
  assert.equal(lengthExponentFor(512), 0);
  assert.equal(lengthExponentFor(1023), 0);
  assert.equal(lengthExponentFor(1024), 1);
  assert.equal(lengthExponentFor(65536), 7);
  assert.equal(lengthExponentFor(16 * 1024 * 1024), 15);
  assert.equal(lengthExponentFor(64 * 1024 * 1024), 15);
});

Deno.test("lengthExponentFor() rejects limits below 512 bytes with the value", () => {
  assert.throws(() => lengthExponentFor(511), /maxMessageSize: .*at least 512.*got 511/);
  assert.throws(() => lengthExponentFor(1.5), RangeError);
});

Deno.test("encodeHandshake() packs magic, exponent and serializer; reserved octets zero", () => {
  assert.deepEqual([...encodeHandshake(15, 2)], [0x7f, 0xf2, 0, 0]);
  assert.deepEqual([...encodeHandshake(0, 1)], [0x7f, 0x01, 0, 0]);
});

Deno.test("encodeHandshakeError() puts the code in the high nibble and zero serializer", () => {
  assert.deepEqual([...encodeHandshakeError(HandshakeError.SERIALIZER_UNSUPPORTED)], [
    0x7f,
    0x10,
    0,
    0,
  ]);
  assert.deepEqual([...encodeHandshakeError(HandshakeError.MAX_CONNECTIONS)], [0x7f, 0x40, 0, 0]);
});

Deno.test("parseHandshakeRequest() reads exponent and serializer of a valid request", () => {
  assert.deepEqual(parseHandshakeRequest(new Uint8Array([0x7f, 0xa3, 0, 0])), {
    ok: true,
    exponent: 10,
    serializerId: 3,
  });
});

Deno.test("parseHandshakeRequest() fails without a reply when the first octet is not 0x7F", () => {
  const r = parseHandshakeRequest(new TextEncoder().encode("GET "));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.reply === undefined && /first octet 0x47/.test(r.reason));
});

Deno.test("parseHandshakeRequest() answers reserved octets with error 3", () => {
  const r = parseHandshakeRequest(new Uint8Array([0x7f, 0xf1, 0, 1]));
  assert.ok(!r.ok && r.reply === HandshakeError.RESERVED_BITS);
});

Deno.test("parseHandshakeReply() accepts an echo of the serializer and reads the router's limit", () => {
  assert.deepEqual(parseHandshakeReply(new Uint8Array([0x7f, 0x72, 0, 0]), 2), {
    ok: true,
    exponent: 7,
  });
});

Deno.test("parseHandshakeReply() reports the router's error code with its text", () => {
  const r = parseHandshakeReply(new Uint8Array([0x7f, 0x40, 0, 0]), 1);
  assert.ok(!r.ok);
  assert.equal(r.code, 4);
  assert.match(r.reason, /maximum connection count reached \(error 4\)/);
});

Deno.test("parseHandshakeReply() refuses a different serializer and a non-RawSocket reply", () => {
  assert.match(
    (parseHandshakeReply(new Uint8Array([0x7f, 0xf1, 0, 0]), 2) as { reason: string }).reason,
    /serializer 1/,
  );
  assert.equal(parseHandshakeReply(new TextEncoder().encode("HTTP"), 1).ok, false);
});

Deno.test("handshakeErrorText() names every defined code and tolerates unknown ones", () => {
  assert.equal(handshakeErrorText(1), "serializer unsupported");
  assert.equal(handshakeErrorText(2), "maximum message length unacceptable");
  assert.equal(handshakeErrorText(3), "use of reserved bits (unsupported feature)");
  assert.equal(handshakeErrorText(9), "unknown error code 9");
});

Deno.test("writeFrameHeader()/readFrameHeader() round-trip type and 24-bit length", () => {
  const buf = new Uint8Array(8);
  writeFrameHeader(buf, 2, FrameType.PING, 0x123456);
  assert.deepEqual([...buf.subarray(2, 6)], [0x01, 0x12, 0x34, 0x56]);
  assert.deepEqual(readFrameHeader(buf, 2), { type: FrameType.PING, length: 0x123456 });
});

Deno.test("writeFrameHeader() uses the 25th length bit for exactly 16 MiB, and readFrameHeader() reads it", () => {
  const buf = new Uint8Array(4);
  writeFrameHeader(buf, 0, FrameType.WAMP, MAX_MAX_MESSAGE_SIZE);
  assert.deepEqual([...buf], [0x08, 0, 0, 0]);
  assert.deepEqual(readFrameHeader(buf, 0), { type: FrameType.WAMP, length: MAX_MAX_MESSAGE_SIZE });
});

Deno.test("readFrameHeader() rejects reserved bits, reserved types and a bad 25th bit", () => {
  assert.match(
    (readFrameHeader(new Uint8Array([0x10, 0, 0, 1]), 0) as { error: string }).error,
    /reserved bits/,
  );
  assert.match(
    (readFrameHeader(new Uint8Array([0x03, 0, 0, 1]), 0) as { error: string }).error,
    /frame type 3/,
  );
  assert.match(
    (readFrameHeader(new Uint8Array([0x07, 0, 0, 0]), 0) as { error: string }).error,
    /frame type 7/,
  );
  assert.match(
    (readFrameHeader(new Uint8Array([0x08, 0, 0, 1]), 0) as { error: string }).error,
    /25th length bit/,
  );
});
