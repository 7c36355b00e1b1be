/**
 * The long-poll transport's protocols and how messages sit in an HTTP body.
 *
 * The spec (WAMP, "HTTP Longpoll Transport") names `wamp.2.json`,
 * `wamp.2.json.batched`, `wamp.2.msgpack` and `wamp.2.msgpack.batched`;
 * xbar also speaks `wamp.2.cbor` and `wamp.2.cbor.batched` (framed like
 * msgpack). Framing:
 *
 * - unbatched: a body is exactly one serialized message; a `receive` answer
 *   carries at most one message.
 * - batched JSON: every message is followed by the byte `0x1e` (record
 *   separator); a `receive` answer carries every message pending.
 * - batched binary (msgpack, cbor): every message is preceded by its length
 *   as a 32-bit unsigned big-endian integer.
 *
 * A batch of zero messages is illegal (spec, "Message Batching").
 *
 * @module
 */

import { encodeShared } from "../serializer/shared_encode.ts";
import { concatBytes } from "./concat_bytes.ts";
import { SerializationError, type Serializer } from "../serializer/serializer.ts";

/** A negotiated long-poll protocol. */
export interface LongPollProtocol {
  /** The protocol name, e.g. `wamp.2.json.batched`. */
  readonly name: string;
  /** The serializer. */
  readonly serializer: Serializer;
  /** Several messages per HTTP body. */
  readonly batched: boolean;
  /** `Content-Type` of `receive` answers. */
  readonly contentType: string;
}

/** The outcome of `chooseLongPollProtocol`. */
export type LongPollProtocolChoice =
  | { ok: true; protocol: LongPollProtocol }
  | { ok: false; reason: string };

const RECORD_SEPARATOR = 0x1e;
const encoder = new TextEncoder();
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** `Content-Type` of each serializer's long-poll bodies. */
export function contentTypeOf(serializer: Serializer): string {
  switch (serializer.name) {
    case "json":
      return "application/json; charset=utf-8";
    case "msgpack":
      return "application/x-msgpack";
    case "cbor":
      return "application/cbor";
  }
}

/** Every protocol name `serializers` allow, batched first per serializer. */
export function longPollProtocolNames(serializers: readonly Serializer[]): string[] {
  return serializers.flatMap((s) => [`wamp.2.${s.name}.batched`, `wamp.2.${s.name}`]);
}

/**
 * Picks the first protocol of the client's `protocols` list (the `open`
 * request's attribute, not yet validated) that `serializers` allow.
 */
export function chooseLongPollProtocol(
  protocols: unknown,
  serializers: readonly Serializer[],
): LongPollProtocolChoice {
  const ours = longPollProtocolNames(serializers).join(", ");
  if (!Array.isArray(protocols) || protocols.length === 0) {
    return {
      ok: false,
      reason:
        `"protocols" must be a non-empty list of protocol names (this endpoint speaks ${ours})`,
    };
  }
  for (const p of protocols) {
    if (typeof p !== "string") {
      return { ok: false, reason: `"protocols" must hold strings, got ${JSON.stringify(p)}` };
    }
  }
  for (const p of protocols as string[]) {
    const m = /^wamp\.2\.([a-z]+)(\.batched)?$/.exec(p);
    if (!m) continue;
    const serializer = serializers.find((s) => s.name === m[1]);
    if (!serializer) continue;
    return {
      ok: true,
      protocol: {
        name: p,
        serializer,
        batched: m[2] !== undefined,
        contentType: contentTypeOf(serializer),
      },
    };
  }
  let theirs = (protocols as string[]).join(", ");
  if (theirs.length > 200) theirs = `${theirs.slice(0, 200)}...`;
  return {
    ok: false,
    reason: `no common protocol: offered ${theirs}; this endpoint speaks ${ours}`,
  };
}

/**
 * Serializes one message for the wire as bytes, framed for `protocol`
 * (with its separator or length prefix when batched).
 *
 * @throws SerializationError when the serializer cannot encode `msg`
 */
export function encodeFrame(protocol: LongPollProtocol, msg: unknown): Uint8Array {
  const data = encodeShared(protocol.serializer, msg);
  if (typeof data === "string") {
    const text = encoder.encode(data);
    if (!protocol.batched) return text;
    const out = new Uint8Array(text.byteLength + 1);
    out.set(text);
    out[text.byteLength] = RECORD_SEPARATOR;
    return out;
  }
  if (!protocol.batched) return data;
  const out = new Uint8Array(data.byteLength + 4);
  new DataView(out.buffer).setUint32(0, data.byteLength);
  out.set(data, 4);
  return out;
}

/** The payload size of a frame from `encodeFrame` (without separator or length prefix). */
export function payloadSize(protocol: LongPollProtocol, frame: Uint8Array): number {
  if (!protocol.batched) return frame.byteLength;
  return frame.byteLength - (protocol.serializer.binary ? 4 : 1);
}

/** Concatenates frames into one body. */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array {
  return concatBytes(frames);
}

/**
 * Decodes a `send` body into messages (one, or a batch of one or more).
 * Values are decoded, not validated as WAMP messages.
 *
 * @throws SerializationError for an undecodable body or an empty batch
 */
export function decodeBody(protocol: LongPollProtocol, body: Uint8Array): unknown[] {
  const serializer = protocol.serializer;
  if (!protocol.batched) {
    if (body.byteLength === 0) {
      throw new SerializationError("empty request body: expected one WAMP message");
    }
    return [serializer.decode(body)];
  }
  const out: unknown[] = [];
  if (!serializer.binary) {
    let text: string;
    try {
      text = utf8Fatal.decode(body);
    } catch {
      throw new SerializationError("invalid UTF-8 in JSON batch");
    }
    const parts = text.split("\x1e");
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === "") {
        if (parts.length === 1) break;
        throw new SerializationError(`empty message at position ${i} of a JSON batch`);
      }
      out.push(serializer.decode(parts[i]));
    }
  } else {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    let at = 0;
    while (at < body.byteLength) {
      if (at + 4 > body.byteLength) {
        throw new SerializationError(
          `truncated length prefix at byte ${at} of a ${serializer.name} batch`,
        );
      }
      const n = view.getUint32(at);
      at += 4;
      if (at + n > body.byteLength) {
        throw new SerializationError(
          `message of ${n} bytes at byte ${
            at - 4
          } runs past the end of the ${serializer.name} batch`,
        );
      }
      out.push(serializer.decode(body.subarray(at, at + n)));
      at += n;
    }
  }
  if (out.length === 0) throw new SerializationError("a batch of zero messages is not allowed");
  return out;
}
