/**
 * One server-side WAMP WebSocket connection: the `Peer` the router sends to,
 * and the glue that feeds the router's `SessionHandle` from socket events.
 *
 * Rules it keeps:
 * - Every socket event handler is guarded: an exception escaping a Deno
 *   WebSocket handler would kill the whole process.
 * - `handle.closed()` is called exactly once, although Deno may fire `close`
 *   twice (clean close, then a broken-pipe error).
 * - Framing per the spec: JSON in text messages, msgpack/cbor in binary ones;
 *   the other kind is a protocol violation (close code 1003).
 * - Incoming messages over `maxMessageSize` are a protocol violation (close
 *   code 1009); undecodable ones too (close code 1007). After a violation no
 *   further input reaches the router.
 * - Outgoing messages over `maxMessageSize`, or that the serializer cannot
 *   encode, are never sent: see `undeliverable.ts` for what happens instead.
 * - Outbound backpressure: Deno queues without limit and has no drain event,
 *   so the connection keeps an upper bound of `ws.bufferedAmount` from the
 *   bytes it queued and reads the real value (a native call, ~40 ns) only when
 *   that bound would pass `maxOutboundBytes`. If the real queue is non-empty
 *   and the message would take it over the bound, the message is dropped,
 *   `handle.overflow(bytes)` is called once, and the connection is closed
 *   (code 1008); later sends are dropped. One message always fits in an empty
 *   queue, so the queue never exceeds `max(maxOutboundBytes, maxMessageSize)`.
 * - No flow control: Deno's WebSocket cannot pause its input, and its queue
 *   has no drain event (the stream connection has both).
 * - Violations, overflow, router failures and undeliverable messages go
 *   through the shared `SessionLink`.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import { encodeShared } from "../serializer/shared_encode.ts";
import type { PeerInfo, SessionAcceptor, TrafficMeter } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import type { Logger } from "../log/logger.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { TrackedConnection } from "./connection_tracker.ts";
import { type LinkCloseCause, type LinkedConnection, SessionLink } from "./session_link.ts";

/** WebSocket close codes used by the WAMP WebSocket transport (RFC 6455 section 7.4.1). */
export const CloseCode = {
  /** Normal closure: the router closed the session. */
  NORMAL: 1000,
  /** Going away: the server shuts down. */
  GOING_AWAY: 1001,
  /** Wrong message kind (text on a binary serializer or the reverse). */
  UNSUPPORTED_DATA: 1003,
  /** A message could not be decoded. */
  INVALID_PAYLOAD: 1007,
  /** Policy violation: the peer reads too slowly (outbound queue overflow). */
  POLICY_VIOLATION: 1008,
  /** A message was larger than `maxMessageSize`. */
  MESSAGE_TOO_BIG: 1009,
  /** The server could not go on with this connection (router error, undeliverable message). */
  INTERNAL_ERROR: 1011,
} as const;

/** Settings for one connection (already validated and defaulted by the handler). */
export interface WebSocketConnectionOptions {
  /** The negotiated serializer. */
  serializer: Serializer;
  /** Largest message accepted or sent, in bytes. */
  maxMessageSize: number;
  /** Bound of the outbound queue, in bytes. */
  maxOutboundBytes: number;
  /** Where to log. */
  logger: Logger;
}

type State = "connecting" | "open" | "closing" | "closed";

/** A server-side WAMP connection over one Deno WebSocket. */
export class WebSocketConnection implements LinkedConnection, TrackedConnection {
  /** Facts about the connection. */
  readonly info: PeerInfo;
  /** Resolves once the socket is closed and the router was told. */
  readonly done: Promise<void>;

  #ws: WebSocket;
  #acceptor: SessionAcceptor;
  #serializer: Serializer;
  #binary: boolean;
  #maxMessageSize: number;
  #maxOutbound: number;
  #log: Logger;
  #link: SessionLink;
  #state: State = "connecting";
  /** Close code and reason used by `close()`; a violation or overflow sets them first. */
  #closeCode: number = CloseCode.NORMAL;
  #closeReason = "";
  /** A close was requested before the socket opened. */
  #closeEarly = false;
  /** Upper bound of `ws.bufferedAmount`, refreshed only when it passes the bound. */
  #outboundEstimate = 0;
  #resolveDone: () => void;

