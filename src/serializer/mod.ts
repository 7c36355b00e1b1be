/**
 * The WAMP serializers (JSON, MessagePack, CBOR) and lookups by WebSocket
 * subprotocol and RawSocket serializer id.
 *
 * @module
 */

import { cborSerializer } from "./cbor.ts";
import { jsonSerializer } from "./json.ts";
import { msgpackSerializer } from "./msgpack.ts";
import type { Serializer, SerializerName } from "./serializer.ts";

export { SerializationError } from "./serializer.ts";
export type { Serializer, SerializerName } from "./serializer.ts";
export { cborSerializer, decodeCbor, encodeCbor } from "./cbor.ts";
export { decodeJson, encodeJson, jsonSerializer } from "./json.ts";
export { decodeMsgpack, encodeMsgpack, msgpackSerializer } from "./msgpack.ts";

/**
 * Loads the serializers named (default: all) so that their `encode`/`decode`
 * work (see `Serializer.load`); tools and tests that use them directly call
 * this first.
 */
export async function loadSerializers(
  names: readonly SerializerName[] = ["json", "msgpack", "cbor"],
): Promise<void> {
  await Promise.all(names.map((n) => serializers[n].load()));
}

/** Every serializer, by name. */
export const serializers: Readonly<Record<SerializerName, Serializer>> = Object.freeze({
  json: jsonSerializer,
  msgpack: msgpackSerializer,
  cbor: cborSerializer,
});

const SUBPROTOCOL_PREFIX = "wamp.2.";

/**
 * The serializer for a RawSocket serializer id (1 JSON, 2 MessagePack,
 * 3 CBOR), or `undefined` for any other id.
 */
export function serializerByRawsocketId(id: number): Serializer | undefined {
  switch (id) {
    case 1:
      return jsonSerializer;
    case 2:
      return msgpackSerializer;
    case 3:
      return cborSerializer;
    default:
      return undefined;
  }
}

/**
 * The serializer for a WebSocket subprotocol (`wamp.2.json`, `wamp.2.msgpack`,
 * `wamp.2.cbor`), or `undefined` for any other subprotocol.
 */
export function serializerForSubprotocol(protocol: string): Serializer | undefined {
  if (!protocol.startsWith(SUBPROTOCOL_PREFIX)) return undefined;
  switch (protocol.slice(SUBPROTOCOL_PREFIX.length)) {
    case "json":
      return jsonSerializer;
    case "msgpack":
      return msgpackSerializer;
    case "cbor":
      return cborSerializer;
    default:
      return undefined;
  }
}

/** The WebSocket subprotocol of a serializer: `wamp.2.<name>`. */
export function subprotocolOf(serializer: Serializer): string {
  return SUBPROTOCOL_PREFIX + serializer.name;
}
