/**
 * One server-side WAMP WebSocket connection on a byte stream we read and
 * write ourselves (TCP, TLS or Unix socket after the HTTP upgrade): RFC 6455
 * framing (`websocket_frame_reader.ts`, `websocket_writer.ts`), the `Peer`
 * the router sends to, and the read loop that feeds the router through a
 * `SessionLink`.
 *
 * Against Deno's WebSocket (`websocket_connection.ts`, still used where a
 * caller mounts the handler on its own `Deno.serve`): output is coalesced
 * into one write per event-loop turn, input is parsed in batches, there is
 * no event object or timer per message, an oversize message is refused from
 * its header, invalid UTF-8 closes with 1007, and the memory held by
 * messages being received is bounded (see the reader).
 *
 * Rules it keeps:
 * - Framing per the WAMP spec: JSON in text messages, msgpack/cbor in binary;
 *   the other kind closes with 1003. Undecodable: 1007. Over
 *   `maxMessageSize`: 1009. Frame-level breaks: 1002 (see the reader).
 *   The router hears `protocolViolation()` first (it sends ABORT), then the
 *   close frame follows; with `failByDrop` the router hears it and TCP is
 *   dropped at once, nothing sent.
 * - Pings are answered with pongs. With `idleTimeout`, a peer silent for
 *   about half of it is pinged and is dropped when still silent at the next
 *   look (one shared timer per endpoint does the looking).
 * - Closing handshake: the side that closes sends a close frame; the server
 *   closes TCP once both frames are through, or after `closeTimeoutMs`.
 * - Flow control (`session_link.ts`): the queue level is reported after
 *   every append and write; while the router pauses input, frames stay in
 *   the read buffer, the socket is not read, and the idle watch counts the
 *   connection as alive.
 * - Outbound bound: when the queue is non-empty and a message would take it
 *   over `maxOutboundBytes`, the message is dropped, a close frame (1008,
 *   "slow consumer") follows what is queued, later output is dropped, the
 *   router is told via `overflow()`, and a peer that still does not read is
 *   dropped after `closeTimeoutMs`.
 * - Outgoing messages over `maxMessageSize`, or that the serializer cannot
 *   encode, are never sent (`undeliverable.ts`).
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
import { type LinkCloseCause, type LinkedConnection, SessionLink } from "./session_link.ts";
import {
  FrameEvent,
  type ReceiveBudget,
  WebSocketFrameError,
  WebSocketFrameReader,
} from "./websocket_frame_reader.ts";
import { headerLength, Opcode, WebSocketWriter } from "./websocket_writer.ts";
import type { WriterEvents } from "./coalescing_writer.ts";
import type { PerMessageDeflate } from "./websocket_deflate.ts";
import type { ResolvedFlowControl } from "./flow_control.ts";

/** Settings of one connection (validated by the upgrader). */
export interface WebSocketStreamOptions {
  /** The negotiated serializer. */
  serializer: Serializer;
  /** Largest message accepted or sent, in octets. */
  maxMessageSize: number;
  /** Bound of the outbound queue, in octets. */
  maxOutboundBytes: number;
  /** Flow control (marks and stuck timeout); absent: off. */
  flow?: ResolvedFlowControl;
  /** Milliseconds the closing handshake may take before TCP is dropped. */
  closeTimeoutMs: number;
  /** Bound shared by the endpoint's connections for partial messages. */
  budget?: ReceiveBudget;
  /** permessage-deflate, when negotiated. */
  deflate?: PerMessageDeflate;
  /** Where to log. */
  logger: Logger;
  /** Extra log fields (the transport id). */
  logFields?: Record<string, unknown>;
  /** Largest incoming data frame (0: no limit of its own). */
  maxFrameSize?: number;
  /** Send longer messages in frames of at most this many octets (0: one frame). */
  autoFragmentSize?: number;
  /** Octets of payload in idle pings. Default 0. */
  pingSize?: number;
  /** Echo the reason of a client's close frame too (not only its code). Default false. */
  echoCloseReason?: boolean;
  /** A peer that breaks the protocol is dropped without a close frame (and without ABORT). Default false. */
  failByDrop?: boolean;
}

type State = "open" | "closing" | "closed";

