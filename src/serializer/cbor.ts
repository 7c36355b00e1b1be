/**
 * The CBOR serializer (`wamp.2.cbor`, RawSocket id 3), on cbor-x.
 *
 * Standard CBOR only: no records, no structured clone, no packing, no tag 64
 * on `Uint8Array` (a plain byte string), maps as plain objects, `undefined`
 * written as null (as JSON and MessagePack do). Input is checked for
 * well-formedness before cbor-x sees it (see `checkWellFormed`), and only
 * standard data tags are accepted. Decoded byte strings are plain
 * `Uint8Array` copies that never alias the input buffer.
 *
 * Integers: cbor-x writes every integer outside 32 bits as a float64, and
 * other implementations (Autobahn|Python among them) reject a float where an
 * id is expected, while WAMP ids are up to 2^53. So after encoding, the output
 * is scanned once and every float64 holding an integer in [-2^53, 2^53] is
 * rewritten in place as a major type 0/1 integer (same size). On decode,
 * 64-bit integers in [-2^53, 2^53] become numbers and larger ones stay
 * `bigint` (exact, re-encoded exactly, and rejected as ids by
 * `parseMessage`). So a JS number always comes back a number, and a 64-bit
 * integer from elsewhere is never rounded.
 *
 * @module
 */

import type { Decoder, Encoder } from "cbor-x";
import { MAX_NESTING_DEPTH, SerializationError, type Serializer } from "./serializer.ts";
import { importLater } from "../import_later.ts";

let encoder: Encoder | undefined;
let decoder: Decoder | undefined;
let loading: Promise<void> | undefined;

/** Imports cbor-x (once; see `Serializer.load`). */
function load(): Promise<void> {
  loading ??= importLater<typeof import("cbor-x")>("cbor-x").then((m) => {
    encoder = new m.Encoder({
      useRecords: false,
      mapsAsObjects: true,
      variableMapSize: true,
      tagUint8Array: false,
      structuredClone: false,
      pack: false,
      bundleStrings: false,
      // Not in cbor-x's typings: plain CBOR maps for JS Maps, no tag 259.
      ...{ useTag259ForMaps: false },
    });
    decoder = new m.Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true });
  });
  return loading;
}

function notLoaded(): never {
  throw new SerializationError(
    "the CBOR serializer is not loaded yet: await cborSerializer.load() first",
  );
}

/** The CBOR serializer. */
export const cborSerializer: Serializer = {
  name: "cbor",
  rawsocketId: 3,
  binary: true,
  encode: encodeCbor,
  decode: decodeCbor,
  load,
};

/**
 * Encodes `value` as CBOR. Integral numbers in [-2^53, 2^53] outside 32 bits
 * are written as integers, never as float64; `undefined` is written as null.
 *
 * @throws SerializationError for values CBOR cannot hold
 */
