/**
 * The WAMP RawSocket wire format (WAMP spec, "RawSocket Transport"): the
 * 4-octet opening handshake and its error replies, and the 4-octet frame
 * header. Pure functions and constants, no I/O; shared by the server
 * (`rawsocket_connection.ts`) and the client (`src/client/rawsocket_transport.ts`).
 *
 * ```
 * handshake request / success reply:  0111 1111  LLLL SSSS  0000 0000  0000 0000
 * handshake error reply:              0111 1111  EEEE 0000  0000 0000  0000 0000
 * frame header:                       RRRR XTTT  LLLL LLLL  LLLL LLLL  LLLL LLLL
 * ```
 *
 * - `LLLL` (handshake): the sender accepts messages up to `2^(9+LLLL)` octets
 *   (512 B .. 16 MiB).
 * - `SSSS`: serializer (1 JSON, 2 MessagePack, 3 CBOR); the reply echoes it.
 * - `EEEE`: error code (see `HandshakeError`); 0 must not be used.
 * - `RRRR` (frame): reserved, must be zero. `X` is a 25th length bit, set
 *   only for a payload of exactly 2^24 octets (with the 24 `L` bits clear).
 * - `TTT` (frame): 0 WAMP message, 1 PING, 2 PONG, 3-7 reserved.
 *
 * @module
 */

/** The first octet of every handshake request and reply. */
export const RAWSOCKET_MAGIC = 0x7f;

/** Length of the handshake request and reply, in octets. */
export const HANDSHAKE_LENGTH = 4;

/** Length of a frame header, in octets. */
export const FRAME_HEADER_LENGTH = 4;

/** Smallest announceable maximum message length: 2^9 = 512 octets (exponent nibble 0). */
export const MIN_MAX_MESSAGE_SIZE = 512;

/** Largest announceable maximum message length: 2^24 = 16 MiB (exponent nibble 15). */
export const MAX_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** Largest exponent nibble: 15, for 2^24 octets. */
export const MAX_LENGTH_EXPONENT = 15;

/** Transport-level frame types (the `TTT` bits of a frame header). */
export const FrameType = {
  /** A serialized WAMP message. */
  WAMP: 0,
  /** A ping: the other side must answer with a PONG carrying the same payload. */
  PING: 1,
  /** The answer to a PING. */
  PONG: 2,
} as const;

/** One of the defined frame types. */
export type FrameType = typeof FrameType[keyof typeof FrameType];

/** Error codes of a handshake error reply (the `EEEE` nibble). */
export const HandshakeError = {
  /** The requested serializer is not spoken here. */
  SERIALIZER_UNSUPPORTED: 1,
  /** The announced maximum message length is not acceptable. */
  MAX_LENGTH_UNACCEPTABLE: 2,
  /** The request sets reserved bits (an unsupported feature). */
  RESERVED_BITS: 3,
  /** The router has reached its maximum connection count. */
  MAX_CONNECTIONS: 4,
} as const;

/** One of the defined handshake error codes. */
export type HandshakeError = typeof HandshakeError[keyof typeof HandshakeError];

const HANDSHAKE_ERROR_TEXT: Record<number, string> = {
  0: "illegal error code 0",
  1: "serializer unsupported",
  2: "maximum message length unacceptable",
  3: "use of reserved bits (unsupported feature)",
  4: "maximum connection count reached",
};

/** A human-readable text for a handshake error code, e.g. `serializer unsupported`. */
export function handshakeErrorText(code: number): string {
  return HANDSHAKE_ERROR_TEXT[code] ?? `unknown error code ${code}`;
}

/** The maximum message length announced by exponent nibble `exponent` (0-15): `2^(9+exponent)`. */
export function maxMessageSizeOf(exponent: number): number {
  return 2 ** (9 + exponent);
}

/**
 * The exponent nibble to announce for a limit of `bytes`: the largest `n`
 * (0-15) with `2^(9+n) <= bytes`. Limits above 16 MiB announce 16 MiB.
 *
 * @throws RangeError when `bytes` is not an integer of at least 512
 */
export function lengthExponentFor(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_MAX_MESSAGE_SIZE) {
    throw new RangeError(
      `maxMessageSize: must be an integer number of bytes of at least ${MIN_MAX_MESSAGE_SIZE} ` +
        `(RawSocket announces 2^9 to 2^24), got ${bytes}`,
    );
  }
  let n = 0;
  while (n < MAX_LENGTH_EXPONENT && 2 ** (10 + n) <= bytes) n++;
  return n;
}

/** The 4 octets of a handshake request (client) or success reply (router). */
export function encodeHandshake(exponent: number, serializerId: number): Uint8Array {
  return new Uint8Array([RAWSOCKET_MAGIC, ((exponent & 0x0f) << 4) | (serializerId & 0x0f), 0, 0]);
}

/** The 4 octets of a handshake error reply with `code` (1-15). */
export function encodeHandshakeError(code: number): Uint8Array {
  return new Uint8Array([RAWSOCKET_MAGIC, (code & 0x0f) << 4, 0, 0]);
}

