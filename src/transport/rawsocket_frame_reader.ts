/**
 * Incremental RawSocket frame parsing over one growing read buffer.
 *
 * The socket reads straight into the reader's buffer (`space()` /
 * `filled(n)`); `next()` then hands out every complete frame as a view into
 * that buffer, with no copy. Bytes are only moved when a frame is split
 * across reads and the buffer's tail is too short for the rest (the partial
 * frame moves to the front), and the buffer only grows to hold one whole
 * frame (never beyond `maxLength` + header). A large buffer is given back
 * once it is empty.
 *
 * ```ts
 * const reader = new RawSocketFrameReader({ maxLength: 65536 });
 * for (;;) {
 *   const n = await conn.read(reader.space());
 *   if (n === null) break;
 *   reader.filled(n);
 *   for (let f = reader.next(); f !== undefined; f = reader.next()) use(f.type, f.payload);
 * }
 * ```
 *
 * @module
 */

import { FRAME_HEADER_LENGTH, type FrameType, readFrameHeader } from "./rawsocket_protocol.ts";

/** Default initial buffer size: 64 KiB. */
export const DEFAULT_READ_BUFFER_SIZE = 64 * 1024;

/** A read is never offered less free space than this (unless a frame needs more). */
const MIN_READ_SPACE = 16 * 1024;

/** One frame. `payload` is a view into the reader's buffer, valid until the next `space()`. */
export interface RawFrame {
  /** Frame type (WAMP, PING or PONG). */
  type: FrameType;
  /** The payload octets (a view, not a copy). */
  payload: Uint8Array;
}

/** A frame header the reader cannot accept: bad bits, reserved type, or over `maxLength`. */
export class RawSocketFrameError extends Error {
  /** @param message what was wrong */
  constructor(message: string) {
    super(message);
    this.name = "RawSocketFrameError";
  }
}

/** Options of `RawSocketFrameReader`. */
export interface RawSocketFrameReaderOptions {
  /** Largest accepted payload, in octets (the limit this side announced). */
  maxLength: number;
  /** Initial (and resting) buffer size in octets. Default 64 KiB. */
  initialSize?: number;
}

/** Parses RawSocket frames from the bytes read from one connection. */
export class RawSocketFrameReader {
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #maxLength: number;
  #initialSize: number;

  /** @param options see RawSocketFrameReaderOptions */
  constructor(options: RawSocketFrameReaderOptions) {
    this.#maxLength = options.maxLength;
    this.#initialSize = Math.max(options.initialSize ?? DEFAULT_READ_BUFFER_SIZE, 64);
    this.#buf = new Uint8Array(this.#initialSize);
  }

  /** Number of octets read but not yet consumed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Current capacity of the buffer, in octets (for tests and diagnostics). */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Free space to read into. It has room for at least the rest of the
   * frame being received (when its header is in) and some more. Invalidates
   * payload views handed out before.
   */
  space(): Uint8Array {
    const live = this.#end - this.#start;
    if (live === 0) {
      this.#start = this.#end = 0;
      if (this.#buf.length > this.#initialSize * 4) this.#buf = new Uint8Array(this.#initialSize);
    }
    let need = MIN_READ_SPACE;
    if (live >= FRAME_HEADER_LENGTH) {
      const header = readFrameHeader(this.#buf, this.#start);
      if ("type" in header && header.length <= this.#maxLength) {
        need = Math.max(need, FRAME_HEADER_LENGTH + header.length - live);
      }
    }
    if (this.#buf.length - this.#end < need) {
      const total = live + need;
      if (total <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        let size = this.#buf.length;
        while (size < total) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    return this.#buf.subarray(this.#end);
  }

  /** Records that `n` octets were read into the last `space()`. */
  filled(n: number): void {
    this.#end += n;
  }

  /** Appends a copy of `bytes` (for tests and for data that did not come from `space()`). */
  push(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const target = this.space();
      const n = Math.min(target.length, bytes.length - offset);
      target.set(bytes.subarray(offset, offset + n));
      this.filled(n);
      offset += n;
    }
  }

  /** The octet at `index` past the consumed ones, or undefined when not read yet. */
  peek(index: number): number | undefined {
    return index < this.#end - this.#start ? this.#buf[this.#start + index] : undefined;
  }

  /** Consumes and returns a copy of the next `n` octets (the handshake), or undefined when fewer are buffered. */
  take(n: number): Uint8Array | undefined {
    if (this.#end - this.#start < n) return undefined;
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /**
   * The next complete frame, or undefined when it has not fully arrived.
   *
   * @throws RawSocketFrameError for a header with reserved bits or type, or
   *   a payload longer than `maxLength` (checked as soon as the header is in)
   */
  next(): RawFrame | undefined {
    const start = this.#start;
    const live = this.#end - start;
    if (live < FRAME_HEADER_LENGTH) return undefined;
    const header = readFrameHeader(this.#buf, start);
    if ("error" in header) throw new RawSocketFrameError(header.error);
    const length = header.length;
    if (length > this.#maxLength) {
      throw new RawSocketFrameError(
        `RawSocket frame of ${length} bytes exceeds the announced limit of ${this.#maxLength} bytes`,
      );
    }
    const total = FRAME_HEADER_LENGTH + length;
    if (live < total) return undefined;
    this.#start = start + total;
    return {
      type: header.type,
      payload: this.#buf.subarray(start + FRAME_HEADER_LENGTH, start + total),
    };
  }

  /** Drops everything buffered. */
  discard(): void {
    this.#start = this.#end = 0;
  }
}
