/**
 * One WAMP-over-long-poll transport (one transport id): the `Peer` the router
 * sends to, its bounded outbound queue, the pending `receive` request, and
 * the timers.
 *
 * Rules it keeps:
 * - **Order**: `send` requests are handed to the router in the order they
 *   arrived, even when their bodies finish reading in another order; router
 *   messages leave in the order sent.
 * - **One poll at a time**: a second `receive` while one is pending answers
 *   the older one empty (204) and holds the newer one.
 * - **Batching**: messages sent by the router in one turn of the event loop
 *   are answered together (batched protocols); unbatched protocols answer one
 *   message per `receive`.
 * - **Request timeout**: a `receive` with nothing to deliver is answered
 *   empty (204) after `requestTimeout` seconds.
 * - **Session timeout**: a transport with no pending `receive` and no request
 *   for `sessionTimeout` seconds is closed, and the router told (`closed()`).
 * - **Bounded queue**: when the queue is non-empty and a message would take
 *   it over `queueLimitBytes` or `queueLimitMessages`, the message is dropped
 *   and the router told once (`overflow()`); it then closes the transport.
 *   One message always fits in an empty queue.
 * - **Flow control** (`session_link.ts`): the queue passing its high-water
 *   mark (in bytes, or half of `queueLimitMessages`) is reported to the
 *   router; while the router pauses input, messages of `send` requests wait
 *   (their answers are held) and the transport does not time out.
 * - **Closing**: after the router's `close()`, what is queued is still
 *   delivered (an ABORT or GOODBYE reaches the client); the transport goes
 *   away once the queue is empty. `handle.closed()` is called exactly once.
 * - Messages over `maxMessageSize` or that the serializer cannot encode are
 *   never queued: see `undeliverable.ts`.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import type { PeerInfo, SessionAcceptor, TrafficMeter } from "../router/peer.ts";
import type { Logger } from "../log/logger.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { type LinkCloseCause, type LinkedConnection, SessionLink } from "./session_link.ts";
import type { ResolvedFlowControl } from "./flow_control.ts";
import {
  decodeBody,
  encodeFrame,
  joinFrames,
  type LongPollProtocol,
  payloadSize,
} from "./longpoll_framing.ts";
import type { BodyResult } from "./web_http.ts";
import { corsHeaders, textResponse } from "./web_http.ts";

/** Settings of one transport (validated and defaulted by the endpoint). */
export interface LongPollTransportOptions {
  /** Seconds a `receive` is held when there is nothing to deliver; 0 = until there is. */
  requestTimeout: number;
  /** Seconds without requests after which the transport is closed; 0 = never. */
  sessionTimeout: number;
  /** Bound of the outbound queue in bytes; 0 = none. */
  queueLimitBytes: number;
  /** Bound of the outbound queue in messages; 0 = none. */
  queueLimitMessages: number;
  /** Largest message (and `send` body) in bytes. */
  maxMessageSize: number;
  /** Flow control (marks in bytes against `queueLimitBytes`, stuck timeout). */
  flow?: ResolvedFlowControl;
  /** Where to log. */
  logger: Logger;
}

/** Why a transport went away. */
export type LongPollCloseReason =
  | "closed by the client"
  | "closed by the router"
  | "session timeout"
  | "server shutdown"
  | "internal error";

type State = "open" | "closing" | "closed";

interface PendingPoll {
  resolve: (res: Response) => void;
  req: Request;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: () => void;
}

/** One long-poll transport. */
export class LongPollTransport implements LinkedConnection {
  /** The transport id (the path segment in `<base>/<id>/send`). */
  readonly id: string;
  /** Facts about the connection. */
  readonly info: PeerInfo;
  /** The negotiated protocol. */
  readonly protocol: LongPollProtocol;

  #opts: LongPollTransportOptions;
  #log: Logger;
  #link: SessionLink;
  #state: State = "open";
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #poll: PendingPoll | undefined;
  #flushScheduled = false;
  #lastActivity = performance.now();
  #sessionTimer: ReturnType<typeof setTimeout> | undefined;
  #inbound: Promise<unknown> = Promise.resolve();
  /** `send` requests not answered yet (held while input is paused). */
  #sending = 0;
  /** Bytes one queued message counts as, so that half the message limit reaches the high-water mark. */
  #perMessage = 0;
  #onGone: (t: LongPollTransport, reason: LongPollCloseReason) => void;