/** A client's handshake request, as the router reads it. */
export type HandshakeRequest =
  /** Well-formed: the client accepts up to `2^(9+exponent)` octets and asks for `serializerId`. */
  | { ok: true; exponent: number; serializerId: number }
  /**
   * Not acceptable. `reply` is the error code to answer with, or `undefined`
   * when the spec says to fail the connection without a reply (first octet
   * not 0x7F: not a RawSocket client).
   */
  | { ok: false; reply: HandshakeError | undefined; reason: string };

/**
 * Reads a client's handshake request (4 octets). Checks in this order: the
 * magic octet (no reply: not RawSocket), the reserved octets (error 3). The
 * serializer id is returned as is: whether it is spoken is the router's call
 * (error 1).
 */
export function parseHandshakeRequest(bytes: Uint8Array): HandshakeRequest {
  if (bytes.length < HANDSHAKE_LENGTH) {
    return { ok: false, reply: undefined, reason: `handshake too short (${bytes.length} octets)` };
  }
  if (bytes[0] !== RAWSOCKET_MAGIC) {
    return {
      ok: false,
      reply: undefined,
      reason: `not a RawSocket handshake: first octet 0x${hex(bytes[0])}, expected 0x7f`,
    };
  }
  if (bytes[2] !== 0 || bytes[3] !== 0) {
    return {
      ok: false,
      reply: HandshakeError.RESERVED_BITS,
      reason: `reserved handshake octets set (0x${hex(bytes[2])}${hex(bytes[3])})`,
    };
  }
  return { ok: true, exponent: bytes[1] >> 4, serializerId: bytes[1] & 0x0f };
}

/** A router's handshake reply, as the client reads it. */
export type HandshakeReply =
  /** Accepted: the router accepts up to `2^(9+exponent)` octets. */
  | { ok: true; exponent: number }
  /** Refused or malformed; `code` is the router's error code when it sent one. */
  | { ok: false; code?: number; reason: string };

/** Reads a router's handshake reply (4 octets) to a request for `serializerId`. */
export function parseHandshakeReply(bytes: Uint8Array, serializerId: number): HandshakeReply {
  if (bytes.length < HANDSHAKE_LENGTH) {
    return { ok: false, reason: `handshake reply too short (${bytes.length} octets)` };
  }
  if (bytes[0] !== RAWSOCKET_MAGIC) {
    return {
      ok: false,
      reason: `not a RawSocket reply: first octet 0x${hex(bytes[0])}, expected 0x7f`,
    };
  }
  if (bytes[2] !== 0 || bytes[3] !== 0) {
    return {
      ok: false,
      reason: `reserved octets set in the handshake reply (0x${hex(bytes[2])}${hex(bytes[3])})`,
    };
  }
  const serializer = bytes[1] & 0x0f;
  if (serializer === 0) {
    const code = bytes[1] >> 4;
    return {
      ok: false,
      code,
      reason: `the router refused the connection: ${handshakeErrorText(code)} (error ${code})`,
    };
  }
  if (serializer !== serializerId) {
    return {
      ok: false,
      reason:
        `the router answered with serializer ${serializer}, but ${serializerId} was requested`,
    };
  }
  return { ok: true, exponent: bytes[1] >> 4 };
}

/**
 * Writes a frame header for a payload of `length` octets (at most 2^24) at
 * `offset` of `buf`.
 */
export function writeFrameHeader(
  buf: Uint8Array,
  offset: number,
  type: number,
  length: number,
): void {
  if (length === MAX_MAX_MESSAGE_SIZE) {
    buf[offset] = 0x08 | type;
    buf[offset + 1] = 0;
    buf[offset + 2] = 0;
    buf[offset + 3] = 0;
    return;
  }
  buf[offset] = type;
  buf[offset + 1] = (length >>> 16) & 0xff;
  buf[offset + 2] = (length >>> 8) & 0xff;
  buf[offset + 3] = length & 0xff;
}

/**
 * The frame type and payload length in the header at `offset` of `buf`, or
 * a text saying what is wrong with it (reserved bits set, reserved frame
 * type, the 25th length bit with other length bits set).
 */
export function readFrameHeader(
  buf: Uint8Array,
  offset: number,
): { type: FrameType; length: number } | { error: string } {
  const b0 = buf[offset];
  const length = (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3];
  if (b0 <= FrameType.PONG) return { type: b0 as FrameType, length };
  if (b0 & 0xf0) {
    return { error: `reserved bits set in a RawSocket frame header (first octet 0x${hex(b0)})` };
  }
  const type = b0 & 0x07;
  if (type > FrameType.PONG) return { error: `reserved RawSocket frame type ${type}` };
  if (length !== 0) {
    return {
      error: `invalid RawSocket frame length: the 25th length bit is set along with others`,
    };
  }
  return { type: type as FrameType, length: MAX_MAX_MESSAGE_SIZE };
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, "0");
}
