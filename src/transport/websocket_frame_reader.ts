/**
 * Incremental RFC 6455 frame parsing for the server side of a WebSocket:
 * bytes read from the connection go in (`space()` / `filled(n)`), whole
 * messages and control frames come out (`next()`), and every rule of the
 * RFC a server must check is checked as soon as the bytes that break it
 * arrive.
 *
 * - Frames from a client must be masked; reserved bits must be clear (RSV1
 *   only on the first frame of a data message, and only with
 *   permessage-deflate); opcodes 3-7 and 11-15 are reserved; control frames
 *   are at most 125 octets and never fragmented; a continuation needs a
 *   message in progress and a new data frame must not interrupt one; the
 *   64-bit length has its top bit clear. Breaks: close code 1002.
 * - Text messages are valid UTF-8, checked fragment by fragment (a message
 *   fails at the first bad fragment, not at its end); so are close reasons.
 *   Breaks: 1007.
 * - A close frame has no payload or a 2-octet code (1000-1003, 1007-1014,
 *   3000-4999) and a reason. Breaks: 1002.
 * - A data frame over `maxFrameSize` (when set) is refused (1009) as soon as
 *   its header arrives.
 * - A message over `maxMessageSize` is refused as soon as a frame header
 *   announces it (1009): nothing of it is buffered. Payload is buffered only
 *   as it arrives (a header announcing 16 MiB costs nothing until the bytes
 *   come), and every octet held for a message being received is counted in
 *   a `ReceiveBudget` shared by the connections of a listener; a frame that
 *   would take the budget over its bound is refused (1013, try again later).
 *
 * A message that arrives whole in one read is handed out as a view into the
 * read buffer (unmasked in place, no copy); fragmented or split messages are
 * gathered, then joined once. Views are valid until the next `space()`.
 *
 * @module
 */

import { concatBytes } from "./concat_bytes.ts";

