/**
 * The boundary between a transport and the router.
 *
 * A transport accepts a connection, builds a `Peer` for it (how to send to
 * the other side, and facts about the connection) and calls
 * `router.attach(peer)`, which returns a `SessionHandle`. The transport then
 * feeds the handle with every decoded frame and tells it about protocol
 * breaks, overflow and close. The router never touches sockets.
 *
 * Flow of one connection:
 * ```
 * transport ──attach(peer)──▶ router         (returns handle)
 * transport ──handle.receive(decoded)──▶ router   (router validates with parseMessage)
 * router ──peer.send(msg)──▶ transport     (transport serializes and writes)
 * transport ──handle.protocolViolation(text)──▶ router (undecodable frame, oversize, ...)
 * transport ──handle.overflow(bytes)──▶ router    (outbound queue over its bound)
 * transport ──handle.closed()──▶ router      (connection gone, either side)
 * router ──peer.close()──▶ transport        (router is done with the connection)
 * ```
 *
 * @module
 */

import type { RouterMessage } from "../wamp/messages.ts";

/** Facts about a connection, shown in session details and the meta API. */
export interface PeerInfo {
  /** Transport kind. */
  type: "websocket" | "rawsocket" | "longpoll" | "local" | "stdio" | "rlink";
  /** Remote address as Crossbar writes it, e.g. `tcp4:127.0.0.1:52311`, `unix:/path`, `local`. */
  peer: string;
  /** Serializer in use (`json`, `msgpack`, `cbor`, or `local` for in-process objects). */
  serializer: string;
  /** The configured transport id this connection came through, if any. */
  transportId?: string;
  /** Free-form extras (HTTP headers, TLS client cert, ...), for authenticators. */
  extra?: Record<string, unknown>;
}

/** The router's way to reach the other side of one connection. */
export interface Peer {
  /** Facts about the connection. */
  readonly info: PeerInfo;
  /**
   * Serializes and queues one message. Never throws: a transport that is
   * closed drops it (the router has been or will be told via `closed()`).
   */
  send(msg: RouterMessage): void;
  /** Closes the connection after writing what is queued (as far as possible). Idempotent. */
  close(): void;
  /**
   * Bytes queued for the peer and not yet written, where the transport knows
   * it (router links use it to see congestion before the hard bound).
   */
  queuedBytes?(): number;
}

/** The transport's way to feed the router with what happens on one connection. */
export interface SessionHandle {
  /**
   * One decoded frame from the peer, not yet validated: the router validates
   * it with `parseMessage` and ABORTs with `wamp.error.protocol_violation` when it
   * is not a valid WAMP message.
   */
  receive(value: unknown): void;
  /**
   * The peer sent something the transport could not decode or accept (bad
   * encoding, oversize message, wrong frame type). The router sends ABORT with
   * `uri` (default `wamp.error.protocol_violation`) and closes the peer.
   */
  protocolViolation(message: string, uri?: string): void;
  /**
   * The transport's outbound queue for this peer exceeds its bound
   * (`queuedBytes`). The router closes the session as a slow consumer, logs it
   * and emits the meta event. Called at most once per handle.
   */
  overflow(queuedBytes: number): void;
  /**
   * Optional: the transport could not deliver `msg` to this peer (`uri`, e.g.
   * `wamp.error.payload_size_exceeded` when it is over the peer's size limit,
   * and `text` say why). Told for an INVOCATION, on a microtask (never from
   * inside `Peer.send()`): the router answers the caller itself. Without it,
   * the transport answers as if the callee had sent `ERROR(INVOCATION)`.
   * RESULT/ERROR (replaced by an ERROR to the same peer), EVENT (dropped) and
   * other router messages (connection closed) stay the transport's business
   * (see `src/transport/undeliverable.ts`).
   */
  undeliverable?(msg: RouterMessage, uri: string, text: string): void;
  /** The connection is gone (either side closed it). Idempotent. */
  closed(): void;
}

/** Anything that accepts connections from transports: the router, or a test double. */
export interface SessionAcceptor {
  /** Starts a session for a new connection. */
  attach(peer: Peer): SessionHandle;
}
