/**
 * The MessagePack serializer (`wamp.2.msgpack`, RawSocket id 2), on msgpackr.
 *
 * Standard bytes only: no records, no structured clone, `undefined` as nil,
 * `Uint8Array` ↔ bin. Input is checked for well-formedness before msgpackr
 * sees it (see `checkWellFormed`), and only the timestamp extension is
 * accepted. Decoded maps are plain objects, decoded bin is a plain
 * `Uint8Array` (a copy: it never aliases the input buffer).
 *
 * Integers: msgpackr writes every integer outside 32 bits as a float64, and
 * other implementations (Autobahn|Python among them) reject a float where an
 * id is expected, while WAMP ids are up to 2^53. So after packing, the output
 * is scanned once and every float64 holding an integer in [-2^53, 2^53] is
 * rewritten in place as int64/uint64 (same size). On decode, integers in
 * [-2^53, 2^53] are numbers and larger ones `bigint` (exact, re-encoded
 * exactly, and rejected as ids by `parseMessage`). So a JS number always
 * comes back a number, and a 64-bit integer from elsewhere is never rounded.
 *
 * @module
 */

import type { Packr, Unpackr } from "msgpackr";
import { MAX_NESTING_DEPTH, SerializationError, type Serializer } from "./serializer.ts";
import { importLater } from "../import_later.ts";

let packr: Packr | undefined;
let unpackr: Unpackr | undefined;
let loading: Promise<void> | undefined;

/** Imports msgpackr (once; see `Serializer.load`). */
function load(): Promise<void> {
  loading ??= importLater<typeof import("msgpackr")>("msgpackr").then((m) => {
    packr = new m.Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
    // "auto" (numbers up to 2^53, bigint beyond) is missing from msgpackr's typings.
    const unpackrOptions = {
      useRecords: false,
      mapsAsObjects: true,
      int64AsType: "auto",
      copyBuffers: true,
    };
    unpackr = new m.Unpackr(
      unpackrOptions as unknown as ConstructorParameters<typeof Unpackr>[0],
    );
  });
  return loading;
}

function notLoaded(): never {
  throw new SerializationError(
    "the MessagePack serializer is not loaded yet: await msgpackSerializer.load() first",
  );
}

/** The MessagePack serializer. */
export const msgpackSerializer: Serializer = {
  name: "msgpack",
  rawsocketId: 2,
  binary: true,
  encode: encodeMsgpack,
  decode: decodeMsgpack,
  load,
};

/**
 * Encodes `value` as MessagePack. Integral numbers in [-2^53, 2^53] outside
 * 32 bits are written as int64/uint64, never as float64.
 *
 * @throws SerializationError for values MessagePack cannot hold
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  const p = packr ?? notLoaded();
  let out: Uint8Array;
  try {
    out = p.pack(value);
  } catch (e) {
    throw new SerializationError(`cannot encode as MessagePack: ${errorText(e)}`);
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  integralFloatsToInts(bytes);
  return bytes;
}

/**
 * Decodes exactly one MessagePack value.
 *
 * @throws SerializationError for malformed or truncated input, trailing bytes,
 *   the never-used byte 0xc1, an extension type other than -1 (timestamp), or
 *   nesting deeper than `MSGPACK_MAX_DEPTH`
 */
export function decodeMsgpack(data: string | Uint8Array): unknown {
  if (!(data instanceof Uint8Array)) {
    throw new SerializationError(`MessagePack input must be bytes, got ${typeof data}`);
  }
  const u = unpackr ?? notLoaded();
  checkWellFormed(data);
  try {
    return u.unpack(data);
  } catch (e) {
    throw new SerializationError(`invalid MessagePack: ${errorText(e)}`);
  }
}

/** Deepest nesting of arrays and maps `decodeMsgpack` accepts. */
export const MSGPACK_MAX_DEPTH: number = MAX_NESTING_DEPTH;
const pending = new Float64Array(MSGPACK_MAX_DEPTH);

/**
 * Checks, without allocating, that `b` is exactly one well-formed MessagePack
 * value: every declared length and element count is backed by bytes, no
 * never-used byte (0xc1), no extension but the timestamp (-1), nesting at
 * most `MSGPACK_MAX_DEPTH`, no trailing bytes. This runs before msgpackr,
 * which allocates arrays of the declared size up front: without it a 100-byte
 * frame declaring nested arrays of a million elements costs a quarter second
 * of CPU.
 */
