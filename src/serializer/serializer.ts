/**
 * The serializer interface: bytes (or text) ↔ a decoded value. Decoding does
 * NOT validate WAMP structure; `src/wamp/parse.ts` does that on the result.
 *
 * @module
 */

/** Serializer names as used in WebSocket subprotocols (`wamp.2.<name>`). */
export type SerializerName = "json" | "msgpack" | "cbor";

/**
 * Deepest nesting of arrays and maps any serializer decodes: deeper input is
 * refused (`SerializationError`) before the decoding library sees it, at a
 * cost bounded by the input's length, not by what decoding it would cost.
 */
export const MAX_NESTING_DEPTH = 1000;

/** One WAMP serializer. Implementations: json.ts, msgpack.ts, cbor.ts. */
export interface Serializer {
  /** Name as in the subprotocol `wamp.2.<name>`. */
  readonly name: SerializerName;
  /** RawSocket serializer id (1 JSON, 2 MessagePack, 3 CBOR). */
  readonly rawsocketId: number;
  /** True when the wire form is binary (WebSocket binary frames); JSON is text. */
  readonly binary: boolean;
  /**
   * Encodes a value. JSON returns a string (UTF-8 text); binary formats return bytes.
   * Binary values (Uint8Array) are encoded per the format: JSON uses the spec's
   * `"\0" + base64` convention.
   */
  encode(value: unknown): string | Uint8Array;
  /**
   * Decodes one message. Throws `SerializationError` on malformed input.
   * JSON accepts a string or UTF-8 bytes and turns `"\0"+base64` strings into Uint8Array.
   */
  decode(data: string | Uint8Array): unknown;
  /**
   * Loads what the serializer needs (MessagePack and CBOR: their npm
   * package), once; resolves at once when loaded or when there is nothing to
   * load (JSON). `encode`/`decode` throw `SerializationError` before it has
   * resolved. Whoever picks a serializer for a connection awaits it first:
   * the transports when a connection negotiates one, the clients when they
   * connect. So a node does not import msgpackr and cbor-x before its ports
   * accept (about 150 ms of start-up), nor at all when nobody uses them.
   */
  load(): Promise<void>;
}

/** Thrown by `Serializer.decode` for input that is not a valid encoding. */
export class SerializationError extends Error {
  /** @param message what was wrong with the input */
  constructor(message: string) {
    super(message);
    this.name = "SerializationError";
  }
}
