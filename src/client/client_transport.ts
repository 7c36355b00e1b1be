/**
 * The client side of one connection to a router: whatever carries WAMP
 * messages (a WebSocket, an in-process pair, ...) looks like this to a
 * `Session`.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";

/** Facts about a client connection. */
export interface ClientTransportInfo {
  /** Transport kind, e.g. `websocket` or `local`. */
  readonly type: string;
  /** Serializer in use (`json`, `msgpack`, `cbor`, or `local` for in-process objects). */
  readonly serializer: string;
  /** The URL connected to, when there is one. */
  readonly url?: string;
  /** The negotiated WebSocket subprotocol, when there is one. */
  readonly protocol?: string;
}

/**
 * A message-oriented, ordered connection to a router.
 *
 * Rules every implementation keeps:
 * - `onmessage` receives valid WAMP messages only, in order.
 * - `onclose` fires exactly once, when the connection is gone (either side
 *   closed it); nothing is delivered after it.
 * - `send` after close drops the message silently; `close` is idempotent.
 */
export interface ClientTransport {
  /** Facts about the connection. */
  readonly info: ClientTransportInfo;
  /** True until the connection starts closing (from either side). */
  readonly isOpen: boolean;
  /**
   * Sends one message (serialized by the transport). Throws only when the
   * message cannot be encoded (e.g. a payload value the serializer rejects).
   */
  send(msg: Message): void;
  /** Closes the connection. Idempotent. `onclose` follows. */
  close(): void;
  /** Called with every message from the router. */
  onmessage: (msg: Message) => void;
  /**
   * When set, every decoded frame goes here instead, not validated as a WAMP
   * message (a router link speaks its own frames after WELCOME). Optional:
   * transports that cannot carry raw frames leave it out.
   */
  onraw?: ((value: unknown) => void) | undefined;
  /** Bytes accepted by `send` and not yet written, where the transport knows it. */
  readonly queuedBytes?: number;
  /** Called once when the connection is gone, with a human-readable reason when known. */
  onclose: (reason?: string) => void;
}
