/**
 * The caller role of a session: CALL, RESULT (final and progressive), ERROR,
 * cancelling (CANCEL with a mode, from an AbortSignal), call timeouts, and
 * progressive call invocations (several CALL chunks with one request id).
 *
 * Outstanding calls live in one Map keyed by request id; the only closure per
 * call is the promise's executor.
 *
 * @module
 */

import { ApplicationError } from "../wamp/errors.ts";
import type { IdSequence } from "../wamp/ids.ts";
import {
  type Call,
  type Dict,
  type ErrorMsg,
  type List,
  MessageType,
  type Result,
  withPayload,
} from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { CallResult } from "./call_result.ts";
import type { ClientTransport } from "./client_transport.ts";
import { Deferred } from "./_deferred.ts";
import { errorFrom } from "./_error_from.ts";

/** How a cancelled call is cancelled (spec: Call Canceling). */
export type CancelMode = "skip" | "kill" | "killnowait";

/** Receives progressive results (RESULT with `progress: true`). */
export type ProgressHandler = (args: List, kwargs: Dict, details: Dict) => void;

/** Options of `Session.call()`. */
export interface CallOptions {
  /**
   * Milliseconds after which the call fails with `wamp.error.timeout`. Sent
   * as `CALL.Options.timeout`; when the router does not announce
   * `call_timeout`, the client runs the timer itself (and sends CANCEL
   * `killnowait` when the router supports cancelling). Default: no timeout.
   */
  timeout?: number;
  /** Ask for progressive results (`receive_progress`). Implied by `onProgress`. */
  receive_progress?: boolean;
  /** Called with every progressive result before the promise settles. */
  onProgress?: ProgressHandler;
  /** Ask the router to disclose this caller's identity to the callee. */
  disclose_me?: boolean;
  /**
   * Cancels the call when aborted: sends CANCEL with `cancelMode`. With
   * `skip`/`killnowait` the promise rejects at once with
   * `wamp.error.canceled`; with `kill` it waits for the router's answer.
   */
  signal?: AbortSignal;
  /** Mode of the CANCEL sent when `signal` aborts. Default `killnowait`. */
  cancelMode?: CancelMode;
  /** More `CALL.Options` entries, sent as given (e.g. `rkey`, `runmode`, `forward_for`). */
  extra?: Dict;
}

/** Options of one chunk of a progressive call. */
export interface ChunkOptions {
  /** More chunks follow (default `true`); `false` sends the final chunk. */
  progress?: boolean;
}

/** One outstanding call. */
class PendingCall extends Deferred<CallResult> {
  onProgress: ProgressHandler | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal!.removeEventListener("abort", this.onAbort);
  }
}

function wireOptions(options: CallOptions): Dict {
  const o: Dict = options.extra !== undefined ? { ...options.extra } : {};
  if (options.timeout !== undefined && options.timeout > 0) o.timeout = options.timeout;
  if (options.receive_progress === true || options.onProgress !== undefined) {
    o.receive_progress = true;
  }
  if (options.disclose_me !== undefined) o.disclose_me = options.disclose_me;
  return o;
}

function canceled(): ApplicationError {
  return new ApplicationError(ErrorUri.CANCELED, { message: "call canceled by the caller" });
}

/**
 * A call sent in several chunks (spec: Progressive Call Invocations). Create
 * with `Session.callProgressive()`, then `send()` chunks and `end()` with the
 * last one. Options of the call are sent with the first chunk only.
 */
export class ProgressiveCall {
  /** The request id shared by every chunk. */
  readonly request: number;
  /** Settles with the call's outcome. Rejections here never count as unhandled. */
  readonly result: Promise<CallResult>;
  #procedure: string;
  #options: CallOptions;
  #caller: Caller;
  #started = false;
  #ended = false;

  /**
   * Internal: made by `Session.callProgressive()`.
   * @ignore
   */
  constructor(
    caller: Caller,
    request: number,
    procedure: string,
    options: CallOptions,
    result: Promise<CallResult>,
  ) {
    this.#caller = caller;
    this.request = request;
    this.#procedure = procedure;
    this.#options = options;
    this.result = result;
    result.catch(() => {}); // the user may only ever await end()
  }

