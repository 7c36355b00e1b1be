/**
 * Calls from the router itself to a procedure registered on one of its
 * realms (dynamic authenticators and authorizers). The call goes straight to
 * the realm's dealer from a router-side caller that is not a joined session:
 * it is not authorized (the router trusts itself), not listed by the session
 * meta API, and never disclosed beyond `caller_authid`/`caller_authrole`
 * (`xbar` / `trusted`) when a callee asks for caller disclosure.
 *
 * Every call ends: RESULT resolves, ERROR rejects with `ApplicationError`
 * (its URI, args and kwargs), and the dealer's call timeout (the callee gets
 * INTERRUPT) rejects with `wamp.error.timeout`.
 *
 * @module
 */

import type { Dict, List, RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { IdSequence } from "../wamp/ids.ts";
import { readClientFeatures } from "./features.ts";
import type { Realm } from "./realm.ts";
import { type Party, PartyTables } from "./party.ts";
import type { AuthInfo } from "./authn/authenticator.ts";

/** The outcome of a successful call. */
export interface InternalCallResult {
  /** RESULT.Arguments (empty when absent). */
  args: List;
  /** RESULT.ArgumentsKw (empty when absent). */
  kwargs: Dict;
}

/** Options of `InternalCaller.call`. */
export interface InternalCallOptions {
  /** Milliseconds before the call fails with `wamp.error.timeout`. Default 10000. */
  timeoutMs?: number;
}

/** The authid a callee sees for router-initiated calls (when it asks for caller disclosure). */
export const INTERNAL_AUTHID = "xbar";
/** The authrole a callee sees for router-initiated calls. */
export const INTERNAL_AUTHROLE = "trusted";

const DEFAULT_TIMEOUT_MS = 10000;
/** Extra time our own guard waits beyond the dealer's timeout (which answers first). */
const GUARD_MS = 1000;

interface Waiter {
  resolve: (r: InternalCallResult) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Calls procedures of one realm from the router side. */
export class InternalCaller {
  #realm: Realm;
  #ids = new IdSequence();
  #waiters = new Map<number, Waiter>();
  #caller: Party;

  /**
   * @param realm the realm whose dealer routes the calls
   * @param authrole the role callees see for these calls (default `trusted`)
   */
  constructor(realm: Realm, authrole: string = INTERNAL_AUTHROLE) {
    this.#realm = realm;
    this.#caller = new RouterSideCaller(realm, authrole, (msg) => this.#receive(msg));
  }

  /** Number of calls in flight (tests). */
  get pending(): number {
    return this.#waiters.size;
  }

  /** Calls `procedure` with `args`/`kwargs`; see the module doc for how it ends. */
  call(
    procedure: string,
    args: List = [],
    kwargs?: Dict,
    options: InternalCallOptions = {},
  ): Promise<InternalCallResult> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    const request = this.#ids.next();
    return new Promise<InternalCallResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Only when the dealer never answered (it times out first).
        this.#waiters.delete(request);
        this.#caller.calls.delete(request);
        reject(new ApplicationError(ErrorUri.TIMEOUT, { message: "internal call timed out" }));
      }, timeoutMs + GUARD_MS);
      this.#waiters.set(request, { resolve, reject, timer });
      const msg: [typeof MessageType.CALL, number, Dict, string, List, Dict?] = kwargs === undefined
        ? [MessageType.CALL, request, { timeout: timeoutMs }, procedure, args]
        : [MessageType.CALL, request, { timeout: timeoutMs }, procedure, args, kwargs];
      try {
        this.#realm.dealer.call(this.#caller, msg, false);
      } catch (e) {
        this.#settle(request)?.reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  #settle(request: number): Waiter | undefined {
    const w = this.#waiters.get(request);
    if (!w) return undefined;
    this.#waiters.delete(request);
    clearTimeout(w.timer);
    return w;
  }

  #receive(msg: RouterMessage): void {
    if (msg[0] === MessageType.RESULT) {
      if (msg[2].progress === true) return;
      this.#settle(msg[1])?.resolve({ args: msg[3] ?? [], kwargs: msg[4] ?? {} });
    } else if (msg[0] === MessageType.ERROR && msg[1] === MessageType.CALL) {
      const [, , request, , uri, args, kwargs] = msg;
      this.#settle(request)?.reject(new ApplicationError(uri, { args, kwargs }));
    }
  }
}

const callers = new WeakMap<Realm, Map<string, InternalCaller>>();

/** The realm's internal caller for `authrole` (default `trusted`; one per realm and role, made on first use). */
export function internalCallerFor(
  realm: Realm,
  authrole: string = INTERNAL_AUTHROLE,
): InternalCaller {
  let byRole = callers.get(realm);
  if (!byRole) {
    byRole = new Map();
    callers.set(realm, byRole);
  }
  let c = byRole.get(authrole);
  if (!c) {
    c = new InternalCaller(realm, authrole);
    byRole.set(authrole, c);
  }
  return c;
}

/**
 * The router as a caller: a party with an identity (`xbar`/`trusted`) and its
 * calls in flight, whose RESULT/ERROR go to the internal caller. It is not a
 * session (id 0): it never joins the realm, is never listed or announced, and
 * the dealer does not disclose a caller session id for it.
 */
class RouterSideCaller extends PartyTables implements Party {
  readonly id = 0;
  readonly auth: AuthInfo;
  readonly features = readClientFeatures(undefined);
  readonly link = undefined;
  readonly realm: Realm;
  readonly send: (msg: RouterMessage) => void;

  constructor(realm: Realm, authrole: string, send: (msg: RouterMessage) => void) {
    super();
    this.realm = realm;
    this.auth = { authid: INTERNAL_AUTHID, authrole, authmethod: "internal", authprovider: "xbar" };
    this.send = send;
  }

  nextRequestId(): number {
    throw new Error("the router-side caller is never a callee");
  }
}