  /**
   * Creates the transport; `attach` starts its session.
   *
   * @param onGone called once when the transport is gone, before the router hears `closed()`
   */
  constructor(
    id: string,
    info: PeerInfo,
    protocol: LongPollProtocol,
    options: LongPollTransportOptions,
    onGone: (t: LongPollTransport, reason: LongPollCloseReason) => void,
  ) {
    this.id = id;
    this.info = info;
    this.protocol = protocol;
    this.#opts = options;
    this.#log = options.logger;
    this.#onGone = onGone;
    const marks = options.flow?.marks;
    if (marks !== undefined && options.queueLimitMessages > 0) {
      this.#perMessage = marks.highWater / Math.max(1, Math.floor(options.queueLimitMessages / 2));
    }
    this.#link = new SessionLink(this, {
      name: "long-poll",
      logger: options.logger,
      fields: { transport: id },
      flow: marks,
    });
  }

  /**
   * Attaches the transport to `acceptor` and starts the session timer; false
   * when the router refused it (logged; the transport is gone).
   */
  attach(acceptor: SessionAcceptor): boolean {
    if (!this.#link.attach(acceptor)) return false;
    this.#armSessionTimer(this.#opts.sessionTimeout * 1000);
    return true;
  }

  /** Bytes queued for the client. */
  queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** See `Peer.stuckTimeoutMs`. */
  get stuckTimeoutMs(): number {
    return this.#opts.flow?.stuckTimeoutMs ?? 0;
  }

  /** Flow control: hold the messages of `send` requests until `resumeInput()`. */
  pauseInput(): void {
    this.#link.pause();
  }

  /** Flow control: go on after `pauseInput()`. */
  resumeInput(): void {
    this.#link.resume();
  }

  /** For `SessionLink`: close for `cause`. */
  closeFor(cause: LinkCloseCause): void {
    switch (cause) {
      case "violation":
      case "overflow":
      case "undeliverable":
        // What is queued (an ABORT) still reaches the client.
        this.close();
        return;
      case "router failure":
      case "refused":
        this.finish("internal error");
        return;
    }
  }

  /** Number of messages waiting for a `receive`. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True until the transport is gone. */
  get alive(): boolean {
    return this.#state !== "closed";
  }

  // ---- Peer ----

  /** Serializes and queues `msg`. Never throws. */
  send(msg: RouterMessage): void {
    if (this.#state !== "open" || this.#link.overflowed) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(this.protocol, msg);
    } catch (err) {
      this.#link.undeliverable(
        msg,
        ErrorUri.RUNTIME_ERROR,
        `the ${this.protocol.serializer.name} serializer cannot encode the message: ${
          errorText(err)
        }`,
      );
      return;
    }
    const size = payloadSize(this.protocol, frame);
    if (size > this.#opts.maxMessageSize) {
      this.#link.undeliverable(
        msg,
        ErrorUri.PAYLOAD_SIZE_EXCEEDED,
        `message of ${size} bytes exceeds the transport limit of ${this.#opts.maxMessageSize} bytes`,
      );
      return;
    }
    const { queueLimitBytes, queueLimitMessages } = this.#opts;
    if (this.#queue.length > 0) {
      const bytes = this.#queuedBytes + frame.byteLength;
      const overBytes = queueLimitBytes > 0 && bytes > queueLimitBytes;
      if (overBytes || (queueLimitMessages > 0 && this.#queue.length + 1 > queueLimitMessages)) {
        this.#link.overflow(
          bytes,
          overBytes ? `${queueLimitBytes} bytes` : `${queueLimitMessages} messages`,
        );
        return;
      }
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.byteLength;
    this.#link.sent(size);
    this.#link.level(this.#level());
    this.#scheduleFlush();
  }

  /** Session statistics: count every message's serialized length into `meter` (see `Peer`). */
  countTraffic(meter: TrafficMeter | undefined): void {
    this.#link.meter = meter;
  }

  /** The queue level flow control compares with its marks. */
  #level(): number {
    return Math.max(this.#queuedBytes, this.#queue.length * this.#perMessage);
  }

  /** The router is done: deliver what is queued, then go. Idempotent. */
  close(): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    if (this.#queue.length === 0) {
      this.finish("closed by the router");
      return;
    }
    this.#scheduleFlush();
  }

  // ---- HTTP operations (called by the endpoint) ----

  /** Answers a `receive` request: at once when messages are queued, else when one arrives or the request times out. */
  receive(req: Request): Promise<Response> {
    this.#touch();
    if (this.#poll !== undefined) this.#answerPoll(this.#empty(this.#poll.req));
    if (this.#queue.length > 0) {
      const res = this.#take(req);
      if (this.#link.backlogged) this.#link.level(this.#level());
      if (this.#state === "closing" && this.#queue.length === 0) {
        this.finish("closed by the router");
      }
      return Promise.resolve(res);
    }
    if (this.#state !== "open") {
      return Promise.resolve(
        textResponse(410, `WAMP long-poll transport "${this.id}" is closed`, corsHeaders(req)),
      );
    }
    const { promise, resolve } = Promise.withResolvers<Response>();
    const poll: PendingPoll = {
      resolve,
      req,
      timer: undefined,
      onAbort: () => {
        if (this.#poll !== poll) return;
        this.#answerPoll(this.#empty(req));
      },
    };
    if (this.#opts.requestTimeout > 0) {
      poll.timer = setTimeout(() => {
        poll.timer = undefined;
        if (this.#poll === poll) this.#answerPoll(this.#empty(req));
      }, this.#opts.requestTimeout * 1000);
    }
    req.signal.addEventListener("abort", poll.onAbort, { once: true });
    this.#poll = poll;
    return promise;
  }

  /**
   * Answers a `send` request whose body is being read (`body`): its messages
   * reach the router after those of every earlier `send`.
   */
  post(req: Request, body: Promise<BodyResult>): Promise<Response> {
    this.#touch();
    this.#sending++;
    const turn = this.#inbound.then(async () => {
      const read = await body;
      this.#touch();
      return await this.#deliver(req, read);
    }).finally(() => {
      this.#sending--;
      this.#touch();
    });
    this.#inbound = turn.catch(() => {});
    return turn;
  }

  /**
   * Ends the transport: answers a pending `receive` (204 when the client
   * closed, else 410), drops the queue, tells the endpoint and the router.
   * Idempotent.
   */
  finish(reason: LongPollCloseReason): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#sessionTimer !== undefined) clearTimeout(this.#sessionTimer);
    this.#sessionTimer = undefined;
    const poll = this.#poll;
    if (poll !== undefined) {
      this.#answerPoll(
        reason === "closed by the client" ? this.#empty(poll.req) : textResponse(
          410,
          `WAMP long-poll transport "${this.id}" is closed: ${reason}`,
          corsHeaders(poll.req),
        ),
      );
    }
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#log.log("debug", "long-poll transport closed", {
      transport: this.id,
      peer: this.info.peer,
      reason,
    });
    try {
      this.#onGone(this, reason);
    } catch (err) {
      this.#log.log("error", "long-poll endpoint failed to forget a transport", {
        error: errorText(err),
      });
    }
    this.#link.gone();
  }

  // ---- internals ----

  async #deliver(req: Request, read: BodyResult): Promise<Response> {
    const headers = corsHeaders(req);
    const link = this.#link;
    if (this.#state !== "open" || !link.delivering) {
      return textResponse(
        410,
        `WAMP long-poll transport "${this.id}" is closing; message not delivered`,
        headers,
      );
    }
    if (!read.ok) {
      if (read.status === 413) link.violation(`message too big: ${read.reason}`);
      return textResponse(read.status, read.reason, headers);
    }
    let values: unknown[];
    try {
      values = decodeBody(this.protocol, read.bytes);
    } catch (err) {
      const text = `cannot decode ${this.protocol.name} message: ${errorText(err)}`;
      link.violation(text);
      return textResponse(400, `${text}; the session is aborted`, headers);
    }
    // Session statistics count a body as Autobahn counts a payload: its
    // octets once (with the first message), and each message.
    let size = read.bytes.byteLength;
    for (const value of values) {
      // Flow control: the answer to this request waits while input is paused.
      while (link.paused && link.delivering) await link.resumed();
      const counted = size;
      size = 0;
      if (this.#state !== "open" || !link.receive(value, counted)) {
        if ((this.#state as State) === "closed") {
          return textResponse(500, "internal error", headers);
        }
        break;
      }
    }
    return new Response(null, { status: 204, headers });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      const poll = this.#poll;
      if (poll === undefined || this.#state === "closed" || this.#queue.length === 0) return;
      this.#answerPoll(this.#take(poll.req));
      if (this.#link.backlogged) this.#link.level(this.#level());
      if (this.#state === "closing" && this.#queue.length === 0) {
        this.finish("closed by the router");
      }
    });
  }

  /** Takes what one answer carries off the queue (everything when batched, else one). */
  #take(req: Request): Response {
    let body: Uint8Array;
    if (this.protocol.batched) {
      body = joinFrames(this.#queue);
      this.#queue = [];
      this.#queuedBytes = 0;
    } else {
      body = this.#queue.shift()!;
      this.#queuedBytes -= body.byteLength;
    }
    const headers = corsHeaders(req);
    headers.set("content-type", this.protocol.contentType);
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers });
  }

  #empty(req: Request): Response {
    return new Response(null, { status: 204, headers: corsHeaders(req) });
  }

  #answerPoll(res: Response): void {
    const poll = this.#poll;
    if (poll === undefined) return;
    this.#poll = undefined;
    if (poll.timer !== undefined) clearTimeout(poll.timer);
    poll.req.signal.removeEventListener("abort", poll.onAbort);
    this.#touch();
    poll.resolve(res);
  }

  #touch(): void {
    this.#lastActivity = performance.now();
  }

  #armSessionTimer(ms: number): void {
    if (this.#opts.sessionTimeout <= 0 || this.#state === "closed") return;
    this.#sessionTimer = setTimeout(() => {
      this.#sessionTimer = undefined;
      const limit = this.#opts.sessionTimeout * 1000;
      if (this.#poll !== undefined || this.#sending > 0) {
        this.#armSessionTimer(limit);
        return;
      }
      const idle = performance.now() - this.#lastActivity;
      if (idle >= limit) {
        this.#log.log("info", "long-poll transport timed out", {
          transport: this.id,
          peer: this.info.peer,
        });
        this.finish("session timeout");
      } else {
        this.#armSessionTimer(limit - idle);
      }
    }, Math.max(1, Math.ceil(ms)));
  }
}
