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
 * Flow control (optional on both sides):
 * ```
 * transport ──handle.backlog(true)──▶ router   (outbound queue passed its high-water mark)
 * router ──peer.pauseInput()──▶ transport       (of each session that fed that queue)
 * transport ──handle.backlog(false)──▶ router  (queue back below its low-water mark)
 * router ──peer.resumeInput()──▶ transport      (once nothing it feeds is backlogged)
 * ```
 * Session statistics (optional): the router hands a connection a meter
 * with `peer.countTraffic(meter)` and the transport counts every message's
 * serialized size into it, both ways (see `session_stats.ts`).
 *
 * A session backlogged longer than its transport's `stuckTimeoutMs` is
 * closed by the router as a slow consumer (ABORT `xbar.close.slow_consumer`);
 * one whose queue reaches the transport's hard bound is closed by the
 * transport (`overflow()`).
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

/** Where a transport counts a session's serialized messages (`Peer.countTraffic`). */
export interface TrafficMeter {
  /** One message of `bytes` serialized payload octets, sent or received. */
  count(bytes: number): void;
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
  /**
   * Flow control: hand no more input to the router after the message being
   * handled, and stop reading from the connection, until `resumeInput()`.
   * Idempotent. Absent where input cannot or must not be paused (in-process
   * pairs, Deno's WebSocket): the router then never pauses this peer. The
   * router never pauses a connection that carries a router link.
   */
  pauseInput?(): void;
  /** Flow control: read again after `pauseInput()`. Idempotent. */
  resumeInput?(): void;
  /**
   * Session statistics (realm `stats`): from now on hand the serialized
   * payload length of every message sent and received to `meter`
   * (`undefined`: stop). Until the router asks, the transport counts
   * nothing. Absent where messages are not serialized (in-process pairs):
   * such sessions have no statistics.
   */
  countTraffic?(meter: TrafficMeter | undefined): void;
  /**
   * Flow control: milliseconds this peer may stay backlogged (see
   * `SessionHandle.backlog`) before the router closes its session as a slow
   * consumer; 0 or absent: never (only the transport's hard bound applies).
   */
  readonly stuckTimeoutMs?: number;
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
   * The transport's outbound queue for this peer exceeds its hard bound
   * (`queuedBytes`; `reason` says which bound). The transport is already
   * closing the connection; the router ends the session as a slow consumer,
   * logs it and emits the meta event. Called at most once per handle.
   */
  overflow(queuedBytes: number, reason?: string): void;
  /**
   * Optional, flow control: the outbound queue for this peer passed its
   * high-water mark (`true`) or fell back below its low-water mark
   * (`false`); the two alternate, starting with `true`. May be called from
   * inside `Peer.send()`: the router only records it (and pauses the
   * sessions that feed this one once their message is handled).
   */
  backlog?(backlogged: boolean): void;
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