  /**
   * Wires `ws` (fresh from `Deno.upgradeWebSocket`) to `acceptor`; the
   * session is attached when the socket opens.
   */
  constructor(
    ws: WebSocket,
    info: PeerInfo,
    acceptor: SessionAcceptor,
    options: WebSocketConnectionOptions,
  ) {
    this.info = info;
    this.#ws = ws;
    this.#acceptor = acceptor;
    this.#serializer = options.serializer;
    this.#binary = options.serializer.binary;
    this.#maxMessageSize = options.maxMessageSize;
    this.#maxOutbound = options.maxOutboundBytes;
    this.#log = options.logger;
    this.#link = new SessionLink(this, { name: "websocket", logger: options.logger });
    const { promise, resolve } = Promise.withResolvers<void>();
    this.done = promise;
    this.#resolveDone = resolve;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.#guard("open", () => this.#onOpen());
    ws.onmessage = (ev) => {
      // Inline guard: no closure per message on the hot path.
      try {
        this.#onMessage(ev);
      } catch (err) {
        this.#handlerFailed("message", err);
      }
    };
    ws.onclose = (ev) => this.#guard("close", () => this.#onClose(ev));
    ws.onerror = (ev) => this.#guard("error", () => this.#onError(ev));
  }

  /** Serializes and queues `msg`; drops it when the connection is not open. Never throws. */
  send(msg: RouterMessage): void {
    if (this.#state !== "open" || this.#link.overflowed) return;
    let data: string | Uint8Array;
    try {
      data = encodeShared(this.#serializer, msg);
    } catch (err) {
      this.#link.undeliverable(
        msg,
        ErrorUri.RUNTIME_ERROR,
        `the ${this.#serializer.name} serializer cannot encode the message: ${errorText(err)}`,
      );
      return;
    }
    // `size` is an upper bound of the bytes on the wire (exact for binary).
    let size: number;
    if (typeof data === "string") {
      const units = data.length; // UTF-8 bytes are >= UTF-16 units and <= 3x them
      size = units > this.#maxMessageSize
        ? units
        : units * 3 > this.#maxMessageSize
        ? utf8Length(data)
        : units * 3;
      if (size > this.#maxMessageSize) {
        this.#tooBig(msg, size, units === size ? "at least " : "");
        return;
      }
    } else {
      size = data.byteLength;
      if (size > this.#maxMessageSize) {
        this.#tooBig(msg, size, "");
        return;
      }
    }
    let estimate = this.#outboundEstimate + size;
    if (estimate > this.#maxOutbound) {
      const buffered = this.#ws.bufferedAmount;
      if (buffered > 0 && buffered + size > this.#maxOutbound) {
        this.#link.overflow(buffered + size, `${this.#maxOutbound} bytes`);
        return;
      }
      estimate = buffered + size;
    }
    this.#outboundEstimate = estimate;
    if (this.#link.meter !== undefined) {
      this.#link.sent(typeof data === "string" ? utf8Length(data) : data.byteLength);
    }
    try {
      this.#ws.send(data);
    } catch (err) {
      this.#log.log("debug", "websocket send failed", {
        peer: this.info.peer,
        error: errorText(err),
      });
    }
    // After a GOODBYE from the router (its answer to the client's GOODBYE, or
    // a kill/shutdown) the WebSocket is closed at once with 1000. Clients close
    // after GOODBYE anyway, often without a status code (AutobahnJS even
    // before its GOODBYE reply is out); Deno echoes such a close frame without
    // a code (1005), which `ws` (AutobahnJS under Node) reports as unclean and
    // AutobahnJS as "lost" (and reconnects). Closing first with 1000 makes it
    // "closed", as against Crossbar. This transport therefore carries one
    // session per connection.
    if (msg[0] === MessageType.GOODBYE) this.close();
  }

  /** Session statistics: count every message's serialized length into `meter` (see `Peer`). */
  countTraffic(meter: TrafficMeter | undefined): void {
    this.#link.meter = meter;
  }

  /** Closes the connection after what is queued (code 1000 unless a violation set another). Idempotent. */
  close(): void {
    this.closeWith(this.#closeCode, this.#closeReason);
  }

  /** For `SessionLink`: close for `cause`. */
  closeFor(cause: LinkCloseCause): void {
    switch (cause) {
      case "violation":
        this.close();
        return;
      case "overflow":
        this.closeWith(CloseCode.POLICY_VIOLATION, "slow consumer");
        return;
      case "router failure":
      case "refused":
        this.closeWith(CloseCode.INTERNAL_ERROR, "internal error");
        return;
      case "undeliverable":
        this.closeWith(CloseCode.INTERNAL_ERROR, "undeliverable message");
        return;
    }
  }

  /** Starts closing with `code` and `reason` (at most 123 bytes). Idempotent. */
  closeWith(code: number, reason: string): void {
    switch (this.#state) {
      case "connecting":
        this.#closeEarly = true;
        this.#closeCode = code;
        this.#closeReason = reason;
        return;
      case "open":
        this.#state = "closing";
        try {
          this.#ws.close(code, reason);
        } catch (err) {
          this.#log.log("warn", "websocket close failed", {
            peer: this.info.peer,
            code,
            error: errorText(err),
          });
          try {
            this.#ws.close();
          } catch {
            // nothing more to try: the socket is unusable
          }
        }
        return;
      case "closing":
      case "closed":
        return;
    }
  }

  #onOpen(): void {
    if (this.#state !== "connecting") return;
    this.#state = "open";
    if (this.#closeEarly) {
      this.close();
      return;
    }
    this.#link.attach(this.#acceptor);
  }

  #onMessage(ev: MessageEvent): void {
    if (this.#state !== "open" || !this.#link.delivering) return;
    const data: unknown = ev.data;
    let payload: string | Uint8Array;
    if (typeof data === "string") {
      if (this.#binary) {
        this.#violation(
          `text WebSocket message on ${this.#protocol()}, which uses binary messages`,
          CloseCode.UNSUPPORTED_DATA,
          "binary messages expected",
        );
        return;
      }
      const units = data.length;
      if (units * 3 > this.#maxMessageSize) {
        const bytes = units > this.#maxMessageSize ? units : utf8Length(data);
        if (bytes > this.#maxMessageSize) {
          this.#violation(
            `message of ${
              units === bytes ? "at least " : ""
            }${bytes} bytes exceeds the limit of ${this.#maxMessageSize} bytes`,
            CloseCode.MESSAGE_TOO_BIG,
            "message too big",
          );
          return;
        }
      }
      payload = data;
    } else if (data instanceof ArrayBuffer) {
      if (!this.#binary) {
        this.#violation(
          `binary WebSocket message on ${this.#protocol()}, which uses text messages`,
          CloseCode.UNSUPPORTED_DATA,
          "text messages expected",
        );
        return;
      }
      if (data.byteLength > this.#maxMessageSize) {
        this.#violation(
          `message of ${data.byteLength} bytes exceeds the limit of ${this.#maxMessageSize} bytes`,
          CloseCode.MESSAGE_TOO_BIG,
          "message too big",
        );
        return;
      }
      payload = new Uint8Array(data);
    } else {
      this.#violation(
        "unexpected WebSocket message kind",
        CloseCode.UNSUPPORTED_DATA,
        "unsupported data",
      );
      return;
    }
    let value: unknown;
    try {
      value = this.#serializer.decode(payload);
    } catch (err) {
      this.#violation(
        `cannot decode ${this.#serializer.name} message: ${errorText(err)}`,
        CloseCode.INVALID_PAYLOAD,
        "invalid message",
      );
      return;
    }
    this.#link.receive(
      value,
      this.#link.meter === undefined
        ? 0
        : typeof payload === "string"
        ? utf8Length(payload)
        : payload.byteLength,
    );
  }

  #onClose(ev: CloseEvent): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#log.enabled("debug")) {
      this.#log.log("debug", "websocket closed", {
        peer: this.info.peer,
        code: ev.code,
        reason: ev.reason,
        clean: ev.wasClean,
      });
    }
    this.#link.gone();
    this.#resolveDone();
  }

  #onError(ev: Event): void {
    if (this.#log.enabled("debug")) {
      const message = ev instanceof ErrorEvent ? ev.message : ev.type;
      this.#log.log("debug", "websocket error", { peer: this.info.peer, error: message });
    }
  }

  /** The peer broke the protocol: the router hears it (ABORT), then the close carries `code`. */
  #violation(text: string, code: number, reason: string): void {
    if (!this.#link.delivering) return;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#link.violation(text);
  }

  #tooBig(msg: RouterMessage, bytes: number, qualifier: string): void {
    this.#link.undeliverable(
      msg,
      ErrorUri.PAYLOAD_SIZE_EXCEEDED,
      `message of ${qualifier}${bytes} bytes exceeds the transport limit of ${this.#maxMessageSize} bytes`,
    );
  }

  #protocol(): string {
    return `wamp.2.${this.#serializer.name}`;
  }

  /** Runs a socket event handler; nothing may escape it. */
  #guard(event: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#handlerFailed(event, err);
    }
  }

  #handlerFailed(event: string, err: unknown): void {
    try {
      this.#log.log("error", `websocket ${event} handler failed`, {
        peer: this.info.peer,
        error: errorText(err),
      });
    } catch {
      // a throwing logger must not kill the process either
    }
  }
}

/** Number of bytes of `s` in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let bytes = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}