export function encodeCbor(value: unknown): Uint8Array {
  const e = encoder ?? notLoaded();
  let out: Uint8Array;
  try {
    out = e.encode(value);
  } catch (e) {
    throw new SerializationError(`cannot encode as CBOR: ${errorText(e)}`);
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  fixTokens(bytes);
  return bytes;
}

/**
 * Decodes exactly one CBOR data item.
 *
 * @throws SerializationError for malformed or truncated input, trailing bytes,
 *   a tag outside the standard data tags, a bignum longer than
 *   `CBOR_MAX_BIGNUM_BYTES`, or nesting deeper than `CBOR_MAX_DEPTH`
 */
export function decodeCbor(data: string | Uint8Array): unknown {
  if (!(data instanceof Uint8Array)) {
    throw new SerializationError(`CBOR input must be bytes, got ${typeof data}`);
  }
  const d = decoder ?? notLoaded();
  const hasBigInts = checkWellFormed(data);
  let value: unknown;
  try {
    value = d.decode(data);
  } catch (e) {
    throw new SerializationError(`invalid CBOR: ${errorText(e)}`);
  }
  // cbor-x returns every 8-byte integer and every bignum as bigint; only then
  // is a walk needed to turn the ones in the safe range into numbers.
  if (hasBigInts) value = safeBigIntsToNumbers(value);
  return value;
}

/** Deepest nesting of arrays, maps and indefinite-length strings `decodeCbor` accepts. */
export const CBOR_MAX_DEPTH: number = MAX_NESTING_DEPTH;
/** Longest bignum (tags 2 and 3) `decodeCbor` accepts, in bytes (8192 bits). */
export const CBOR_MAX_BIGNUM_BYTES = 1024;
const pending = new Float64Array(CBOR_MAX_DEPTH);
const INDEFINITE = -1;

/**
 * Checks, without allocating, that `b` is exactly one well-formed CBOR data
 * item: every declared length and element count is backed by bytes, breaks
 * only close indefinite-length items, no reserved head (28-30), only allowed
 * tags (`isAllowedTag`), bignums of at most `CBOR_MAX_BIGNUM_BYTES`, nesting
 * at most `CBOR_MAX_DEPTH`, no trailing bytes. This runs before cbor-x, which
 * allocates arrays of the declared size up front: without it a 100-byte frame
 * declaring nested arrays of a million elements costs most of a second of CPU.
 *
 * @returns whether the item holds 64-bit integers or bignums (cbor-x decodes
 *   those as bigint, even small ones)
 */
function checkWellFormed(b: Uint8Array): boolean {
  const n = b.length;
  let hasBigInts = false;
  let bignumNext = false;
  let pos = 0;
  let need = 1; // items still expected at the current level, or INDEFINITE
  let depth = 0;
  while (need !== 0) {
    if (pos >= n) throw new SerializationError("invalid CBOR: truncated input");
    const t = b[pos];
    const major = t >> 5;
    const info = t & 0x1f;
    if (t === 0xff) { // break
      if (need !== INDEFINITE) throw new SerializationError("invalid CBOR: unexpected break");
      pos += 1;
      need = pending[--depth];
    } else {
      let arg: number;
      if (info < 24) {
        arg = info;
        pos += 1;
      } else if (info === 24) {
        arg = b[pos + 1];
        pos += 2;
      } else if (info === 25) {
        arg = (b[pos + 1] << 8) | b[pos + 2];
        pos += 3;
      } else if (info === 26) {
        arg = readU32(b, pos + 1);
        pos += 5;
      } else if (info === 27) {
        arg = readU32(b, pos + 1) * TWO_32 + readU32(b, pos + 5);
        pos += 9;
        if (major <= 1) hasBigInts = true;
      } else if (info === 31 && major >= 2 && major <= 5) {
        arg = INDEFINITE;
        pos += 1;
      } else {
        throw new SerializationError(`invalid CBOR: malformed head 0x${t.toString(16)}`);
      }
      if (bignumNext) {
        // cbor-x builds a bignum byte by byte, quadratic in its length
        if (major !== 2 || arg === INDEFINITE || arg > CBOR_MAX_BIGNUM_BYTES) {
          throw new SerializationError(
            `invalid CBOR: a bignum must be a byte string of at most ${CBOR_MAX_BIGNUM_BYTES} bytes`,
          );
        }
        bignumNext = false;
      }
      if (major === 6) { // a tag and the item it tags count as one item
        if (!isAllowedTag(arg)) {
          throw new SerializationError(`invalid CBOR: unsupported tag ${arg}`);
        }
        if (arg === 2 || arg === 3) hasBigInts = bignumNext = true;
        continue;
      }
      if (need !== INDEFINITE) need--;
      let children = 0;
      if (major === 2 || major === 3) { // byte / text string
        if (arg === INDEFINITE) children = INDEFINITE;
        else pos += arg;
      } else if (major === 4) {
        children = arg;
      } else if (major === 5) {
        children = arg === INDEFINITE ? INDEFINITE : arg * 2;
      }
      if (children !== 0) {
        if (depth === CBOR_MAX_DEPTH) {
          throw new SerializationError(
            `invalid CBOR: nesting deeper than ${CBOR_MAX_DEPTH} levels`,
          );
        }
        pending[depth++] = need;
        need = children;
      }
    }
    while (need === 0 && depth > 0) need = pending[--depth];
  }
  if (pos > n) throw new SerializationError("invalid CBOR: truncated input");
  if (pos < n) throw new SerializationError(`invalid CBOR: ${n - pos} bytes after the message`);
  return hasBigInts;
}

/**
 * Tags accepted on input: standard data tags (dates, bignums, decimal
 * fractions and bigfloats, encoding hints, embedded CBOR, URI, base64, regexp
 * and MIME text, UUID, typed arrays, sets, maps, self-describe). Anything else
 * is refused: cbor-x gives several other tags special powers (shared
 * references that build cycles, packed strings that expand, records, object
 * construction) that have no place in a WAMP message.
 */
function isAllowedTag(tag: number): boolean {
  return tag <= 5 || (tag >= 21 && tag <= 24) || (tag >= 32 && tag <= 37) ||
    (tag >= 64 && tag <= 87) || tag === 258 || tag === 259 || tag === 55799;
}

const MAX_SAFE = BigInt(2 ** 53);
const MIN_SAFE = -MAX_SAFE;

/** Replaces bigints in [-2^53, 2^53] by numbers, in place; returns the (possibly replaced) root. */
function safeBigIntsToNumbers(v: unknown): unknown {
  if (typeof v === "bigint") return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === "bigint" || typeof x === "object") v[i] = safeBigIntsToNumbers(x);
    }
    return v;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // Date, Tag, Map...: leave as is
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === "bigint" || typeof x === "object") o[k] = safeBigIntsToNumbers(x);
  }
  return v;
}