/** A WAMP WebSocket connection over a byte stream. Starts reading when constructed. */
export class WebSocketStreamConnection
  implements LinkedConnection, TrackedConnection, WriterEvents {
  /** Facts about the connection. */
  readonly info: PeerInfo;
  /** Resolves once the connection is gone and the router was told. */
  readonly done: Promise<void>;

  #conn: Deno.Conn;
  #opts: WebSocketStreamOptions;
  /** Frame size for long messages (0: one frame). */
  #fragment = 0;
  #log: Logger;
  #serializer: Serializer;
  #binary: boolean;
  #max: number;
  #reader: WebSocketFrameReader;
  #writer: WebSocketWriter;
  #link: SessionLink;
  #state: State = "open";
  #closeSent = false;
  #closeReceived = false;
  #closeCode = 1000;
  #closeReason = "";
  #forced = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Input seen since the idle watch last looked. */
  seen = true;
  /** A ping is out and unanswered. */
  pinged = false;

  /**
   * @param conn the upgraded connection
   * @param firstOutput the 101 response, written first
   * @param firstInput bytes read past the request head (the client's first frames)
   * @param info facts about the connection
   * @param acceptor the router
   * @param options see WebSocketStreamOptions
   */
  constructor(
    conn: Deno.Conn,
    firstOutput: Uint8Array,
    firstInput: Uint8Array,
    info: PeerInfo,
    acceptor: SessionAcceptor,
    options: WebSocketStreamOptions,
  ) {
    this.#conn = conn;
    this.info = info;
    this.#opts = options;
    this.#log = options.logger;
    this.#serializer = options.serializer;
    this.#binary = options.serializer.binary;
    this.#max = options.maxMessageSize;
    this.#fragment = options.autoFragmentSize ?? 0;
    this.#reader = new WebSocketFrameReader({
      maxMessageSize: options.maxMessageSize,
      maxFrameSize: options.maxFrameSize,
      budget: options.budget,
      inflate: options.deflate ? (data, max) => options.deflate!.inflate(data, max) : undefined,
    });
    this.#writer = new WebSocketWriter(conn, { events: this, initialSize: 16 * 1024 });
    this.#link = new SessionLink(this, {
      name: "websocket",
      logger: options.logger,
      fields: options.logFields,
      flow: options.flow?.marks,
    });
    this.#writer.appendBytes(firstOutput);
    this.#reader.push(firstInput);
    this.#link.attach(acceptor);
    this.done = this.#run();
  }

  /** Bytes queued for the peer and not yet written. */
  queuedBytes(): number {
    return this.#writer.queuedBytes;
  }

  /** See `Peer.stuckTimeoutMs`. */
  get stuckTimeoutMs(): number {
    return this.#opts.flow?.stuckTimeoutMs ?? 0;
  }

  /** Flow control: stop handing messages to the router and reading, until `resumeInput()`. */
  pauseInput(): void {
    this.#link.pause();
  }

  /** Flow control: go on after `pauseInput()`. */
  resumeInput(): void {
    this.#link.resume();
  }

  /** Session statistics: count every message's serialized length into `meter` (see `Peer`). */
  countTraffic(meter: TrafficMeter | undefined): void {
    this.#link.meter = meter;
  }

  /** Serializes and queues `msg`; drops it when the connection is not open. Never throws. */
  send(msg: RouterMessage): void {
    if (this.#state !== "open" || this.#link.overflowed) return;
    const writer = this.#writer;
    const queued = writer.queuedBytes;
    const mark = writer.mark();
    let size: number; // octets on the wire (compressed)
    let payload: number; // serialized octets (session statistics)
    try {
      const data = encodeShared(this.#serializer, msg);
      if (typeof data === "string") {
        if (data.length > this.#max) {
          this.#tooBig(msg, data.length, "at least ");
          return;
        }
        if (this.#opts.deflate !== undefined) {
          const bytes = new TextEncoder().encode(data);
          payload = bytes.length;
          size = this.#sendCompressed(bytes, Opcode.TEXT, msg);
          if (size < 0) return;
        } else if (this.#fragment > 0 && data.length > this.#fragment / 3) {
          const bytes = new TextEncoder().encode(data);
          size = payload = bytes.length;
          if (size > this.#max) {
            this.#tooBig(msg, size, "");
            return;
          }
          writer.appendMessage(Opcode.TEXT, bytes, false, this.#fragment);
        } else {
          size = payload = writer.appendText(data);
          if (size > this.#max) {
            writer.rollback(mark);
            this.#tooBig(msg, size, "");
            return;
          }
        }
      } else {
        size = payload = data.length;
        if (size > this.#max) {
          this.#tooBig(msg, size, "");
          return;
        }
        if (this.#opts.deflate !== undefined) {
          size = this.#sendCompressed(data, Opcode.BINARY, msg);
          if (size < 0) return;
        } else {
          writer.appendMessage(Opcode.BINARY, data, false, this.#fragment);
        }
      }
    } catch (err) {
      writer.rollback(mark);
      this.#link.undeliverable(
        msg,
        ErrorUri.RUNTIME_ERROR,
        `the ${this.#serializer.name} serializer cannot encode the message: ${errorText(err)}`,
      );
      return;
    }
    const total = queued + headerLength(size) + size;
    if (queued > 0 && total > this.#opts.maxOutboundBytes) {
      writer.rollback(mark);
      this.#link.overflow(total, `${this.#opts.maxOutboundBytes} bytes`);
      return;
    }
    this.#link.level(total);
    this.#link.sent(payload);
  }

  /** Compresses and appends; returns the frame payload size, or -1 when it went undeliverable. */
  #sendCompressed(data: Uint8Array, opcode: number, msg: RouterMessage): number {
    if (data.length > this.#max) {
      this.#tooBig(msg, data.length, "");
      return -1;
    }
    const packed = this.#opts.deflate!.deflate(data);
    if (packed === undefined) {
      this.#writer.appendMessage(opcode, data, false, this.#fragment);
      return data.length;
    }
    this.#writer.appendMessage(opcode, packed, true, this.#fragment);
    return packed.length;
  }

  /** The router is done: close with 1000 (or the code a violation set) after what is queued. Idempotent. */
  close(): void {
    this.closeWith(this.#closeCode, this.#closeReason);
  }

  /** Starts the closing handshake with `code` and `reason`. Idempotent. */
  closeWith(code: number, reason: string): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#link.stopInput();
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#sendClose(code, reason);
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      this.#debug("websocket close timeout: dropping the connection");
      this.#forceClose();
    }, this.#opts.closeTimeoutMs);
    if (this.#closeReceived) this.#closeAfterFlush();
  }

  /** For `SessionLink`: close for `cause`. */
  closeFor(cause: LinkCloseCause): void {
    switch (cause) {
      case "violation":
        this.close();
        return;
      case "overflow":
        // What is queued stays (whole frames), then the close frame; a peer
        // that never reads is dropped by the close timer.
        this.closeWith(1008, "slow consumer");
        return;
      case "router failure":
      case "refused":
        this.closeWith(1011, "internal error");
        return;
      case "undeliverable":
        this.closeWith(1011, "undeliverable message");
        return;
    }
  }

  /** Called by the idle watch; returns false when the connection was dropped for silence. */
  idleCheck(): boolean {
    if (this.#state === "closed") return false;
    if (this.seen || this.#link.paused) {
      // Paused by flow control: we do not read, so silence proves nothing.
      this.seen = false;
      this.pinged = false;
      return true;
    }
    if (!this.pinged && this.#state === "open") {
      this.pinged = true;
      const size = this.#opts.pingSize ?? 0;
      this.#writer.appendFrame(
        Opcode.PING,
        size > 0 ? crypto.getRandomValues(new Uint8Array(size)) : new Uint8Array(0),
      );
      return true;
    }
    this.#log.log("info", "websocket peer did not answer a ping: closing", {
      peer: this.info.peer,
      ...this.#opts.logFields,
    });
    this.#forceClose();
    return false;
  }

  // ---- reading ----

  async #run(): Promise<void> {
    try {
      this.#process();
      const reader = this.#reader;
      const link = this.#link;
      while (!this.#forced) {
        if (link.paused && link.delivering) {
          // Flow control: frames wait in the buffer, the socket is not read.
          await link.resumed();
          this.#process();
          continue;
        }
        let n: number | null;
        try {
          n = await this.#conn.read(reader.space());
        } catch (err) {
          if (!this.#forced) this.#debug("websocket read failed", { error: errorText(err) });
          break;
        }
        if (n === null) {
          if (!this.#closeReceived) {
            this.#debug("websocket connection closed without a close frame");
          }
          break;
        }
        reader.filled(n);
        this.seen = true;
        this.#process();
      }
    } catch (err) {
      this.#log.log("error", "websocket connection failed", {
        peer: this.info.peer,
        error: errorText(err),
      });
    } finally {
      this.#finish();
    }
  }

  /** Handles every complete event in the read buffer. */
  #process(): void {
    const reader = this.#reader;
    const link = this.#link;
    for (;;) {
      if (link.paused && link.delivering) return;
      let ev: number;
      try {
        ev = reader.next();
      } catch (err) {
        reader.discard();
        if (err instanceof WebSocketFrameError) this.#failed(err.code, err.message);
        else this.#failed(1011, errorText(err));
        return;
      }
      switch (ev) {
        case FrameEvent.NONE:
          reader.release(); // an idle connection keeps no message alive
          return;
        case FrameEvent.TEXT:
          if (!this.#link.delivering || this.#state !== "open") break;
          if (this.#binary) {
            this.#failed(
              1003,
              `text WebSocket message on ${this.#protocol()}, which uses binary messages`,
            );
            return;
          }
          this.#deliver(reader.text, reader.size);
          break;
        case FrameEvent.BINARY:
          if (!this.#link.delivering || this.#state !== "open") break;
          if (!this.#binary) {
            this.#failed(
              1003,
              `binary WebSocket message on ${this.#protocol()}, which uses text messages`,
            );
            return;
          }
          this.#deliver(reader.bytes, reader.size);
          break;
        case FrameEvent.PING:
          if (this.#state === "open") this.#writer.appendFrame(Opcode.PONG, reader.bytes);
          break;
        case FrameEvent.PONG:
          break;
        case FrameEvent.CLOSE:
          this.#onCloseFrame(reader.closeCode, reader.closeReason);
          reader.discard();
          return;
      }
    }
  }

  #deliver(payload: string | Uint8Array, size: number): void {
    let value: unknown;
    try {
      value = this.#serializer.decode(payload);
    } catch (err) {
      this.#failed(1007, `cannot decode ${this.#serializer.name} message: ${errorText(err)}`);
      return;
    }
    this.#link.receive(value, size);
  }

  /** The peer broke a rule: the router hears it (ABORT), then the close frame carries `code`. */
  #failed(code: number, text: string): void {
    if (this.#state !== "open") {
      this.#forceClose();
      return;
    }
    this.#closeCode = code;
    this.#closeReason = closeReasonOf(code);
    if (this.#opts.failByDrop) {
      // fail_by_drop: nothing more is sent (no ABORT, no close frame); the
      // router still hears why (and logs it), then TCP is dropped.
      this.#state = "closing";
      if (this.#link.delivering) this.#link.violation(text);
      this.#debug("fail_by_drop: dropping the connection", { code, reason: text });
      this.#forceClose();
      return;
    }
    if (this.#link.delivering) this.#link.violation(text);
    else this.close();
  }

  #onCloseFrame(code: number | undefined, reason: string): void {
    this.#closeReceived = true;
    this.#debug("websocket close frame received", { code, reason });
    if (this.#state === "open") {
      // Echo the code (and the reason with echoCloseReason); the router hears
      // closed() when the connection ends.
      this.#state = "closing";
      this.#sendClose(code ?? 1000, this.#opts.echoCloseReason ? reason : "");
    }
    this.#closeAfterFlush();
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent || this.#forced) return;
    this.#closeSent = true;
    this.#writer.appendClose(code, reason);
  }

  /** Both close frames are through (or ours is queued after theirs): close TCP once written. */
  #closeAfterFlush(): void {
    this.#writer.drained().then(() => this.#forceClose());
  }

  #forceClose(): void {
    if (this.#forced) return;
    this.#forced = true;
    this.#link.wake();
    if (this.#state === "open") this.#state = "closing";
    this.#writer.stop();
    this.#reader.discard();
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
    this.#debug("websocket connection closed");
    this.#link.gone();
  }

  /** For the writer (`WriterEvents`): a write failed, the connection is broken. */
  writeFailed(err: unknown): void {
    this.#debug("websocket write failed", { error: errorText(err) });
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
      `message of ${qualifier}${bytes} bytes exceeds the transport limit of ${this.#max} bytes`,
    );
  }

  #protocol(): string {
    return `wamp.2.${this.#serializer.name}`;
  }

  #debug(msg: string, fields?: Record<string, unknown>): void {
    if (this.#log.enabled("debug")) {
      this.#log.log("debug", msg, { peer: this.info.peer, ...this.#opts.logFields, ...fields });
    }
  }
}

function closeReasonOf(code: number): string {
  switch (code) {
    case 1002:
      return "protocol error";
    case 1003:
      return "unsupported data";
    case 1007:
      return "invalid message";
    case 1009:
      return "message too big";
    case 1013:
      return "try again later";
    default:
      return "internal error";
  }
}