/** Close codes the reader fails a connection with. */
export const FrameCloseCode = {
  /** RFC 6455 protocol error. */
  PROTOCOL_ERROR: 1002,
  /** Invalid UTF-8 in a text message or close reason. */
  INVALID_PAYLOAD: 1007,
  /** A message over `maxMessageSize`. */
  MESSAGE_TOO_BIG: 1009,
  /** The listener's receive budget is used up. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Why the reader fails the connection: the close code to send and a text for the log. */
export class WebSocketFrameError extends Error {
  /** Close code to fail the connection with. */
  readonly code: number;
  /**
   * @param code close code
   * @param message what was wrong
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "WebSocketFrameError";
    this.code = code;
  }
}

/**
 * Bytes held by messages being received, over all connections of a
 * listener, with an upper bound. Shared; single-threaded, so plain numbers.
 */
export class ReceiveBudget {
  /** The bound, in octets. */
  readonly limit: number;
  #used = 0;
  /** @param limit the bound in octets */
  constructor(limit: number) {
    this.limit = limit;
  }
  /** Octets held now. */
  get used(): number {
    return this.#used;
  }
  /** Takes `n` octets; false (nothing taken) when that would pass the bound. */
  take(n: number): boolean {
    if (this.#used + n > this.limit) return false;
    this.#used += n;
    return true;
  }
  /** Gives back `n` octets. */
  give(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}

/** What `next()` found. */
export const FrameEvent = {
  /** Nothing complete yet: read more. */
  NONE: 0,
  /** A text message: `text`. */
  TEXT: 1,
  /** A binary message: `bytes`. */
  BINARY: 2,
  /** A close frame: `closeCode` (undefined when it carried none) and `closeReason`. */
  CLOSE: 8,
  /** A ping: `bytes` is its payload. */
  PING: 9,
  /** A pong: `bytes` is its payload. */
  PONG: 10,
} as const;

/** Options of `WebSocketFrameReader`. */
export interface WebSocketFrameReaderOptions {
  /** Largest message (after decompression), in octets. */
  maxMessageSize: number;
  /** Shared bound of the bytes held by partial messages. Default: none. */
  budget?: ReceiveBudget;
  /**
   * permessage-deflate negotiated: RSV1 marks a compressed message, and this
   * inflates its payload (the reader appends the 0x00 0x00 0xFF 0xFF tail)
   * into at most `maxMessageSize` octets, or throws a `WebSocketFrameError`.
   */
  inflate?: (compressed: Uint8Array, maxSize: number) => Uint8Array;
  /** Initial (and resting) read buffer size. Default 1 KiB. */
  initialSize?: number;
  /** Largest data frame payload, in octets (a longer one closes with 1009). Default 0: no limit of its own. */
  maxFrameSize?: number;
}

const READ_SPACE = 16 * 1024;
const BUSY_SIZE = 64 * 1024;
/**
 * Default initial read buffer: 256 octets (it doubles up to 64 KiB while
 * reads fill it, and goes back when the connection is quiet). Every idle
 * connection holds one in its pending read: 1 KiB rather than 4 KiB was
 * ~3 MB less per 1,000 idle sessions, 256 octets rather than 1 KiB ~0.8 MB
 * more (measured; a busy connection grows it after one full read).
 */
export const DEFAULT_READ_SIZE = 256;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const EMPTY = new Uint8Array(0);

/** Parses the frames a WebSocket client sends. */
export class WebSocketFrameReader {
  /** The text message of the last TEXT event. */
  text = "";
  /** Octets of the last TEXT/BINARY message (UTF-8 for text, after inflating): session statistics. */
  size = 0;
  /** The payload of the last BINARY, PING or PONG event. */
  bytes: Uint8Array = new Uint8Array(0);
  /** The code of the last CLOSE event (undefined: none given). */
  closeCode: number | undefined;
  /** The reason of the last CLOSE event. */
  closeReason = "";

  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #initial: number;
  #lastFull = false;
  #lastRead = 0;
  #max: number;
  #maxFrame: number;
  #budget: ReceiveBudget | undefined;
  #inflate: WebSocketFrameReaderOptions["inflate"];
  // The frame whose payload is being received in pieces (-1: none).
  #opcode = -1;
  #fin = false;
  #remaining = 0;
  // The mask of a frame received in pieces (numbers: no buffer per connection).
  #m0 = 0;
  #m1 = 0;
  #m2 = 0;
  #m3 = 0;
  #maskAt = 0;
  #control: Uint8Array | undefined;
  #controlLen = 0;
  // The fragmented data message in progress (0: none).
  #msgOpcode = 0;
  #msgCompressed = false;
  #msgSize = 0;
  // Made for a message that arrives in pieces, dropped after it (idle memory).
  #parts: Uint8Array[] | undefined;
  #held = 0;
  #textParts: string[] | undefined;
  #stream: TextDecoder | undefined;
  /** Octets of a refused (oversize) frame still to come: skipped, never buffered. */
  #skip = 0;

  /** @param options see WebSocketFrameReaderOptions */
  constructor(options: WebSocketFrameReaderOptions) {
    this.#max = options.maxMessageSize;
    this.#maxFrame = options.maxFrameSize ?? 0;
    this.#budget = options.budget;
    this.#inflate = options.inflate;
    this.#initial = Math.max(options.initialSize ?? DEFAULT_READ_SIZE, 128);
    this.#buf = new Uint8Array(this.#initial);
  }

  /**
   * Lets go of the last message (`text`, `bytes`) once it was handled, so an
   * idle connection does not keep its last message alive.
   */
  release(): void {
    this.text = "";
    this.bytes = EMPTY;
  }

  /** Octets read but not parsed yet. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Octets held for the message in progress (counted in the budget). */
  get held(): number {
    return this.#held;
  }

  /** Free space to read into; invalidates views handed out before. */
  space(): Uint8Array {
    const live = this.#end - this.#start;
    if (live === 0) {
      this.#start = this.#end = 0;
      // A read that filled the buffer asks for a bigger one (up to 64 KiB);
      // a quiet connection goes back to the small one (idle memory) in steps
      // of a quarter, so that one short read of a busy connection does not
      // start its growth from the bottom again.
      const size = this.#buf.length;
      if (this.#lastFull && size < BUSY_SIZE) this.#buf = new Uint8Array(size * 2);
      else if (!this.#lastFull && size > this.#initial && this.#lastRead < size / 8) {
        this.#buf = new Uint8Array(Math.max(this.#initial, size / 4));
      }
    } else if (this.#buf.length - this.#end < READ_SPACE) {
      // Room for a whole small frame at the front, or a bigger buffer for a
      // frame that fits the initial size twice over; bigger frames stream.
      const need = live + READ_SPACE;
      if (need <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    // The whole buffer as it is when empty: a pending read holds no extra view (idle memory).
    return this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end);
  }

  /** Records that `n` octets were read into the last `space()`. */
  filled(n: number): void {
    this.#end += n;
    this.#lastFull = this.#end === this.#buf.length;
    this.#lastRead = n;
  }

  /** Appends a copy of `bytes` (tests, and bytes read before the upgrade). */
  push(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      const room = this.space();
      const n = Math.min(room.length, bytes.length - at);
      room.set(bytes.subarray(at, at + n));
      this.filled(n);
      at += n;
    }
  }

  /**
   * Drops what is buffered and any message in progress (gives its budget
   * back). The rest of a frame refused for its size is still skipped as it
   * arrives, so a close frame the peer sends after it is read.
   */
  discard(): void {
    this.#start = this.#end = 0;
    this.#opcode = -1;
    this.#resetMessage();
  }

  /**
   * The next event (`FrameEvent`), with its data in `text`, `bytes`,
   * `closeCode`/`closeReason`; NONE when more bytes are needed.
   *
   * @throws WebSocketFrameError when the client broke a rule (then stop reading)
   */
  next(): number {
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, this.#end - this.#start);
        this.#start += n;
        this.#skip -= n;
        if (this.#skip > 0) return FrameEvent.NONE;
      }
      if (this.#opcode !== -1) {
        const ev = this.#continuePayload();
        if (ev !== -1) return ev;
        continue;
      }
      const buf = this.#buf;
      const start = this.#start;
      const live = this.#end - start;
      if (live < 2) return FrameEvent.NONE;
      const b0 = buf[start];
      const b1 = buf[start + 1];
      let len = b1 & 0x7f;
      let head = 6;
      if (len === 126) head = 8;
      else if (len === 127) head = 14;
      if (live < head) {
        // Fail early on what the first two octets already show.
        this.#checkHeader(b0, b1, 0);
        return FrameEvent.NONE;
      }
      if (len === 126) len = (buf[start + 2] << 8) | buf[start + 3];
      else if (len === 127) {
        const hi = (buf[start + 2] << 24 >>> 0) + (buf[start + 3] << 16) +
          (buf[start + 4] << 8) + buf[start + 5];
        if (hi >= 0x80000000) {
          throw new WebSocketFrameError(1002, "64-bit frame length with its top bit set");
        }
        const lo = (buf[start + 6] << 24 >>> 0) + (buf[start + 7] << 16) +
          (buf[start + 8] << 8) + buf[start + 9];
        len = hi * 0x100000000 + lo;
      }
      let opcode: number;
      try {
        opcode = this.#checkHeader(b0, b1, len);
      } catch (err) {
        if (err instanceof WebSocketFrameError && err.code === 1009) {
          // Refused from its header: the payload is skipped, not buffered.
          const here = Math.min(live - head, len);
          this.#start = start + head + here;
          this.#skip = len - here;
        }
        throw err;
      }
      const fin = (b0 & 0x80) !== 0;
      const m = start + head - 4;
      if (live >= head + len) {
        // The whole frame is here: unmask in place, no copy.
        const payload = buf.subarray(start + head, start + head + len);
        unmask(payload, buf[m], buf[m + 1], buf[m + 2], buf[m + 3], 0);
        this.#start = start + head + len;
        const ev = this.#frame(opcode, fin, (b0 & 0x40) !== 0, payload);
        if (ev !== -1) return ev;
        continue;
      }
      // A small frame waits until it is whole (space() leaves room for it).
      if (head + len <= READ_SPACE) return FrameEvent.NONE;
      // A big one streams: its payload is taken as it comes.
      this.#m0 = buf[m];
      this.#m1 = buf[m + 1];
      this.#m2 = buf[m + 2];
      this.#m3 = buf[m + 3];
      this.#maskAt = 0;
      this.#opcode = opcode;
      this.#fin = fin;
      this.#remaining = len;
      this.#start = start + head;
      if (opcode >= 8) {
        this.#control = new Uint8Array(len);
        this.#controlLen = 0;
      } else {
        this.#begin(opcode, (b0 & 0x40) !== 0);
      }
    }
  }

  /** Checks a frame header (`len` 0 while unknown); returns the opcode. */
  #checkHeader(b0: number, b1: number, len: number): number {
    const opcode = b0 & 0x0f;
    if ((b1 & 0x80) === 0) throw new WebSocketFrameError(1002, "unmasked frame from a client");
    if ((b0 & 0x30) !== 0) throw new WebSocketFrameError(1002, "reserved bits RSV2/RSV3 set");
    if (opcode >= 8) {
      if (opcode > 10) throw new WebSocketFrameError(1002, `reserved opcode ${opcode}`);
      if ((b0 & 0x80) === 0) throw new WebSocketFrameError(1002, "fragmented control frame");
      if ((b0 & 0x40) !== 0) throw new WebSocketFrameError(1002, "RSV1 set on a control frame");
      if ((b1 & 0x7f) > 125) {
        throw new WebSocketFrameError(1002, "control frame payload over 125 octets");
      }
      return opcode;
    }
    if (opcode > 2) throw new WebSocketFrameError(1002, `reserved opcode ${opcode}`);
    if (opcode === 0) {
      if (this.#msgOpcode === 0) {
        throw new WebSocketFrameError(1002, "continuation frame without a message in progress");
      }
      if ((b0 & 0x40) !== 0) throw new WebSocketFrameError(1002, "RSV1 set on a continuation");
    } else {
      if (this.#msgOpcode !== 0) {
        throw new WebSocketFrameError(1002, "new data frame in the middle of a fragmented message");
      }
      if ((b0 & 0x40) !== 0 && this.#inflate === undefined) {
        throw new WebSocketFrameError(1002, "RSV1 set without permessage-deflate");
      }
    }
    if (this.#maxFrame > 0 && len > this.#maxFrame) {
      throw new WebSocketFrameError(
        1009,
        `frame of ${len} bytes exceeds the frame limit of ${this.#maxFrame} bytes`,
      );
    }
    const total = (opcode === 0 ? this.#msgSize : 0) + len;
    if (total > this.#max) {
      const whole = opcode !== 0 && (b0 & 0xc0) === 0x80; // final, uncompressed: exact size
      throw new WebSocketFrameError(
        1009,
        `message of ${
          whole ? "" : "at least "
        }${total} bytes exceeds the limit of ${this.#max} bytes`,
      );
    }
    return opcode;
  }

  /** A whole frame (payload unmasked). Returns an event, or -1 to go on. */
  #frame(opcode: number, fin: boolean, rsv1: boolean, payload: Uint8Array): number {
    if (opcode >= 8) return this.#controlFrame(opcode, payload);
    if (opcode !== 0 && fin && !rsv1) {
      this.#msgSize = 0;
      return this.#single(opcode, payload);
    }
    if (opcode !== 0) this.#begin(opcode, rsv1);
    this.#append(payload);
    return fin ? this.#finish() : -1;
  }

  /** A data message in one frame, uncompressed: no copy. */
  #single(opcode: number, payload: Uint8Array): number {
    this.size = payload.length;
    if (opcode === 2) {
      this.bytes = payload;
      return FrameEvent.BINARY;
    }
    try {
      this.text = utf8.decode(payload);
    } catch {
      throw new WebSocketFrameError(1007, "invalid UTF-8 in a text message");
    }
    return FrameEvent.TEXT;
  }

  #begin(opcode: number, compressed: boolean): void {
    if (opcode === 0) return;
    this.#msgOpcode = opcode;
    this.#msgCompressed = compressed;
    this.#msgSize = 0;
  }

  /** Adds payload octets of the data message in progress (copied). */
  #append(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#msgSize += n;
    if (n === 0) return;
    if (this.#budget !== undefined && !this.#budget.take(n)) {
      throw new WebSocketFrameError(
        1013,
        `receive budget of ${this.#budget.limit} bytes for messages in progress is used up`,
      );
    }
    this.#held += n;
    if (this.#msgOpcode === 1 && !this.#msgCompressed) {
      // Check UTF-8 as fragments arrive; keep text, not bytes.
      this.#stream ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
      try {
        (this.#textParts ??= []).push(this.#stream.decode(bytes, { stream: true }));
      } catch {
        this.#stream = undefined;
        throw new WebSocketFrameError(1007, "invalid UTF-8 in a text message");
      }
    } else {
      (this.#parts ??= []).push(bytes.slice());
    }
  }

  /** The data message in progress is complete. */
  #finish(): number {
    const opcode = this.#msgOpcode;
    const compressed = this.#msgCompressed;
    let ev: number;
    try {
      if (compressed) {
        const raw = concatBytes([...(this.#parts ?? []), DEFLATE_TAIL]);
        this.#parts = undefined;
        const data = this.#inflate!(raw, this.#max);
        if (data.length > this.#max) {
          throw new WebSocketFrameError(
            1009,
            `message of ${data.length} bytes exceeds the limit of ${this.#max} bytes`,
          );
        }
        ev = this.#single(opcode, data);
      } else if (opcode === 1) {
        let tail: string;
        try {
          tail = (this.#stream ?? utf8).decode();
        } catch {
          throw new WebSocketFrameError(1007, "invalid UTF-8 in a text message (cut short)");
        }
        const parts = this.#textParts ??= [];
        parts.push(tail);
        this.text = parts.length === 1 ? parts[0] : parts.join("");
        this.size = this.#msgSize;
        ev = FrameEvent.TEXT;
      } else {
        this.bytes = concatBytes(this.#parts ?? []);
        this.size = this.bytes.length;
        ev = FrameEvent.BINARY;
      }
    } finally {
      this.#resetMessage();
    }
    return ev;
  }

  #resetMessage(): void {
    if (this.#held > 0) this.#budget?.give(this.#held);
    this.#held = 0;
    this.#msgOpcode = 0;
    this.#msgCompressed = false;
    this.#msgSize = 0;
    this.#parts = undefined;
    this.#textParts = undefined;
    this.#stream = undefined;
  }

  /** Takes what has arrived of a frame received in pieces. Event, or -1 to go on. */
  #continuePayload(): number {
    const live = this.#end - this.#start;
    const n = Math.min(live, this.#remaining);
    if (n === 0 && this.#remaining > 0) return FrameEvent.NONE;
    const chunk = this.#buf.subarray(this.#start, this.#start + n);
    unmask(chunk, this.#m0, this.#m1, this.#m2, this.#m3, this.#maskAt);
    this.#maskAt = (this.#maskAt + n) & 3;
    this.#start += n;
    this.#remaining -= n;
    const opcode = this.#opcode;
    if (opcode >= 8) {
      this.#control!.set(chunk, this.#controlLen);
      this.#controlLen += n;
    } else {
      this.#append(chunk);
    }
    if (this.#remaining > 0) return FrameEvent.NONE;
    this.#opcode = -1;
    if (opcode >= 8) {
      const payload = this.#control!;
      this.#control = undefined;
      return this.#controlFrame(opcode, payload);
    }
    return this.#fin ? this.#finish() : -1;
  }

  #controlFrame(opcode: number, payload: Uint8Array): number {
    if (opcode !== 8) {
      this.bytes = payload;
      return opcode;
    }
    if (payload.length === 0) {
      this.closeCode = undefined;
      this.closeReason = "";
      return FrameEvent.CLOSE;
    }
    if (payload.length === 1) throw new WebSocketFrameError(1002, "close frame of one octet");
    const code = (payload[0] << 8) | payload[1];
    if (!isValidCloseCode(code)) {
      throw new WebSocketFrameError(1002, `invalid close code ${code}`);
    }
    try {
      this.closeReason = utf8.decode(payload.subarray(2));
    } catch {
      throw new WebSocketFrameError(1007, "invalid UTF-8 in a close reason");
    }
    this.closeCode = code;
    return FrameEvent.CLOSE;
  }
}

const DEFLATE_TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** True for close codes a peer may send (RFC 6455 7.4 and the IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/** XORs `data` with the mask octets, starting at mask position `at`. */
export function unmask(
  data: Uint8Array,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
  at: number,
): void {
  const n = data.length;
  let i = 0;
  // Align to the mask, then four octets at a time.
  for (; i < n && ((at + i) & 3) !== 0; i++) data[i] ^= maskOctet(m0, m1, m2, m3, at + i);
  const end4 = n - 3;
  for (; i < end4; i += 4) {
    data[i] ^= m0;
    data[i + 1] ^= m1;
    data[i + 2] ^= m2;
    data[i + 3] ^= m3;
  }
  for (; i < n; i++) data[i] ^= maskOctet(m0, m1, m2, m3, at + i);
}

function maskOctet(m0: number, m1: number, m2: number, m3: number, i: number): number {
  switch (i & 3) {
    case 0:
      return m0;
    case 1:
      return m1;
    case 2:
      return m2;
    default:
      return m3;
  }
}
