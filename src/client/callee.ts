/**
 * The callee role of a session: REGISTER/UNREGISTER, INVOCATION → handler →
 * YIELD or ERROR, progressive results, progressive call invocations (several
 * INVOCATION chunks with one request id), INTERRUPT, and registration
 * revocation.
 *
 * A handler that completes synchronously is answered without touching any
 * map; only asynchronous or progressive invocations are tracked (so
 * INTERRUPT can find them).
 *
 * @module
 */

import { ApplicationError } from "../wamp/errors.ts";
import type { IdSequence } from "../wamp/ids.ts";
import {
  type Dict,
  type ErrorMsg,
  type Interrupt,
  type Invocation,
  type List,
  MessageType,
  type Registered,
  type Unregistered,
  withPayload,
  type Yield,
} from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { CallResult } from "./call_result.ts";
import type { ClientTransport } from "./client_transport.ts";
import { Deferred, isThenable } from "./_deferred.ts";
import { errorFrom } from "./_error_from.ts";
import { InvocationControl, InvocationDetails, type ProgressSink } from "./invocation_details.ts";
import { type ProcedureHandler, type RegisterOptions, Registration } from "./registration.ts";

class PendingRegister extends Deferred<Registration> {
  constructor(readonly procedure: string, readonly handler: ProcedureHandler) {
    super();
  }
}

class PendingUnregister extends Deferred<void> {
  constructor(readonly registration: Registration) {
    super();
  }
}

/** How many finished progressive invocations are remembered to drop their stray chunks. */
const FINISHED_MEMORY = 64;

function yieldOf(request: number, value: unknown, options: Dict): Yield {
  if (value === undefined) return [MessageType.YIELD, request, options];
  if (value instanceof CallResult) {
    return withPayload([MessageType.YIELD, request, options] as Yield, value.args, value.kwargs);
  }
  return [MessageType.YIELD, request, options, [value]];
}

