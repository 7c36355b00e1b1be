/**
 * One server-side WAMP RawSocket connection (TCP, TLS or Unix socket): the
 * opening handshake, the `Peer` the router sends to, and the read loop that
 * feeds the router's `SessionHandle`.
 *
 * Handshake (WAMP spec, RawSocket): the client's 4 octets are read within
 * `handshakeTimeoutMs`.
 * - first octet not 0x7F: not a RawSocket client; the spec says fail the
 *   connection, so it is closed without a reply (as soon as that octet arrives);
 * - reserved octets set: error reply 3;
 * - a serializer this endpoint does not speak (including 0 and 4-15): error 1;
 * - the endpoint's `maxConnections` reached: error 4.
 * An error reply is written, then the connection is closed. On success the
 * reply announces our limit and echoes the serializer, and the session is
 * attached to the router.
 *
 * Frames:
 * - WAMP: decoded and handed to the router (which validates it). An
 *   undecodable payload is a protocol violation.
 * - PING: answered with a PONG carrying the same payload (coalesced with
 *   other output). PONG: accepted and ignored.
 * - Reserved frame types (3-7), reserved header bits, or a payload over the
 *   limit WE announced: protocol violation (the router ABORTs, the
 *   connection closes). No further input reaches the router after that.
 *   An oversize frame is never buffered: its header is enough.
 * - A frame cut off by EOF: the connection is simply gone (`handle.closed()`).
 *
 * Output: `send()` encodes into the coalescing writer (`rawsocket_writer.ts`),
 * one write per event-loop turn.
 * - A message over the limit the CLIENT announced is never sent; see
 *   `undeliverable.ts` (the caller gets an ERROR, an event is dropped, other
 *   messages close the connection), always logged.
 * - Flow control (`session_link.ts`): the queue level is reported after
 *   every append and write (`backlog()` at the high- and low-water marks);
 *   while the router pauses input, frames stay in the read buffer and the
 *   socket is not read.
 * - Outbound bound: when the queue is non-empty and a frame would take it
 *   over `maxOutboundBytes`, the frame is dropped, the connection is closed at
 *   once (the peer does not read), and the router is told via
 *   `handle.overflow(bytes)` on a microtask (never re-entered from `send()`).
 *
 * Closing: `close()` stops delivering input, writes what is queued, shuts
 * down our sending side, and waits (up to `closeTimeoutMs`) for the peer to
 * close its side, discarding what it still sends, so our last frames (an
 * ABORT) are not lost to a TCP reset. `handle.closed()` is called exactly
 * once, when the connection is gone.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import { encodeShared } from "../serializer/shared_encode.ts";
import type { PeerInfo, SessionAcceptor, TrafficMeter } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import type { Logger } from "../log/logger.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { TrackedConnection } from "./connection_tracker.ts";
import { formatPeerAddress } from "./peer_address.ts";
import { type LinkCloseCause, type LinkedConnection, SessionLink } from "./session_link.ts";
import { type ResolvedFlowControl, resolveFlowControl } from "./flow_control.ts";
import { RawSocketFrameReader } from "./rawsocket_frame_reader.ts";
import { RawSocketWriter } from "./rawsocket_writer.ts";
import type { WriterEvents } from "./coalescing_writer.ts";
import {
  encodeHandshake,
  encodeHandshakeError,
  FRAME_HEADER_LENGTH,
  FrameType,
  HANDSHAKE_LENGTH,
  HandshakeError,
  handshakeErrorText,
  maxMessageSizeOf,
  parseHandshakeRequest,
  RAWSOCKET_MAGIC,
} from "./rawsocket_protocol.ts";

/**
 * What a RawSocket connection runs on: an accepted `Deno.Conn`, or anything
 * with the same reading, writing and closing (a child process's stdio).
 */
export type RawSocketConn = Pick<
  Deno.Conn,
  "read" | "write" | "closeWrite" | "close" | "remoteAddr"
>;

/** Settings of one connection (validated and defaulted by `serveRawSocket`). */
export interface RawSocketConnectionOptions {
  /** Serializers spoken here. */
  serializers: readonly Serializer[];
  /** The exponent nibble we announce: we accept frames up to `2^(9+n)` octets. */
  lengthExponent: number;
  /** Bound of the outbound queue, in octets. */
  maxOutboundBytes: number;
  /** Flow control (marks and stuck timeout). Default: on, with its defaults for `maxOutboundBytes`. */
  flow?: ResolvedFlowControl;
  /** Time allowed for the client's 4 handshake octets, in ms. */
  handshakeTimeoutMs: number;
  /** Time allowed for flushing and the peer's close after `close()`, in ms. */
  closeTimeoutMs: number;
  /** True for TLS connections (`PeerInfo.extra.is_secure`). */
  secure: boolean;
  /** The configured transport id (`PeerInfo.transportId`). */
  transportId?: string;
  /** Where to log. */
  logger: Logger;
  /** Takes a connection slot; false when `maxConnections` is reached. */
  admit: () => boolean;
  /** Gives back the slot taken by `admit()`. */
  release: () => void;
}

