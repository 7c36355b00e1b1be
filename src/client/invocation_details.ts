/**
 * What a procedure handler learns about one invocation, and the per-call
 * state shared by every chunk of a progressive invocation.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";

/** Sends progressive YIELDs for an invocation (implemented by the callee role). */
export interface ProgressSink {
  /** Sends `YIELD {progress: true}` for `ctl` unless it is finished. */
  progress(ctl: InvocationControl, args?: List, kwargs?: Dict): void;
}

/**
 * Internal state of one invocation (all chunks of a progressive one): done
 * flag and the lazily created AbortController behind `details.signal`.
 */
export class InvocationControl {
  /** INVOCATION request id. */
  readonly request: number;
  /** The registration invoked. */
  readonly registration: number;
  /** The procedure handler. */
  readonly handler: (args: List, kwargs: Dict, details: InvocationDetails) => unknown;
  /** The procedure URI the registration was made for. */
  readonly procedure: string;
  /** The caller asked for progressive results. */
  readonly receiveProgress: boolean;
  /** Where progressive results go. */
  readonly sink: ProgressSink;
  /** This is a progressive invocation (several INVOCATION chunks). */
  progressive = false;
  /** The final chunk has arrived. */
  finalSeen = false;
  /** A YIELD or ERROR was sent, or the invocation was interrupted. */
  done = false;
  #controller: AbortController | undefined = undefined;
  #abortReason: unknown = undefined;
  #aborted = false;

  /**
   * Internal: made by the callee role for each invocation.
   * @param request INVOCATION request id
   * @param registration registration id
   * @param procedure registered procedure URI
   * @param handler the procedure handler
   * @param receiveProgress the caller asked for progressive results
   * @param sink where progressive results go
   */
  constructor(
    request: number,
    registration: number,
    procedure: string,
    handler: (args: List, kwargs: Dict, details: InvocationDetails) => unknown,
    receiveProgress: boolean,
    sink: ProgressSink,
  ) {
    this.request = request;
    this.registration = registration;
    this.procedure = procedure;
    this.handler = handler;
    this.receiveProgress = receiveProgress;
    this.sink = sink;
  }

  /** The signal that aborts on INTERRUPT or session end (created on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** Aborts `signal` with `reason`. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }
}

/** Details of one INVOCATION, passed to the procedure handler. */
export class InvocationDetails {
  /** INVOCATION request id (the same for every chunk of a progressive invocation). */
  readonly request: number;
  /** Registration id. */
  readonly registration: number;
  /** The procedure called: the concrete URI for pattern-based registrations. */
  readonly procedure: string;
  /** Caller session id, when disclosed. */
  readonly caller?: number;
  /** Caller authid, when disclosed. */
  readonly caller_authid?: string;
  /** Caller authrole, when disclosed. */
  readonly caller_authrole?: string;
  /**
   * True when this is a non-final chunk of a progressive call invocation:
   * more chunks (more handler calls with the same `request`) follow. The
   * handler's return value for such a chunk is ignored (a throw still ends
   * the call with ERROR); the final chunk's return value is the result.
   */
  readonly progressive: boolean;
  /** INVOCATION.Details as received. */
  readonly raw: Dict;
  /**
   * Sends a progressive result (`YIELD {progress: true}`); present only when
   * the caller asked for progressive results.
   */
  readonly progress?: (args?: List, kwargs?: Dict) => void;
  #ctl: InvocationControl;

  /**
   * Internal: made by the callee role for each INVOCATION.
   * @param ctl the invocation's shared state
   * @param raw INVOCATION.Details
   * @param progressive more chunks follow
   */
  constructor(ctl: InvocationControl, raw: Dict, progressive: boolean) {
    this.#ctl = ctl;
    this.request = ctl.request;
    this.registration = ctl.registration;
    this.procedure = typeof raw.procedure === "string" ? raw.procedure : ctl.procedure;
    if (raw.caller !== undefined) this.caller = raw.caller as number;
    if (raw.caller_authid !== undefined) this.caller_authid = raw.caller_authid as string;
    if (raw.caller_authrole !== undefined) this.caller_authrole = raw.caller_authrole as string;
    this.progressive = progressive;
    this.raw = raw;
    if (ctl.receiveProgress) {
      this.progress = (args?: List, kwargs?: Dict) => ctl.sink.progress(ctl, args, kwargs);
    }
  }

  /**
   * Aborts when the invocation is interrupted (INTERRUPT from the dealer, its
   * reason an `ApplicationError`) or the session ends.
   */
  get signal(): AbortSignal {
    return this.#ctl.signal;
  }
}