  /** True once the final chunk was sent (or the call was cancelled). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends one chunk. `{progress: false}` makes it the final one. Chunks after
   * the call has already failed or the session closed are dropped (`result`
   * tells why). Throws when the final chunk was already sent.
   */
  send(args?: List, kwargs?: Dict, options: ChunkOptions = {}): void {
    if (this.#ended) {
      throw new Error(
        `ProgressiveCall.send(): call ${this.request} to ${this.#procedure} has already ended`,
      );
    }
    const progress = options.progress ?? true;
    if (!progress) this.#ended = true;
    let wire: Dict;
    if (!this.#started) {
      this.#started = true;
      wire = wireOptions(this.#options);
      if (progress) wire.progress = true;
      this.#caller.start(this.request, this.#options);
    } else {
      wire = progress ? { progress: true } : {};
    }
    this.#caller.chunk(
      withPayload([MessageType.CALL, this.request, wire, this.#procedure] as Call, args, kwargs),
    );
  }

  /** Sends the final chunk and returns `result`. */
  end(args?: List, kwargs?: Dict): Promise<CallResult> {
    this.send(args, kwargs, { progress: false });
    return this.result;
  }

  /**
   * Cancels the call with `mode` (default: the call's `cancelMode`, else
   * `killnowait`). Before the first chunk, it only rejects `result`.
   */
  cancel(mode?: CancelMode): void {
    this.#ended = true;
    if (!this.#started) {
      this.#started = true;
      this.#caller.fail(this.request, canceled());
      return;
    }
    this.#caller.cancel(this.request, mode ?? this.#options.cancelMode ?? "killnowait", canceled());
  }
}

/** The caller role: owns outstanding calls. Used by `Session`. */
export class Caller {
  #transport: ClientTransport;
  #ids: IdSequence;
  #pending = new Map<number, PendingCall>();
  #canCancel: boolean;
  #routerTimeout: boolean;
  #progressiveInvocations: boolean;
  #onerror: (err: unknown) => void;

  /**
   * @param transport where CALL and CANCEL go
   * @param ids the session's request id sequence
   * @param dealer the router's `dealer` features from WELCOME
   * @param onerror receives exceptions thrown by progress handlers
   */
  constructor(
    transport: ClientTransport,
    ids: IdSequence,
    dealer: Dict,
    onerror: (err: unknown) => void,
  ) {
    this.#transport = transport;
    this.#ids = ids;
    this.#canCancel = dealer.call_canceling === true || dealer.call_cancelling === true;
    this.#routerTimeout = dealer.call_timeout === true;
    this.#progressiveInvocations = dealer.progressive_call_invocations === true;
    this.#onerror = onerror;
  }

  /** Number of calls awaiting their result. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends CALL and returns the promise of its result. */
  call(
    procedure: string,
    args: List | undefined,
    kwargs: Dict | undefined,
    options?: CallOptions,
  ): Promise<CallResult> {
    const request = this.#ids.next();
    const p = new PendingCall();
    let msg: Call;
    if (options === undefined) {
      msg = [MessageType.CALL, request, {}, procedure];
    } else {
      if (options.signal?.aborted) return Promise.reject(canceled());
      msg = [MessageType.CALL, request, wireOptions(options), procedure];
    }
    this.#pending.set(request, p);
    try {
      this.#transport.send(withPayload(msg, args, kwargs));
    } catch (err) {
      this.#pending.delete(request);
      return Promise.reject(err);
    }
    if (options !== undefined) this.#arm(request, p, options);
    return p.promise;
  }

  /** Starts a progressive call: nothing is sent until `ProgressiveCall.send()`. */
  progressive(procedure: string, options: CallOptions = {}): ProgressiveCall {
    if (!this.#progressiveInvocations) {
      throw new ApplicationError(ErrorUri.FEATURE_NOT_SUPPORTED, {
        message: "the router does not announce progressive_call_invocations",
      });
    }
    const request = this.#ids.next();
    const p = new PendingCall();
    this.#pending.set(request, p);
    return new ProgressiveCall(this, request, procedure, options, p.promise);
  }

  /** Internal (ProgressiveCall): arms timeout, signal and progress handling at the first chunk. */
  start(request: number, options: CallOptions): void {
    const p = this.#pending.get(request);
    if (p === undefined) return;
    if (options.signal?.aborted) {
      this.fail(request, canceled());
      return;
    }
    this.#arm(request, p, options);
  }

  /** Internal (ProgressiveCall): sends one chunk unless the call is over. */
  chunk(msg: Call): void {
    if (!this.#pending.has(msg[1])) return;
    try {
      this.#transport.send(msg);
    } catch (err) {
      this.fail(msg[1], err);
    }
  }

  /** Internal: rejects call `request` locally. */
  fail(request: number, err: unknown): void {
    const p = this.#pending.get(request);
    if (p === undefined) return;
    this.#pending.delete(request);
    p.cleanup();
    p.reject(err);
  }

  /**
   * Internal: cancels call `request`. Sends CANCEL when the router supports
   * it; rejects at once with `err` unless the mode is `kill` (then the
   * router's answer settles the call).
   */
  cancel(request: number, mode: CancelMode, err: unknown): void {
    if (!this.#pending.has(request)) return;
    if (this.#canCancel) {
      this.#transport.send([MessageType.CANCEL, request, { mode }]);
      if (mode === "kill") return;
    }
    this.fail(request, err);
  }

  #arm(request: number, p: PendingCall, options: CallOptions): void {
    p.onProgress = options.onProgress;
    const signal = options.signal;
    if (signal !== undefined) {
      const mode = options.cancelMode ?? "killnowait";
      p.signal = signal;
      p.onAbort = () => this.cancel(request, mode, canceled());
      signal.addEventListener("abort", p.onAbort, { once: true });
    }
    const timeout = options.timeout;
    if (timeout !== undefined && timeout > 0 && !this.#routerTimeout) {
      p.timer = setTimeout(() => {
        p.timer = undefined;
        this.cancel(
          request,
          "killnowait",
          new ApplicationError(ErrorUri.TIMEOUT, { message: `call timed out after ${timeout} ms` }),
        );
      }, timeout);
    }
  }

  /** Handles RESULT (progressive or final). */
  onResult(msg: Result): void {
    const request = msg[1];
    const p = this.#pending.get(request);
    if (p === undefined) return;
    const details = msg[2];
    if (details.progress === true) {
      if (p.onProgress !== undefined) {
        try {
          p.onProgress(msg[3] ?? [], msg[4] ?? {}, details);
        } catch (err) {
          this.#onerror(err);
        }
      }
      return;
    }
    this.#pending.delete(request);
    if (p.timer !== undefined || p.onAbort !== undefined) p.cleanup();
    p.resolve(new CallResult(msg[3] ?? [], msg[4] ?? {}, details));
  }

  /** Handles ERROR for a CALL. */
  onError(msg: ErrorMsg): void {
    const p = this.#pending.get(msg[2]);
    if (p === undefined) return;
    this.#pending.delete(msg[2]);
    p.cleanup();
    p.reject(errorFrom(msg));
  }

  /** Rejects every outstanding call with `err` (the session ended). */
  closeAll(err: unknown): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) {
      p.cleanup();
      p.reject(err);
    }
  }
}
