/**
 * The JSON serializer (`wamp.2.json`, RawSocket id 1), with the spec's
 * binary convention: a `Uint8Array` travels as the string `"\0"` + base64.
 *
 * Speed: the common message has no binary, so encoding first walks the value
 * looking for a `Uint8Array` or `bigint` (cheap, no allocation) and uses a
 * plain `JSON.stringify` when there is none; only then a replacer. Decoding
 * looks for the escaped NUL (`\u0000`) in the text and only then walks the
 * result to turn `"\0..."` strings into bytes. Bytes are decoded as UTF-8
 * with a fast non-fatal decoder; when the result contains U+FFFD the input is
 * re-checked with a fatal decoder, so invalid UTF-8 is a `SerializationError`.
 *
 * Nesting: `JSON.parse` of a deeply nested text (`[[[[...` over 16 MiB)
 * stalled the whole worker for seconds and took hundreds of MiB, so text
 * long enough to nest deeper than `JSON_MAX_DEPTH` (at least two characters
 * per level) is scanned first and refused at the first bracket too deep. The
 * scan skips strings with `indexOf` and stops early: its cost is bounded by
 * the text's length (measured: 0.43x of `JSON.parse` for bracket-heavy
 * 0.9 MB messages, 0.09x for string-heavy ones; shorter texts skip it).
 *
 * Numbers: JSON numbers become JS numbers, so integers beyond 2^53 lose
 * precision on decode (as with any `JSON.parse`). A `bigint` is encoded as an
 * exact integer literal.
 *
 * @module
 */

import { MAX_NESTING_DEPTH, SerializationError, type Serializer } from "./serializer.ts";

/** Deepest nesting of arrays and objects `decodeJson` accepts (as MessagePack and CBOR). */
export const JSON_MAX_DEPTH: number = MAX_NESTING_DEPTH;

const utf8 = new TextDecoder("utf-8");
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

// Uint8Array base64 helpers (V8 >= 14.x); typed here because not every TS lib has them.
type Base64Uint8Array = Uint8Array & { toBase64(): string };
type Base64Uint8ArrayConstructor = { fromBase64(s: string): Uint8Array };
const fromBase64 = (Uint8Array as unknown as Base64Uint8ArrayConstructor).fromBase64;
type RawJson = { rawJSON(text: string): unknown };
const rawJSON = (JSON as unknown as RawJson).rawJSON;

/** The JSON serializer. `encode` returns a string; `decode` takes a string or UTF-8 bytes. */
export const jsonSerializer: Serializer = {
  name: "json",
  rawsocketId: 1,
  binary: false,
  encode: encodeJson,
  decode: decodeJson,
  load: () => Promise.resolve(),
};

/**
 * Encodes `value` as JSON text, `Uint8Array` as `"\0"+base64` and `bigint` as
 * an integer literal.
 *
 * @throws SerializationError for values JSON cannot hold (cycles, ...)
 */
export function encodeJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = needsReplacer(value) ? JSON.stringify(value, replacer) : JSON.stringify(value);
  } catch (e) {
    throw new SerializationError(`cannot encode as JSON: ${errorText(e)}`);
  }
  if (text === undefined) throw new SerializationError("cannot encode as JSON: nothing to encode");
  return text;
}

/**
 * Decodes one JSON message from text or UTF-8 bytes; strings starting with
 * `"\0"` become `Uint8Array` (the rest is base64).
 *
 * @throws SerializationError for invalid UTF-8, invalid JSON or invalid base64 after `"\0"`
 */
export function decodeJson(data: string | Uint8Array): unknown {
  let text: string;
  if (typeof data === "string") {
    text = data;
  } else if (data instanceof Uint8Array) {
    text = utf8.decode(data);
    if (text.includes("\uFFFD")) {
      try {
        text = utf8Fatal.decode(data);
      } catch {
        throw new SerializationError("invalid UTF-8 in JSON message");
      }
    }
  } else {
    throw new SerializationError(`JSON input must be a string or bytes, got ${typeof data}`);
  }
  if (text.length > 2 * JSON_MAX_DEPTH && nestedDeeperThan(text, JSON_MAX_DEPTH)) {
    throw new SerializationError(`invalid JSON: nesting deeper than ${JSON_MAX_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SerializationError(`invalid JSON: ${errorText(e)}`);
  }
  // A NUL can only appear in JSON text escaped, as \u0000.
  if (text.includes("\\u0000")) value = reviveBinary(value);
  return value;
}

/**
 * True when `text` opens more than `max` arrays/objects at once. Brackets in
 * strings do not count (a string is skipped with `indexOf` to its closing
 * quote); malformed text is left to `JSON.parse`.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the next quote not escaped by an odd run of backslashes.
      let q = text.indexOf('"', i + 1);
      for (;;) {
        if (q < 0) return false;
        let slashes = 0;
        while (q - 1 - slashes > i && text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        q = text.indexOf('"', q + 1);
      }
      i = q;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** True when `v` holds a Uint8Array or a bigint anywhere. Allocation-free. */
function needsReplacer(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return typeof v === "bigint";
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === "object" ? x !== null && needsReplacer(x) : typeof x === "bigint") {
        return true;
      }
    }
    return false;
  }
  if (v instanceof Uint8Array) return true;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === "object" ? x !== null && needsReplacer(x) : typeof x === "bigint") return true;
  }
  return false;
}

function replacer(this: Record<string, unknown>, key: string, v: unknown): unknown {
  if (typeof v === "object") {
    // `v` is already the toJSON() result (a Buffer has one); the holder has the original.
    const original = this[key];
    if (original instanceof Uint8Array) return "\0" + (original as Base64Uint8Array).toBase64();
  } else if (typeof v === "bigint") {
    return rawJSON(v.toString());
  }
  return v;
}

/** Replaces `"\0"+base64` strings by bytes, in place; returns the (possibly replaced) root. */
function reviveBinary(v: unknown): unknown {
  if (typeof v === "string") return v.charCodeAt(0) === 0 ? base64ToBytes(v) : v;
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === "string" || typeof x === "object") v[i] = reviveBinary(x);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === "string" || typeof x === "object") {
      const y = reviveBinary(x);
      if (y === x) continue;
      // An own "__proto__" key (JSON.parse makes one) must stay a key, not set the prototype.
      if (k === "__proto__") {
        Object.defineProperty(o, k, {
          value: y,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else o[k] = y;
    }
  }
  return v;
}

function base64ToBytes(s: string): Uint8Array {
  try {
    return fromBase64(s.slice(1));
  } catch {
    throw new SerializationError("invalid base64 in a binary string (one that starts with \\0)");
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
