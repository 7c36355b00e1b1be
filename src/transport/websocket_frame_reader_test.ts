import assert from "node:assert/strict";
import {
  DEFAULT_READ_SIZE,
  FrameEvent,
  WebSocketFrameError,
  WebSocketFrameReader,
} from "./websocket_frame_reader.ts";

/** A masked client frame (mask 0: the payload goes as is). */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const out = new Uint8Array(head + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out[2] = len >> 8;
    out[3] = len & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setUint32(6, len);
  }
  out.set(payload, head);
  return out;
}

Deno.test("WebSocketFrameReader.next() refuses an oversize frame from its header and skips its payload as it arrives, so the close frame after it is read", () => {
  const reader = new WebSocketFrameReader({ maxMessageSize: 1024 });
  const big = clientFrame(1, new Uint8Array(5000).fill(0x61));
  const close = clientFrame(8, new Uint8Array([0x03, 0xe8]));
  // The header and a little of the payload arrive first.
  reader.push(big.subarray(0, 100));
  assert.throws(
    () => reader.next(),
    (e: WebSocketFrameError) =>
      e.code === 1009 && /5000 bytes exceeds the limit of 1024/.test(e.message),
  );
  reader.discard(); // as the connection does after a violation
  // The rest of the payload, in pieces, then the client's close frame.
  for (let at = 100; at < big.length; at += 700) {
    reader.push(big.subarray(at, Math.min(at + 700, big.length)));
    assert.equal(reader.next(), FrameEvent.NONE);
  }
  assert.equal(reader.buffered, 0, "nothing of the refused payload is held");
  reader.push(close);
  assert.equal(reader.next(), FrameEvent.CLOSE);
  assert.equal(reader.closeCode, 1000);
});

Deno.test("WebSocketFrameReader.space() starts small, doubles while reads fill it, and goes back in quarter steps when the connection is quiet", () => {
  const reader = new WebSocketFrameReader({ maxMessageSize: 1 << 20 });
  const frame = clientFrame(1, new Uint8Array(100).fill(0x61));
  let space = reader.space();
  assert.equal(space.length, DEFAULT_READ_SIZE, "an idle connection holds a small buffer");
  // Reads that fill the buffer: whole frames, so nothing is left over.
  const sizes: number[] = [];
  for (let i = 0; i < 10; i++) {
    space = reader.space();
    sizes.push(space.length);
    // One frame exactly as long as the buffer (8-octet header from 134 octets on).
    space.set(clientFrame(1, new Uint8Array(space.length - 8).fill(0x61)));
    reader.filled(space.length);
    assert.equal(reader.next(), FrameEvent.TEXT);
    assert.equal(reader.next(), FrameEvent.NONE);
  }
  assert.deepEqual(sizes.slice(0, 4), [256, 512, 1024, 2048]);
  assert.equal(Math.max(...sizes), 64 * 1024, "at most 64 KiB");
  // Quiet: one small message per read.
  const quiet: number[] = [];
  for (let i = 0; i < 6; i++) {
    space = reader.space();
    quiet.push(space.length);
    space.set(frame);
    reader.filled(frame.length);
    assert.equal(reader.next(), FrameEvent.TEXT);
    assert.equal(reader.next(), FrameEvent.NONE);
  }
  assert.deepEqual(quiet, [64 * 1024, 16 * 1024, 4096, 1024, 256, 256]);
});

Deno.test("WebSocketFrameReader.release() lets go of the last message, so an idle connection keeps none alive", () => {
  const reader = new WebSocketFrameReader({ maxMessageSize: 1024 });
  reader.push(clientFrame(1, new TextEncoder().encode('[1,"realm1",{}]')));
  assert.equal(reader.next(), FrameEvent.TEXT);
  assert.equal(reader.text, '[1,"realm1",{}]');
  reader.push(clientFrame(2, new Uint8Array([1, 2, 3])));
  assert.equal(reader.next(), FrameEvent.BINARY);
  assert.equal(reader.bytes.length, 3);
  reader.release();
  assert.equal(reader.text, "");
  assert.equal(reader.bytes.length, 0);
});