type State = "handshake" | "open" | "closing" | "closed";

/** A server-side WAMP RawSocket connection. Starts running when constructed. */
export class RawSocketConnection implements LinkedConnection, TrackedConnection, WriterEvents {
  /** Facts about the connection (the serializer is known after the handshake). */
  info: PeerInfo;
  /** Resolves once the connection is gone and the router was told. */
  readonly done: Promise<void>;

  #conn: RawSocketConn;
  #acceptor: SessionAcceptor;
  #opts: RawSocketConnectionOptions;
  #flow: ResolvedFlowControl;
  #log: Logger;
  #reader: RawSocketFrameReader;
  #writer: RawSocketWriter;
  #serializer: Serializer | undefined;
  #peerMax = 0;
  #link: SessionLink;
  #state: State = "handshake";
  #forced = false;
  #admitted = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #closeReason = "";

  /**
   * Runs the connection `conn` (just accepted) for `acceptor`.
   *
   * @param conn the accepted connection
   * @param acceptor the router
   * @param options see RawSocketConnectionOptions
   */
  constructor(conn: RawSocketConn, acceptor: SessionAcceptor, options: RawSocketConnectionOptions) {
    this.#conn = conn;
    this.#acceptor = acceptor;
    this.#opts = options;
    this.#flow = options.flow ?? resolveFlowControl(undefined, options.maxOutboundBytes);
    this.#log = options.logger;
    let peer = "unknown";
    try {
      peer = formatPeerAddress(conn.remoteAddr);
    } catch {
      // a connection reset before we looked has no address
    }
    this.info = {
      type: "rawsocket",
      peer,
      serializer: "",
      transportId: options.transportId,
      extra: { is_secure: options.secure },
    };
    this.#reader = new RawSocketFrameReader({
      maxLength: maxMessageSizeOf(options.lengthExponent),
    });
    this.#writer = new RawSocketWriter(conn, { events: this });
    this.#link = new SessionLink(this, {
      name: "rawsocket",
      logger: options.logger,
      fields: options.transportId === undefined ? undefined : { transportId: options.transportId },
      flow: this.#flow.marks,
    });
    this.done = this.#run();
  }

  /** Bytes queued for the peer and not yet written. */
  queuedBytes(): number {
    return this.#writer.queuedBytes;
  }

  /** See `Peer.stuckTimeoutMs`. */
  get stuckTimeoutMs(): number {
    return this.#flow.stuckTimeoutMs;
  }

  /** Flow control: stop handing frames to the router and reading, until `resumeInput()`. */
  pauseInput(): void {
    this.#link.pause();
  }

  /** Flow control: go on after `pauseInput()`. */
  resumeInput(): void {
    this.#link.resume();
  }

  /** Serializes and queues `msg`; drops it when the connection is not open. Never throws. */
  send(msg: RouterMessage): void {
    if (this.#state !== "open" || this.#link.overflowed) return;
    const serializer = this.#serializer!;
    const writer = this.#writer;
    const queued = writer.queuedBytes;
    const mark = writer.mark();
    let size: number;
    try {
      const data = encodeShared(serializer, msg);
      if (typeof data === "string") {
        if (data.length > this.#peerMax) {
          this.#tooBig(msg, data.length, "at least ");
          return;
        }
        size = writer.appendTextFrame(FrameType.WAMP, data);
      } else {
        size = data.length;
        if (size > this.#peerMax) {
          this.#tooBig(msg, size, "");
          return;
        }
        writer.appendFrame(FrameType.WAMP, data);
      }
    } catch (err) {
      writer.rollback(mark);
      this.#link.undeliverable(
        msg,
        ErrorUri.RUNTIME_ERROR,
        `the ${serializer.name} serializer cannot encode the message: ${errorText(err)}`,
      );
      return;
    }
    if (size > this.#peerMax) {
      writer.rollback(mark);
      this.#tooBig(msg, size, "");
      return;
    }
    const total = queued + FRAME_HEADER_LENGTH + size;
    if (queued > 0 && total > this.#opts.maxOutboundBytes) {
      writer.rollback(mark);
      this.#link.overflow(total, `${this.#opts.maxOutboundBytes} bytes`);
      return;
    }
    this.#link.level(total);
    this.#link.sent(size);
  }

  /** Session statistics: count every message's serialized length into `meter` (see `Peer`). */
  countTraffic(meter: TrafficMeter | undefined): void {
    this.#link.meter = meter;
  }

  /**
   * Closes the connection after writing what is queued: stops delivering
   * input, flushes, shuts down our side, waits for the peer's close (up to
   * `closeTimeoutMs`). Idempotent.
   */
  close(): void {
    this.#startClose("closed by the router");
  }

  /** For `SessionLink`: close for `cause`. */
  closeFor(cause: LinkCloseCause): void {
    switch (cause) {
      case "violation":
        this.#reader.discard();
        this.#startClose("protocol violation");
        return;
      case "overflow":
        // The peer does not read: nothing queued would reach it.
        this.#closeReason = "slow consumer";
        this.#forceClose();
        return;
      case "router failure":
        this.#startClose("internal error");
        return;
      case "undeliverable":
        this.#startClose("undeliverable message");
        return;
      case "refused":
        this.#startClose("router refused the connection");
        return;
    }
  }

  /** Closes like `close()`, logging `reason` (for shutdown). `code` is ignored: RawSocket has no close codes. */
  closeWith(_code: number, reason: string): void {
    if (this.#state === "handshake") {
      this.#closeReason = reason;
      this.#forceClose();
      return;
    }
    this.#startClose(reason);
  }

  // ---- lifecycle ----

  async #run(): Promise<void> {
    try {
      await this.#handshake();
      // Open, or refused with an error reply: read on (discarding when refused) until the end.
      if (!this.#forced && this.#state !== "handshake") await this.#readLoop();
    } catch (err) {
      this.#log.log("error", "rawsocket connection failed", {
        peer: this.info.peer,
        error: errorText(err),
      });
    } finally {
      this.#finish();
    }
  }

  /** Reads and answers the handshake. True when the session was attached. */
  async #handshake(): Promise<boolean> {
    const reader = this.#reader;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.#forceClose();
    }, this.#opts.handshakeTimeoutMs);
    try {
      while (reader.buffered < HANDSHAKE_LENGTH) {
        const n = await this.#conn.read(reader.space());
        if (n === null) {
          this.#debug("rawsocket connection closed before the handshake");
          return false;
        }
        reader.filled(n);
        if (reader.peek(0) !== RAWSOCKET_MAGIC) break;
      }
    } catch (err) {
      if (timedOut) {
        this.#log.log("info", "rawsocket handshake timeout: closing", {
          peer: this.info.peer,
          timeoutMs: this.#opts.handshakeTimeoutMs,
          transportId: this.#opts.transportId,
        });
      } else if (!this.#forced) {
        this.#debug("rawsocket read failed during the handshake", { error: errorText(err) });
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
    if (reader.peek(0) !== RAWSOCKET_MAGIC) {
      this.#log.log(
        "info",
        "rawsocket handshake refused: not a RawSocket client; closing without reply",
        {
          peer: this.info.peer,
          firstOctet: reader.peek(0),
          transportId: this.#opts.transportId,
        },
      );
      return false;
    }
    const request = parseHandshakeRequest(reader.take(HANDSHAKE_LENGTH)!);
    if (!request.ok) {
      if (request.reply !== undefined) this.#refuse(request.reply, request.reason);
      return false;
    }
    const serializer = this.#opts.serializers.find((s) => s.rawsocketId === request.serializerId);
    if (serializer === undefined) {
      const spoken = this.#opts.serializers.map((s) => `${s.rawsocketId} (${s.name})`).join(", ");
      this.#refuse(
        HandshakeError.SERIALIZER_UNSUPPORTED,
        `serializer ${request.serializerId} requested; this endpoint speaks ${spoken}`,
      );
      return false;
    }
    await serializer.load();
    if (this.#forced) return false;
    if (!this.#opts.admit()) {
      this.#refuse(HandshakeError.MAX_CONNECTIONS, "maximum connection count reached");
      return false;
    }
    this.#admitted = true;
    this.#serializer = serializer;
    this.#peerMax = maxMessageSizeOf(request.exponent);
    this.info = { ...this.info, serializer: serializer.name };
    this.#writer.appendBytes(encodeHandshake(this.#opts.lengthExponent, serializer.rawsocketId));
    this.#state = "open";
    this.#debug("rawsocket connection open", {
      serializer: serializer.name,
      maxReceive: maxMessageSizeOf(this.#opts.lengthExponent),
      maxSend: this.#peerMax,
    });
    this.#link.attach(this.#acceptor);
    return true;
  }

  /** Answers the handshake with error `code`, then closes. */
  #refuse(code: HandshakeError, reason: string): void {
    this.#log.log("info", "rawsocket handshake refused", {
      peer: this.info.peer,
      error: code,
      errorText: handshakeErrorText(code),
      reason,
      transportId: this.#opts.transportId,
    });
    this.#writer.appendBytes(encodeHandshakeError(code));
    this.#startClose(`handshake refused: ${handshakeErrorText(code)}`);
  }

  async #readLoop(): Promise<void> {
    const reader = this.#reader;
    const link = this.#link;
    for (;;) {
      if (link.flowing) this.#processFrames();
      if (!link.delivering) reader.discard();
      if (this.#forced) return;
      if (link.paused && link.delivering) {
        // Flow control: frames wait in the buffer, the socket is not read.
        await link.resumed();
        continue;
      }
      let n: number | null;
      try {
        n = await this.#conn.read(reader.space());
      } catch (err) {
        if (!this.#forced) this.#debug("rawsocket read failed", { error: errorText(err) });
        return;
      }
      if (n === null) {
        if (link.delivering && reader.buffered > 0) {
          this.#log.log("info", "rawsocket connection closed in the middle of a frame", {
            peer: this.info.peer,
            bufferedBytes: reader.buffered,
          });
        } else {
          this.#debug("rawsocket connection closed by the peer");
        }
        return;
      }
      reader.filled(n);
    }
  }

  /** Hands complete frames in the buffer to the router (or answers them) while input flows. */
  #processFrames(): void {
    const reader = this.#reader;
    const link = this.#link;
    const serializer = this.#serializer!;
    while (link.flowing) {
      let frame;
      try {
        frame = reader.next();
      } catch (err) {
        this.#link.violation(errorText(err));
        return;
      }
      if (frame === undefined) return;
      switch (frame.type) {
        case FrameType.WAMP: {
          let value: unknown;
          try {
            value = serializer.decode(frame.payload);
          } catch (err) {
            this.#link.violation(`cannot decode ${serializer.name} message: ${errorText(err)}`);
            return;
          }
          link.receive(value, frame.payload.length);
          break;
        }
        case FrameType.PING:
          this.#pong(frame.payload);
          break;
        case FrameType.PONG:
          break;
      }
    }
  }

  #pong(payload: Uint8Array): void {
    if (this.#state !== "open" || this.#link.overflowed) return;
    if (payload.length > this.#peerMax) {
      this.#link.violation(
        `PING of ${payload.length} bytes cannot be answered: the peer accepts at most ${this.#peerMax} bytes`,
      );
      return;
    }
    const writer = this.#writer;
    const queued = writer.queuedBytes;
    const mark = writer.mark();
    writer.appendFrame(FrameType.PONG, payload);
    const total = queued + FRAME_HEADER_LENGTH + payload.length;
    if (queued > 0 && total > this.#opts.maxOutboundBytes) {
      writer.rollback(mark);
      this.#link.overflow(total, `${this.#opts.maxOutboundBytes} bytes`);
      return;
    }
    this.#link.level(total);
  }

  #startClose(reason: string): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#state = "closing";
    this.#link.stopInput();
    this.#closeReason = reason;
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      this.#debug("rawsocket close timeout: dropping the connection", {
        timeoutMs: this.#opts.closeTimeoutMs,
      });
      this.#forceClose();
    }, this.#opts.closeTimeoutMs);
    this.#writer.drained().then(() => {
      if (this.#forced) return;
      this.#conn.closeWrite().catch(() => {
        // the peer is gone already: the read loop ends by itself
      });
    });
  }

  /** Closes the socket now; the read loop ends and `#finish` runs. */
  #forceClose(): void {
    if (this.#forced) return;
    this.#forced = true;
    this.#link.stopInput();
    if (this.#state === "open" || this.#state === "handshake") this.#state = "closing";
    this.#writer.stop();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  #finish(): void {
    if (this.#state === "closed") return;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#forceClose();
    this.#state = "closed";
    if (this.#admitted) this.#opts.release();
    this.#debug(
      "rawsocket connection closed",
      this.#closeReason ? { reason: this.#closeReason } : undefined,
    );
    this.#link.gone();
  }

  // ---- failures ----

  /** For the writer (`WriterEvents`): a write failed, the connection is broken. */
  writeFailed(err: unknown): void {
    this.#debug("rawsocket write failed", { error: errorText(err) });
    this.#forceClose();
  }

  /** For the writer (`WriterEvents`): a write completed; flow control reads the queue level. */
  written(): void {
    if (this.#link.backlogged) this.#link.level(this.#writer.queuedBytes);
  }

  #tooBig(msg: RouterMessage, bytes: number, qualifier: string): void {
    this.#link.undeliverable(
      msg,
      ErrorUri.PAYLOAD_SIZE_EXCEEDED,
      `message of ${qualifier}${bytes} bytes exceeds the peer's RawSocket limit of ${this.#peerMax} bytes`,
    );
  }

  #debug(msg: string, fields?: Record<string, unknown>): void {
    if (this.#log.enabled("debug")) {
      this.#log.log("debug", msg, {
        peer: this.info.peer,
        transportId: this.#opts.transportId,
        ...fields,
      });
    }
  }
}