function errorOf(request: number, err: unknown): ErrorMsg {
  if (err instanceof ApplicationError) {
    return withPayload(
      [MessageType.ERROR, MessageType.INVOCATION, request, {}, err.uri] as ErrorMsg,
      err.args,
      err.kwargs,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return [MessageType.ERROR, MessageType.INVOCATION, request, {}, ErrorUri.RUNTIME_ERROR, [text]];
}

/** The callee role: owns registrations and running invocations. Used by `Session`. */
export class Callee implements ProgressSink {
  #transport: ClientTransport;
  #ids: IdSequence;
  #open = true;
  #registrations = new Map<number, Registration>();
  #registering = new Map<number, PendingRegister>();
  #unregistering = new Map<number, PendingUnregister>();
  #running = new Map<number, InvocationControl>();
  #finished: number[] = [];

  /**
   * @param transport where REGISTER, YIELD and ERROR go
   * @param ids the session's request id sequence
   */
  constructor(transport: ClientTransport, ids: IdSequence) {
    this.#transport = transport;
    this.#ids = ids;
  }

  /** Number of invocations still running asynchronously. */
  get running(): number {
    return this.#running.size;
  }

  /** Sends REGISTER; resolves with the Registration on REGISTERED. */
  register(
    procedure: string,
    handler: ProcedureHandler,
    options?: RegisterOptions,
  ): Promise<Registration> {
    const request = this.#ids.next();
    const p = new PendingRegister(procedure, handler);
    this.#registering.set(request, p);
    this.#transport.send([MessageType.REGISTER, request, options ? { ...options } : {}, procedure]);
    return p.promise;
  }

  /** Sends UNREGISTER for `registration`; resolves on UNREGISTERED. */
  unregister(registration: Registration): Promise<void> {
    if (!registration.active || !this.#open) return Promise.resolve();
    registration.active = false;
    const request = this.#ids.next();
    const p = new PendingUnregister(registration);
    this.#unregistering.set(request, p);
    this.#transport.send([MessageType.UNREGISTER, request, registration.id]);
    return p.promise;
  }

  /** Handles REGISTERED. */
  onRegistered(msg: Registered): void {
    const p = this.#registering.get(msg[1]);
    if (p === undefined) return;
    this.#registering.delete(msg[1]);
    const reg = new Registration(msg[2], p.procedure, p.handler, this);
    this.#registrations.set(reg.id, reg);
    p.resolve(reg);
  }

  /** Handles UNREGISTERED: the answer to UNREGISTER, or a revocation (request 0). */
  onUnregistered(msg: Unregistered): void {
    if (msg[1] === 0) {
      const details = msg[2] ?? {};
      const reg = this.#registrations.get(details.registration as number);
      if (reg === undefined) return;
      this.#registrations.delete(reg.id);
      reg.active = false;
      reg.onrevoke?.(typeof details.reason === "string" ? details.reason : undefined);
      return;
    }
    const p = this.#unregistering.get(msg[1]);
    if (p === undefined) return;
    this.#unregistering.delete(msg[1]);
    if (this.#registrations.get(p.registration.id) === p.registration) {
      this.#registrations.delete(p.registration.id);
    }
    p.resolve();
  }

  /** Handles ERROR for REGISTER or UNREGISTER. */
  onError(msg: ErrorMsg): void {
    const request = msg[2];
    if (msg[1] === MessageType.REGISTER) {
      const p = this.#registering.get(request);
      if (p === undefined) return;
      this.#registering.delete(request);
      p.reject(errorFrom(msg));
    } else {
      const p = this.#unregistering.get(request);
      if (p === undefined) return;
      this.#unregistering.delete(request);
      if (this.#registrations.get(p.registration.id) === p.registration) {
        this.#registrations.delete(p.registration.id);
      }
      p.reject(errorFrom(msg));
    }
  }

  /** Handles INVOCATION: runs the handler and answers YIELD or ERROR. */
  onInvocation(msg: Invocation): void {
    const request = msg[1];
    const raw = msg[3];
    const more = raw.progress === true;
    let ctl = this.#running.get(request);
    if (ctl === undefined) {
      if (this.#finished.includes(request)) return; // stray chunk of a finished progressive call
      const reg = this.#registrations.get(msg[2]);
      if (reg === undefined) {
        this.#send([
          MessageType.ERROR,
          MessageType.INVOCATION,
          request,
          {},
          ErrorUri.NO_SUCH_REGISTRATION,
          [`no registration ${msg[2]} in this session`],
        ]);
        return;
      }
      ctl = new InvocationControl(
        request,
        reg.id,
        reg.procedure,
        reg.handler,
        raw.receive_progress === true,
        this,
      );
      if (more) {
        ctl.progressive = true;
        this.#running.set(request, ctl);
      }
    } else if (!ctl.progressive || ctl.finalSeen) {
      return; // a second INVOCATION for a running request id that takes no chunks
    }
    if (!more) ctl.finalSeen = true;
    const details = new InvocationDetails(ctl, raw, more);
    let r: unknown;
    try {
      r = ctl.handler(msg[4] ?? [], msg[5] ?? {}, details);
    } catch (err) {
      this.#fail(ctl, err);
      return;
    }
    if (more) {
      if (isThenable(r)) r.then(undefined, (err) => this.#fail(ctl, err));
      return;
    }
    if (isThenable(r)) {
      if (!ctl.progressive) this.#running.set(request, ctl);
      const c = ctl;
      r.then((v) => this.#finish(c, v), (err) => this.#fail(c, err));
    } else {
      this.#finish(ctl, r);
    }
  }

  /** Handles INTERRUPT: aborts the handler's signal and answers ERROR unless `killnowait`. */
  onInterrupt(msg: Interrupt): void {
    const ctl = this.#running.get(msg[1]);
    if (ctl === undefined || ctl.done) return;
    const options = msg[2];
    const reason = typeof options.reason === "string" ? options.reason : ErrorUri.CANCELED;
    ctl.done = true;
    this.#forget(ctl);
    ctl.abort(new ApplicationError(reason, { message: "invocation interrupted by the router" }));
    if (options.mode !== "killnowait") {
      this.#send([MessageType.ERROR, MessageType.INVOCATION, ctl.request, {}, reason]);
    }
  }

  /** ProgressSink: sends a progressive result for a running invocation. */
  progress(ctl: InvocationControl, args?: List, kwargs?: Dict): void {
    if (ctl.done) return;
    this.#send(
      withPayload([MessageType.YIELD, ctl.request, { progress: true }] as Yield, args, kwargs),
    );
  }

  /** Stops answering; rejects pending (un)registrations and aborts running handlers. */
  closeAll(err: unknown): void {
    this.#open = false;
    const registering = [...this.#registering.values()];
    const unregistering = [...this.#unregistering.values()];
    const running = [...this.#running.values()];
    this.#registering.clear();
    this.#unregistering.clear();
    this.#running.clear();
    for (const reg of this.#registrations.values()) reg.active = false;
    this.#registrations.clear();
    for (const p of registering) p.reject(err);
    for (const p of unregistering) p.reject(err);
    for (const ctl of running) {
      ctl.done = true;
      ctl.abort(err);
    }
  }

  #finish(ctl: InvocationControl, value: unknown): void {
    if (ctl.done) return;
    ctl.done = true;
    this.#forget(ctl);
    let msg: Yield;
    try {
      msg = yieldOf(ctl.request, value, {});
      this.#send(msg);
    } catch (err) {
      // the result could not be sent (e.g. not serializable): answer ERROR instead
      this.#send(errorOf(ctl.request, err));
    }
  }

  #fail(ctl: InvocationControl, err: unknown): void {
    if (ctl.done) return;
    ctl.done = true;
    this.#forget(ctl);
    this.#send(errorOf(ctl.request, err));
  }

  #forget(ctl: InvocationControl): void {
    this.#running.delete(ctl.request);
    if (ctl.progressive && !ctl.finalSeen) {
      if (this.#finished.length >= FINISHED_MEMORY) this.#finished.shift();
      this.#finished.push(ctl.request);
    }
  }

  #send(msg: Yield | ErrorMsg): void {
    if (this.#open) this.#transport.send(msg);
  }
}