// Scratch space for reading a big-endian float64 without allocating.
const scratch = new DataView(new ArrayBuffer(8));
const TWO_32 = 0x100000000;
const TWO_53 = 2 ** 53;

/**
 * Walks the CBOR token stream in `b` and, in place, rewrites each float64
 * holding an integer in [-2^53, 2^53] as a 64-bit major type 0/1 integer and
 * each `undefined` (0xf7) as null (0xf6). Larger integral doubles stay
 * float64: they are JS numbers, not exact integers, and decode back as numbers.
 */
function fixTokens(b: Uint8Array): void {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const t = b[i];
    const major = t >> 5;
    const info = t & 0x1f;
    if (info < 24 || info === 31) { // value in the head, or indefinite length / break
      if (t === 0xf7) b[i] = 0xf6;
      i += 1;
      if (major === 2 || major === 3) i += info === 31 ? 0 : info;
      continue;
    }
    if (t === 0xfb) { // float64
      for (let k = 0; k < 8; k++) scratch.setUint8(k, b[i + 1 + k]);
      const v = scratch.getFloat64(0);
      if (Number.isInteger(v) && v >= -TWO_53 && v <= TWO_53) {
        // major 0 carries v, major 1 carries -1 - v; both exact below 2^53 + 1
        const arg = v < 0 ? -1 - v : v;
        const hi = Math.floor(arg / TWO_32);
        b[i] = v < 0 ? 0x3b : 0x1b;
        writeU32(b, i + 1, hi);
        writeU32(b, i + 5, arg - hi * TWO_32);
      }
      i += 9;
      continue;
    }
    let len: number;
    let head: number;
    switch (info) {
      case 24:
        head = 2;
        len = b[i + 1];
        break;
      case 25:
        head = 3;
        len = (b[i + 1] << 8) | b[i + 2];
        break;
      case 26:
        head = 5;
        len = readU32(b, i + 1);
        break;
      case 27:
        head = 9;
        len = readU32(b, i + 1) * TWO_32 + readU32(b, i + 5);
        break;
      default: // 28-30 are reserved: the encoder never writes them
        return;
    }
    i += head;
    if (major === 2 || major === 3) i += len;
  }
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
