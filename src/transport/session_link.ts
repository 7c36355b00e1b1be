/**
 * What every transport connection does for its router session, in one
 * place (WebSocket on our framing and on Deno's, RawSocket, long-poll):
 * attach, hand over input with a router that throws costing the connection
 * and not the process, the peer's protocol violation, outbound overflow,
 * messages that cannot be delivered, flow control (backlog reports, paused
 * input), and telling the router exactly once that the connection is gone.
 *
 * The connection keeps its socket; the link keeps the `SessionHandle` and
 * the rules:
 * - after a violation, an overflow or a router failure no more input
 *   reaches the router (`delivering` is false);
 * - `overflow()` reaches the router at most once, on a microtask (never
 *   re-entered from inside `Peer.send()`);
 * - an undeliverable message follows `planUndeliverable()`; an INVOCATION
 *   is handed to the router's `SessionHandle.undeliverable()` when it has
 *   one (the dealer answers the caller), else answered as if the callee had
 *   sent ERROR; both on a microtask;
 * - `closed()` is told once;
 * - flow control: the connection reports its outbound queue level with
 *   `level(bytes)`; passing `highWater` tells the router `backlog(true)`,
 *   falling to `lowWater` or below `backlog(false)`. The router pauses and
 *   resumes input through the connection's `pauseInput()`/`resumeInput()`,
 *   which call `pause()`/`resume()` here: while paused, `flowing` is false
 *   (the read loop stops after the message in hand and awaits `resumed()`).
 *
 * - session statistics: `meter` is set while the router wants the session's
 *   messages counted (`Peer.countTraffic`); the connection hands each
 *   serialized payload length to `receive(value, size)` and `sent(size)`,
 *   which cost one field test when nothing is counted.
 *
 * Log lines carry the transport's name (`websocket protocol violation`,
 * `rawsocket outbound queue overflow: closing slow consumer`, ...).
 *
 * @module
 */

import { errorText, tellRouter } from "./router_call.ts";
import type { Peer, SessionAcceptor, SessionHandle, TrafficMeter } from "../router/peer.ts";
import type { Logger } from "../log/logger.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { messageTypeName } from "../wamp/messages.ts";
import { planUndeliverable } from "./undeliverable.ts";

/** Why the link asks its connection to close. */
export type LinkCloseCause =
  | "violation"
  | "overflow"
  | "router failure"
  | "undeliverable"
  | "refused";

/** What the link needs from its connection. */
export interface LinkedConnection extends Peer {
  /** Starts closing the connection for `cause` (the connection picks code and manner). */
  closeFor(cause: LinkCloseCause): void;
}

/** Outbound queue marks of flow control, in the connection's unit (bytes). */
export interface FlowMarks {
  /** Above this the connection is backlogged. */
  highWater: number;
  /** At or below this it is not any more. Less than `highWater`. */
  lowWater: number;
}

/** Options of `SessionLink`. */
export interface SessionLinkOptions {
  /** Transport name in log lines: `websocket`, `rawsocket`, `long-poll`. */
  name: string;
  /** Where to log. */
  logger: Logger;
  /** Extra fields for every log line (e.g. `transportId`). */
  fields?: Record<string, unknown>;
  /** Flow control marks; absent: the router is never told `backlog()`. */
  flow?: FlowMarks;
}

/** Log fields of links without their own (shared: spread, never written). */
const NO_FIELDS: Record<string, unknown> = Object.freeze({});

/** One connection's side of the transport ↔ router boundary. */
export class SessionLink {
  #conn: LinkedConnection;
  #name: string;
  #log: Logger;
  #fields: Record<string, unknown>;
  #handle: SessionHandle | undefined;
  #delivering = true;
  #overflowed = false;
  #replacing = false;
  #closed = false;
  #high: number;
  #low: number;
  #backlogged = false;
  #paused = false;
  #wake: (() => void) | undefined;
  /** Where the session's messages are counted while the router asks (`Peer.countTraffic`). */
  meter: TrafficMeter | undefined;

  /**
   * @param conn the connection (its `info.peer` is read at each log line)
   * @param options see SessionLinkOptions
   */
  constructor(conn: LinkedConnection, options: SessionLinkOptions) {
    this.#conn = conn;
    this.#name = options.name;
    this.#log = options.logger;
    this.#fields = options.fields ?? NO_FIELDS;
    this.#high = options.flow?.highWater ?? Infinity;
    this.#low = options.flow?.lowWater ?? Infinity;
  }

  /** True while input reaches the router (attached, no violation, overflow or failure). */
  get delivering(): boolean {
    return this.#delivering && this.#handle !== undefined;
  }

  /** True while input flows: delivering and not paused by the router. */
  get flowing(): boolean {
    return this.#delivering && !this.#paused && this.#handle !== undefined;
  }

  /** True while the router has paused input (flow control). */
  get paused(): boolean {
    return this.#paused;
  }

  /** True while the outbound queue is over its high-water mark (and not yet back to low water). */
  get backlogged(): boolean {
    return this.#backlogged;
  }

