/**
 * What every transport connection does for its router session, in one
 * place (WebSocket, RawSocket, long-poll): attach, hand over input with a
 * router that throws costing the connection and not the process, the peer's
 * protocol violation, outbound overflow, messages that cannot be delivered,
 * and telling the router exactly once that the connection is gone.
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
 * - `closed()` is told once.
 *
 * Log lines carry the transport's name (`websocket protocol violation`,
 * `rawsocket outbound queue overflow: closing slow consumer`, ...).
 *
 * @module
 */

import { errorText, tellRouter } from "./router_call.ts";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
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

/** Options of `SessionLink`. */
export interface SessionLinkOptions {
  /** Transport name in log lines: `websocket`, `rawsocket`, `long-poll`. */
  name: string;
  /** Where to log. */
  logger: Logger;
  /** Extra fields for every log line (e.g. `transportId`). */
  fields?: Record<string, unknown>;
}

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

  /**
   * @param conn the connection (its `info.peer` is read at each log line)
   * @param options see SessionLinkOptions
   */
  constructor(conn: LinkedConnection, options: SessionLinkOptions) {
    this.#conn = conn;
    this.#name = options.name;
    this.#log = options.logger;
    this.#fields = options.fields ?? {};
  }

  /** True while input reaches the router (attached, no violation, overflow or failure). */
  get delivering(): boolean {
    return this.#delivering && this.#handle !== undefined;
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

  /** Hands one decoded frame to the router; false when input stopped (the caller stops too). */
  receive(value: unknown): boolean {
    const handle = this.#handle;
    if (!this.#delivering || handle === undefined) return false;
    try {
      handle.receive(value);
    } catch (err) {
      this.routerFailed("receive", err);
      return false;
    }
    return this.#delivering;
  }

  /** The peer broke the protocol: stop input, tell the router (it sends ABORT), close. */
  violation(text: string): void {
    if (!this.#delivering) return;
    this.#delivering = false;
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
   * The outbound queue would pass its bound (`queuedBytes`): stop, log, close,
   * and tell the router on a microtask. Once.
   */
  overflow(queuedBytes: number, fields: Record<string, unknown> = {}): void {
    if (this.#overflowed) return;
    this.#overflowed = true;
    this.#delivering = false;
    this.#log.log("warn", `${this.#name} outbound queue overflow: closing slow consumer`, {
      peer: this.#conn.info.peer,
      queuedBytes,
      ...fields,
      ...this.#fields,
    });
    const handle = this.#handle;
    this.#conn.closeFor("overflow");
    queueMicrotask(() => {
      tellRouter(this.#log, this.#conn.info.peer, "overflow", () => handle?.overflow(queuedBytes));
    });
  }

  /** The router threw in `where`: stop input, log, close. */
  routerFailed(where: string, err: unknown): void {
    this.#delivering = false;
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
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) {
      tellRouter(this.#log, this.#conn.info.peer, "closed", () => handle.closed());
    }
  }
}