function checkWellFormed(b: Uint8Array): void {
  const n = b.length;
  let pos = 0;
  let need = 1; // items still expected at the current level
  let depth = 0;
  while (need > 0) {
    if (pos >= n) throw new SerializationError("invalid MessagePack: truncated input");
    const t = b[pos];
    need--;
    let children = 0;
    if (t < 0x80 || t >= 0xe0) { // positive / negative fixint
      pos += 1;
    } else if (t < 0x90) { // fixmap
      children = (t & 0x0f) * 2;
      pos += 1;
    } else if (t < 0xa0) { // fixarray
      children = t & 0x0f;
      pos += 1;
    } else if (t < 0xc0) { // fixstr
      pos += 1 + (t & 0x1f);
    } else {
      switch (t) {
        case 0xc1:
          throw new SerializationError("invalid MessagePack: never-used byte 0xc1");
        case 0xdc: // array 16
          children = readU16(b, pos + 1);
          pos += 3;
          break;
        case 0xdd: // array 32
          children = readU32(b, pos + 1);
          pos += 5;
          break;
        case 0xde: // map 16
          children = readU16(b, pos + 1) * 2;
          pos += 3;
          break;
        case 0xdf: // map 32
          children = readU32(b, pos + 1) * 2;
          pos += 5;
          break;
        default:
          if (t >= 0xc7 && t <= 0xc9 || t >= 0xd4 && t <= 0xd8) checkExtType(b, pos);
          pos += scalarSize(b, pos);
      }
    }
    if (children > 0) {
      if (depth === MSGPACK_MAX_DEPTH) {
        throw new SerializationError(
          `invalid MessagePack: nesting deeper than ${MSGPACK_MAX_DEPTH} levels`,
        );
      }
      pending[depth++] = need;
      need = children;
    }
    while (need === 0 && depth > 0) need = pending[--depth];
  }
  if (pos > n) throw new SerializationError("invalid MessagePack: truncated input");
  if (pos < n) {
    throw new SerializationError(`invalid MessagePack: ${n - pos} bytes after the message`);
  }
}

/**
 * Only the standard timestamp extension (type -1) is accepted: msgpackr's own
 * extensions (records, shared references that make cycles, Error, RegExp...)
 * are not MessagePack, and records change how later bytes of the message read.
 */
function checkExtType(b: Uint8Array, i: number): void {
  const t = b[i];
  const at = t >= 0xd4 ? i + 1 : t === 0xc7 ? i + 2 : t === 0xc8 ? i + 3 : i + 5;
  if (at < b.length && b[at] !== 0xff) {
    const type = (b[at] << 24) >> 24;
    throw new SerializationError(`invalid MessagePack: unsupported extension type ${type}`);
  }
}

/** Size in bytes (head and payload) of the non-container token at `i`, head 0xc0-0xdb. */
function scalarSize(b: Uint8Array, i: number): number {
  switch (b[i]) {
    case 0xcc: // uint8
    case 0xd0: // int8
      return 2;
    case 0xcd: // uint16
    case 0xd1: // int16
    case 0xd4: // fixext 1 (type + 1)
      return 3;
    case 0xd5: // fixext 2
      return 4;
    case 0xca: // float32
    case 0xce: // uint32
    case 0xd2: // int32
      return 5;
    case 0xd6: // fixext 4
      return 6;
    case 0xcb: // float64
    case 0xcf: // uint64
    case 0xd3: // int64
      return 9;
    case 0xd7: // fixext 8
      return 10;
    case 0xd8: // fixext 16
      return 18;
    case 0xc4: // bin 8
    case 0xd9: // str 8
      return 2 + b[i + 1];
    case 0xc5: // bin 16
    case 0xda: // str 16
      return 3 + readU16(b, i + 1);
    case 0xc6: // bin 32
    case 0xdb: // str 32
      return 5 + readU32(b, i + 1);
    case 0xc7: // ext 8 (len, type, data)
      return 3 + b[i + 1];
    case 0xc8: // ext 16
      return 4 + readU16(b, i + 1);
    case 0xc9: // ext 32
      return 6 + readU32(b, i + 1);
    default: // 0xc0 nil, 0xc2 false, 0xc3 true
      return 1;
  }
}

// Scratch space for reading a big-endian float64 without allocating.
const scratch = new DataView(new ArrayBuffer(8));
const TWO_32 = 0x100000000;
const TWO_53 = 2 ** 53;

/**
 * Walks the MessagePack token stream in `b` (as msgpackr writes it) and
 * rewrites each float64 that holds an integer in [-2^53, 2^53] as int64
 * (negative) or uint64, in place. Larger integral doubles stay float64: they
 * are JS numbers, not exact integers, and decode back as numbers.
 */
function integralFloatsToInts(b: Uint8Array): void {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const t = b[i];
    if (t < 0xa0 || t >= 0xe0) { // fixint, fixmap, fixarray, negative fixint
      i += 1;
    } else if (t < 0xc0) { // fixstr
      i += 1 + (t & 0x1f);
    } else if (t === 0xcb) { // float64
      for (let k = 0; k < 8; k++) scratch.setUint8(k, b[i + 1 + k]);
      const v = scratch.getFloat64(0);
      if (Number.isInteger(v) && v >= -TWO_53 && v <= TWO_53) {
        const hi = Math.floor(v / TWO_32);
        b[i] = v < 0 ? 0xd3 : 0xcf;
        writeU32(b, i + 1, hi >>> 0);
        writeU32(b, i + 5, v - hi * TWO_32);
      }
      i += 9;
    } else if (t >= 0xdc) { // array 16/32, map 16/32: heads only
      i += t & 1 ? 5 : 3;
    } else {
      i += scalarSize(b, i);
    }
  }
}

function readU16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

function readU32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

function writeU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