  /** True once `overflow()` was called: the connection drops further output. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** True once the router knows the connection is gone. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Attaches the connection to `acceptor`; false (logged, connection closed) when it refuses. */
  attach(acceptor: SessionAcceptor): boolean {
    try {
      this.#handle = acceptor.attach(this.#conn);
      return true;
    } catch (err) {
      this.#delivering = false;
      this.#log.log("error", `router refused a ${this.#name} connection`, {
        peer: this.#conn.info.peer,
        error: errorText(err),
        ...this.#fields,
      });
      this.#conn.closeFor("refused");
      return false;
    }
  }

  /**
   * Hands one decoded frame of `size` serialized octets to the router (the
   * size is counted when the router asks; 0 for the later messages of a
   * batch counted whole); false when input stopped (the caller stops too).
   */
  receive(value: unknown, size = 0): boolean {
    const handle = this.#handle;
    if (!this.#delivering || handle === undefined) return false;
    const meter = this.meter;
    if (meter !== undefined) meter.count(size);
    try {
      handle.receive(value);
    } catch (err) {
      this.routerFailed("receive", err);
      return false;
    }
    return this.#delivering;
  }

  /** One message of `size` serialized octets was queued for the peer: counted when the router asks. */
  sent(size: number): void {
    const meter = this.meter;
    if (meter !== undefined) meter.count(size);
  }

  /** No more input reaches the router (the connection is closing). */
  stopInput(): void {
    this.#delivering = false;
    this.wake();
  }

  /**
   * The outbound queue holds `queued` now (after an append or a write):
   * tells the router `backlog(true)` when it passes the high-water mark and
   * `backlog(false)` when it is back at or below the low-water mark.
   */
  level(queued: number): void {
    if (this.#backlogged) {
      if (queued > this.#low) return;
      this.#backlogged = false;
    } else {
      if (queued <= this.#high) return;
      this.#backlogged = true;
    }
    const handle = this.#handle;
    if (handle?.backlog === undefined || this.#closed) return;
    const on = this.#backlogged;
    tellRouter(this.#log, this.#conn.info.peer, "backlog", () => handle.backlog!(on));
  }

  /** The router pauses input (the connection's `pauseInput()`). */
  pause(): void {
    this.#paused = true;
  }

  /** The router resumes input (the connection's `resumeInput()`): a waiting read loop goes on. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.wake();
  }

  /** Resolves when input is resumed, or at once when not paused (also when `wake()` is called). */
  resumed(): Promise<void> {
    if (!this.#paused || !this.#delivering) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.#wake;
      this.#wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Wakes a read loop waiting in `resumed()` (the connection is closing). */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The peer broke the protocol: stop input, tell the router (it sends ABORT), close. */
  violation(text: string): void {
    if (!this.#delivering) return;
    this.#delivering = false;
    this.wake();
    this.#log.log("info", `${this.#name} protocol violation`, {
      peer: this.#conn.info.peer,
      error: text,
      ...this.#fields,
    });
    const handle = this.#handle;
    tellRouter(
      this.#log,
      this.#conn.info.peer,
      "protocolViolation",
      () => handle?.protocolViolation(text),
    );
    this.#conn.closeFor("violation");
  }

  /**
   * The outbound queue (`queuedBytes`) would pass its hard bound (`bound`,
   * e.g. `4194304 bytes` or `100 messages`): stop, log, close, and tell the
   * router on a microtask. Once.
   */
  overflow(queuedBytes: number, bound: string): void {
    if (this.#overflowed) return;
    this.#overflowed = true;
    this.#delivering = false;
    this.wake();
    const reason = `outbound queue would pass its bound of ${bound}`;
    this.#log.log("warn", `${this.#name} outbound queue overflow: closing slow consumer`, {
      peer: this.#conn.info.peer,
      queuedBytes,
      bound,
      ...this.#fields,
    });
    const handle = this.#handle;
    this.#conn.closeFor("overflow");
    queueMicrotask(() => {
      tellRouter(
        this.#log,
        this.#conn.info.peer,
        "overflow",
        () => handle?.overflow(queuedBytes, reason),
      );
    });
  }

  /** The router threw in `where`: stop input, log, close. */
  routerFailed(where: string, err: unknown): void {
    this.#delivering = false;
    this.wake();
    this.#log.log("error", `router failed in ${where}(): closing the connection`, {
      peer: this.#conn.info.peer,
      error: errorText(err),
      ...this.#fields,
    });
    this.#conn.closeFor("router failure");
  }

  /**
   * `msg` cannot be delivered (`uri`, `text` say why): reply in its place,
   * let the router answer, drop it, or close; see `undeliverable.ts`. Logged.
   */
  undeliverable(msg: RouterMessage, uri: string, text: string): void {
    const plan = planUndeliverable(msg, uri, text);
    this.#log.log("warn", `${this.#name} message not delivered`, {
      peer: this.#conn.info.peer,
      type: messageTypeName[msg[0]] ?? msg[0],
      error: text,
      action: plan.kind,
      ...this.#fields,
    });
    switch (plan.kind) {
      case "reply":
        if (this.#replacing) {
          this.#conn.closeFor("undeliverable");
          return;
        }
        this.#replacing = true;
        try {
          this.#conn.send(plan.message);
        } finally {
          this.#replacing = false;
        }
        return;
      case "inject": {
        const handle = this.#handle;
        queueMicrotask(() => {
          if (!this.#delivering || handle === undefined || this.#handle !== handle) return;
          try {
            if (handle.undeliverable !== undefined) handle.undeliverable(msg, uri, text);
            else handle.receive(plan.message);
          } catch (err) {
            this.routerFailed("receive", err);
          }
        });
        return;
      }
      case "drop":
        return;
      case "router": {
        const handle = this.#handle;
        if (handle?.undeliverable === undefined) {
          this.#conn.closeFor("undeliverable");
          return;
        }
        queueMicrotask(() => {
          if (!this.#delivering || this.#handle !== handle) return;
          try {
            handle.undeliverable!(msg, uri, text);
          } catch (err) {
            this.routerFailed("undeliverable", err);
          }
        });
        return;
      }
      case "close":
        this.#conn.closeFor("undeliverable");
        return;
    }
  }

  /** The connection is gone: tell the router once. */
  gone(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#delivering = false;
    this.wake();
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) {
      tellRouter(this.#log, this.#conn.info.peer, "closed", () => handle.closed());
    }
  }
}
