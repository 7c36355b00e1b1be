/**
 * A procedure registered by this session.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import type { InvocationDetails } from "./invocation_details.ts";

/**
 * A procedure handler. Returns the result (a value → `[value]`, a
 * `CallResult` → its args/kwargs, `undefined` → no payload), or a promise of
 * one; throws (or rejects with) an `ApplicationError` to answer ERROR with its
 * URI and payload; any other exception answers `wamp.error.runtime_error`.
 */
export type ProcedureHandler = (args: List, kwargs: Dict, details: InvocationDetails) => unknown;

/** Options of `Session.register()`, sent as `REGISTER.Options`. */
export interface RegisterOptions {
  /** URI matching policy (default `exact`). */
  match?: "exact" | "prefix" | "wildcard";
  /** Invocation policy for shared registrations (default `single`). */
  invoke?: "single" | "roundrobin" | "random" | "first" | "last";
  /** Ask the router to disclose callers' identities. */
  disclose_caller?: boolean;
  /** Any other REGISTER option, sent as given (e.g. `force_reregister`, `forward_for`). */
  [option: string]: unknown;
}

/** Removes a registration (implemented by the callee role). */
export interface Unregisterer {
  /** Sends UNREGISTER for `registration`. */
  unregister(registration: Registration): Promise<void>;
}

/** A live registration. */
export class Registration {
  /** Registration id assigned by the router. */
  readonly id: number;
  /** The URI (or pattern) registered. */
  readonly procedure: string;
  /** The handler. */
  readonly handler: ProcedureHandler;
  /** False once unregistered, revoked, or the session ended. */
  active = true;
  /** Called when the router revokes the registration (UNREGISTERED with request 0), with its reason. */
  onrevoke: ((reason: string | undefined) => void) | undefined = undefined;
  #owner: Unregisterer;

  /**
   * Internal: made by the callee role on REGISTERED.
   * @param id registration id
   * @param procedure URI or pattern
   * @param handler the handler
   * @param owner the callee role that unregisters it
   */
  constructor(id: number, procedure: string, handler: ProcedureHandler, owner: Unregisterer) {
    this.id = id;
    this.procedure = procedure;
    this.handler = handler;
    this.#owner = owner;
  }

  /** Sends UNREGISTER and resolves on UNREGISTERED (at once when no longer active). */
  unregister(): Promise<void> {
    return this.#owner.unregister(this);
  }
}
