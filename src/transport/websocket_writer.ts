/**
 * Server-side WebSocket frames (RFC 6455, unmasked) into the coalescing
 * writer (`coalescing_writer.ts`): everything the router sends in one turn
 * of the event loop leaves in ONE `conn.write()`, where Deno's WebSocket
 * makes one native call per message. Text is encoded straight into the
 * pending buffer; binary payloads are copied once. Messages are never
 * fragmented.
 *
 * @module
 */

import { CoalescingWriter } from "./coalescing_writer.ts";
import { encodeTextAt } from "./rawsocket_writer.ts";

/** WebSocket opcodes. */
export const Opcode = {
  /** Continuation frame. */
  CONTINUATION: 0,
  /** Text message. */
  TEXT: 1,
  /** Binary message. */
  BINARY: 2,
  /** Close. */
  CLOSE: 8,
  /** Ping. */
  PING: 9,
  /** Pong. */
  PONG: 10,
} as const;

/** Length of a server frame header for a payload of `length` octets. */
export function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes an unmasked frame header at `at` (final unless `fin` is false); returns its length. */
export function writeHeader(
  buf: Uint8Array,
  at: number,
  opcode: number,
  length: number,
  rsv1 = false,
  fin = true,
): number {
  buf[at] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (length < 126) {
    buf[at + 1] = length;
    return 2;
  }
  if (length < 65536) {
    buf[at + 1] = 126;
    buf[at + 2] = length >>> 8;
    buf[at + 3] = length & 0xff;
    return 4;
  }
  buf[at + 1] = 127;
  const hi = Math.floor(length / 0x100000000);
  buf[at + 2] = hi >>> 24;
  buf[at + 3] = (hi >>> 16) & 0xff;
  buf[at + 4] = (hi >>> 8) & 0xff;
  buf[at + 5] = hi & 0xff;
  buf[at + 6] = length >>> 24;
  buf[at + 7] = (length >>> 16) & 0xff;
  buf[at + 8] = (length >>> 8) & 0xff;
  buf[at + 9] = length & 0xff;
  return 10;
}

/** Queues WebSocket frames for one connection and writes them in batches. */
export class WebSocketWriter extends CoalescingWriter {
  /** Appends one final frame carrying `payload` (RSV1 marks a compressed message). */
  appendFrame(opcode: number, payload: Uint8Array, rsv1 = false): void {
    this.#frame(opcode, payload, rsv1, true);
  }

  /**
   * Appends a data message: one frame, or with `fragment` > 0 and a longer
   * payload, frames of at most `fragment` octets (the first carries the
   * opcode and RSV1, the rest are continuations, the last is final).
   */
  appendMessage(opcode: number, payload: Uint8Array, rsv1 = false, fragment = 0): void {
    if (fragment <= 0 || payload.length <= fragment) {
      this.#frame(opcode, payload, rsv1, true);
      return;
    }
    for (let at = 0; at < payload.length; at += fragment) {
      const first = at === 0;
      this.#frame(
        first ? opcode : Opcode.CONTINUATION,
        payload.subarray(at, at + fragment),
        first && rsv1,
        at + fragment >= payload.length,
      );
    }
  }

  #frame(opcode: number, payload: Uint8Array, rsv1: boolean, fin: boolean): void {
    if (this.stopped) return;
    const at = this.pendingLength;
    const buf = this.reserve(10 + payload.length);
    const h = writeHeader(buf, at, opcode, payload.length, rsv1, fin);
    buf.set(payload, at + h);
    this.commit(at + h + payload.length);
  }

  /**
   * Appends a text message, encoding `text` as UTF-8 in place. Returns its
   * length in octets: when that is over a limit, the caller must
   * `rollback()` to a `mark()` taken before.
   */
  appendText(text: string): number {
    if (this.stopped) return 0;
    const at = this.pendingLength;
    const units = text.length;
    // UTF-8 octets are between 1x and 3x the UTF-16 units: guess the header, fix it after.
    const guess = headerLength(units * 3 < 126 ? units : units >= 65536 ? units : 126);
    let end = encodeTextAt(this, at + guess, text);
    const length = end - at - guess;
    const h = headerLength(length);
    let buf = this.reserve(0);
    if (h !== guess) {
      buf = this.reserve(end - this.pendingLength + (h - guess));
      buf.copyWithin(at + h, at + guess, end);
      end += h - guess;
    }
    writeHeader(buf, at, Opcode.TEXT, length);
    this.commit(end);
    return length;
  }

  /** Appends a close frame with `code` and `reason` (cut to fit 123 octets of UTF-8). */
  appendClose(code: number, reason: string): void {
    const text = new TextEncoder().encode(reason);
    let n = Math.min(text.length, 123);
    while (n > 0 && n < text.length && (text[n] & 0xc0) === 0x80) n--; // whole characters only
    const payload = new Uint8Array(2 + n);
    payload[0] = code >>> 8;
    payload[1] = code & 0xff;
    payload.set(text.subarray(0, n), 2);
    this.appendFrame(Opcode.CLOSE, payload);
  }
}
