import assert from "node:assert/strict";
import { FrameEvent, WebSocketFrameError, WebSocketFrameReader } from "./websocket_frame_reader.ts";

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
