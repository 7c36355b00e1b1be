/**
 * RawSocket frames into the coalescing writer (`coalescing_writer.ts`):
 * frames queued in one turn of the event loop leave in ONE `conn.write()`.
 * JSON text is encoded straight into the pending buffer with
 * `TextEncoder.encodeInto`; binary payloads are copied once.
 *
 * @module
 */

import { FRAME_HEADER_LENGTH, writeFrameHeader } from "./rawsocket_protocol.ts";
import { CoalescingWriter, type CoalescingWriterOptions } from "./coalescing_writer.ts";

export { DEFAULT_WRITE_BUFFER_SIZE, type WritableConn } from "./coalescing_writer.ts";

/** Options of `RawSocketWriter`. */
export type RawSocketWriterOptions = CoalescingWriterOptions;

const encoder = new TextEncoder();

/** Queues RawSocket frames for one connection and writes them in batches. */
export class RawSocketWriter extends CoalescingWriter {
  /**
   * Appends a frame of `type` carrying `payload` (at most 2^24 octets; the
   * caller checks the peer's limit) and schedules a flush.
   */
  appendFrame(type: number, payload: Uint8Array): void {
    if (this.stopped) return;
    const length = payload.length;
    const at = this.pendingLength;
    const buf = this.reserve(FRAME_HEADER_LENGTH + length);
    writeFrameHeader(buf, at, type, length);
    buf.set(payload, at + FRAME_HEADER_LENGTH);
    this.commit(at + FRAME_HEADER_LENGTH + length);
  }

  /**
   * Appends a frame of `type` carrying `text` as UTF-8, encoded in place,
   * and schedules a flush. Returns the payload length in octets: when it is
   * over the peer's limit, the caller must `rollback()` (the header of a
   * payload over 2^24 octets is not valid).
   */
  appendTextFrame(type: number, text: string): number {
    if (this.stopped) return 0;
    const at = this.pendingLength;
    const end = encodeTextAt(this, at + FRAME_HEADER_LENGTH, text);
    const length = end - at - FRAME_HEADER_LENGTH;
    writeFrameHeader(this.reserve(0), at, type, length);
    this.commit(end);
    return length;
  }
}

/**
 * Encodes `text` as UTF-8 into `writer`'s pending buffer at `offset`
 * (growing it as needed, without committing); returns the end offset.
 */
export function encodeTextAt(writer: CoalescingWriter, offset: number, text: string): number {
  let buf = writer.reserve(offset - writer.pendingLength + text.length);
  let rest = text;
  for (;;) {
    const { read, written } = encoder.encodeInto(rest, buf.subarray(offset));
    offset += written;
    if (read === rest.length) return offset;
    rest = rest.slice(read);
    buf = writer.reserve(offset - writer.pendingLength + rest.length * 3);
  }
}
