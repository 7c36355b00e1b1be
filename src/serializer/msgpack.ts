/**
 * The MessagePack serializer (`wamp.2.msgpack`, RawSocket id 2), on msgpackr.
 *
 * Standard bytes only: no records, no structured clone, `undefined` as nil,
 * `Uint8Array` ↔ bin. Decoded maps are plain objects, decoded bin is a plain
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

import { C1, Packr, Unpackr } from "msgpackr";
import { SerializationError, type Serializer } from "./serializer.ts";

const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
// "auto" (numbers up to 2^53, bigint beyond) is missing from msgpackr's typings.
const unpackrOptions = {
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "auto",
  copyBuffers: true,
};
const unpackr = new Unpackr(unpackrOptions as unknown as ConstructorParameters<typeof Unpackr>[0]);

/** The MessagePack serializer. */
export const msgpackSerializer: Serializer = {
  name: "msgpack",
  rawsocketId: 2,
  binary: true,
  encode: encodeMsgpack,
  decode: decodeMsgpack,
};

/**
 * Encodes `value` as MessagePack. Integral numbers in [-2^53, 2^53] outside
 * 32 bits are written as int64/uint64, never as float64.
 *
 * @throws SerializationError for values MessagePack cannot hold
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  let out: Uint8Array;
  try {
    out = packr.pack(value);
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
 *   or a top-level never-used byte (0xc1)
 */
export function decodeMsgpack(data: string | Uint8Array): unknown {
  if (!(data instanceof Uint8Array)) {
    throw new SerializationError(`MessagePack input must be bytes, got ${typeof data}`);
  }
  if (data.length === 0) throw new SerializationError("invalid MessagePack: empty input");
  let value: unknown;
  try {
    value = unpackr.unpack(data);
  } catch (e) {
    throw new SerializationError(`invalid MessagePack: ${errorText(e)}`);
  }
  if (value === C1) throw new SerializationError("invalid MessagePack: never-used byte 0xc1");
  return value;
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
      continue;
    }
    if (t < 0xc0) { // fixstr
      i += 1 + (t & 0x1f);
      continue;
    }
    switch (t) {
      case 0xcb: { // float64
        for (let k = 0; k < 8; k++) scratch.setUint8(k, b[i + 1 + k]);
        const v = scratch.getFloat64(0);
        if (Number.isInteger(v) && v >= -TWO_53 && v <= TWO_53) {
          const hi = Math.floor(v / TWO_32);
          const lo = v - hi * TWO_32;
          b[i] = v < 0 ? 0xd3 : 0xcf;
          writeU32(b, i + 1, hi >>> 0);
          writeU32(b, i + 5, lo);
        }
        i += 9;
        break;
      }
      case 0xc0: // nil
      case 0xc1: // never used
      case 0xc2: // false
      case 0xc3: // true
        i += 1;
        break;
      case 0xcc: // uint8
      case 0xd0: // int8
        i += 2;
        break;
      case 0xcd: // uint16
      case 0xd1: // int16
      case 0xd4: // fixext 1 (type + 1)
        i += 3;
        break;
      case 0xd5: // fixext 2
        i += 4;
        break;
      case 0xca: // float32
      case 0xce: // uint32
      case 0xd2: // int32
        i += 5;
        break;
      case 0xd6: // fixext 4
        i += 6;
        break;
      case 0xcf: // uint64
      case 0xd3: // int64
        i += 9;
        break;
      case 0xd7: // fixext 8
        i += 10;
        break;
      case 0xd8: // fixext 16
        i += 18;
        break;
      case 0xc4: // bin 8
      case 0xd9: // str 8
        i += 2 + b[i + 1];
        break;
      case 0xc5: // bin 16
      case 0xda: // str 16
        i += 3 + readU16(b, i + 1);
        break;
      case 0xc6: // bin 32
      case 0xdb: // str 32
        i += 5 + readU32(b, i + 1);
        break;
      case 0xc7: // ext 8 (len, type, data)
        i += 3 + b[i + 1];
        break;
      case 0xc8: // ext 16
        i += 4 + readU16(b, i + 1);
        break;
      case 0xc9: // ext 32
        i += 6 + readU32(b, i + 1);
        break;
      case 0xdc: // array 16
      case 0xde: // map 16
        i += 3;
        break;
      default: // 0xdd array 32, 0xdf map 32
        i += 5;
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
