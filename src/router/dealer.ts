/**
 * The dealer: registrations, calls, invocations, results and errors.
 *
 * Guarantees: every CALL gets exactly one final RESULT or ERROR. When a callee
 * leaves, its in-flight calls get ERROR `wamp.error.canceled`; when a caller
 * leaves, its in-flight invocations get INTERRUPT (killnowait) where the
 * callee understands it; a call with `timeout` (ms) gets ERROR
 * `wamp.error.timeout` when it expires (and the callee an INTERRUPT with
 * reason `wamp.error.timeout`).
 *
 * Cancel modes: skip (ERROR now, no INTERRUPT), kill (INTERRUPT, the callee's
 * answer goes to the caller), killnowait (INTERRUPT and ERROR now; the default).
 * A callee without `call_canceling` makes every mode skip. An unknown mode is
 * a protocol violation (ABORT), as in Crossbar: ERROR cannot answer a CANCEL.
 *
 * Shared registrations: invoke single (default), roundrobin, random, first,
 * last; a callee asking for another policy than the registration has gets
 * `wamp.error.procedure_already_exists`.
 *
 * @module
 */

import type {
  Call,
  Cancel,
  Dict,
  ErrorMsg,
  List,
  Register,
  Unregister,
  Yield,
} from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { ApplicationError, ProtocolViolation } from "../wamp/errors.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { type MatchPolicy, UriMatcher } from "./matcher.ts";
import type { Party } from "./party.ts";
import type { Realm } from "./realm.ts";
import { PatternIds } from "./pattern_id.ts";
import { sendError } from "./errors.ts";
import { turnClock } from "./router_metrics.ts";

/** Shared-registration invocation policies. */
export type InvokePolicy = "single" | "roundrobin" | "random" | "first" | "last";

const INVOKE_POLICIES = new Set(["single", "roundrobin", "random", "first", "last"]);
const CANCEL_MODES = new Set(["skip", "kill", "killnowait"]);

/** One callee of a registration. */
export interface Callee {
  /** The callee (a session of this router, or of a linked one). */
  session: Party;
  /** The callee asked for caller disclosure (REGISTER.Options.disclose_caller). */
  discloseCaller: boolean;
  /**
   * When it registered (ms since the epoch, strictly increasing per router):
   * callees are ordered by it (then by session id), so `first` and `last`
   * mean the same on every linked router.
   */
  since: number;
}

let lastSince = 0;

/** A registration time for a new local callee: now, but strictly after the previous one. */
export function nextCalleeSince(): number {
  const now = Date.now();
  lastSince = now > lastSince ? now : lastSince + 1;
  return lastSince;
}

/** A registration: one procedure pattern and its callees. */
export class Registration {
  /** Registration id (router scope). */
  readonly id: number;
  /** Procedure pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Invocation policy. */
  readonly invoke: InvokePolicy;
  /** Creation time (ISO 8601). */
  readonly created = new Date().toISOString();
  /** Callees, in registration order (`since`, then session id). */
  readonly callees: Callee[] = [];
  /** Round-robin cursor. */
  next = 0;

  /**
   * @param id registration id
   * @param uri procedure pattern
   * @param match match policy
   * @param invoke invocation policy
   */
  constructor(id: number, uri: string, match: MatchPolicy, invoke: InvokePolicy) {
    this.id = id;
    this.uri = uri;
    this.match = match;
    this.invoke = invoke;
  }

  /** Details as the registration meta API shows them. */
  details(): Dict {
    return {
      id: this.id,
      created: this.created,
      uri: this.uri,
      match: this.match,
      invoke: this.invoke,
    };
  }

  /** Adds `c` at its place in registration order. */
  addCallee(c: Callee): void {
    const cs = this.callees;
    let i = cs.length;
    while (i > 0 && before(c, cs[i - 1])) i--;
    cs.splice(i, 0, c);
  }
}

function before(a: Callee, b: Callee): boolean {
  return a.since < b.since || (a.since === b.since && a.session.id < b.session.id);
}

/** A call in flight. */
export interface PendingCall {
  /** The caller. */
  caller: Party;
  /** CALL.Request. */
  callerRequest: number;
  /** The callee. */
  callee: Party;
  /** INVOCATION.Request. */
  invocationRequest: number;
  /** The registration the call went to. */
  registration: Registration;
  /** Progressive results go through to the caller. */
  receiveProgress: boolean;
  /** The caller may still send progressive CALL chunks. */
  invocationOpen: boolean;
  /** A kill-mode cancel was sent; the callee's answer is awaited. */
  killing: boolean;
  /** Dealer-side timeout timer. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the call was routed (`turnClock()`), for the duration metric; 0 when not measured here. */
  started: number;
}

/** The realm's RPC routing. */
export class Dealer {
  #realm: Realm;
  #regs = new UriMatcher<Registration>();
  #byId = new Map<number, Registration>();
  #ids: PatternIds;
  /** The last INVOCATION request id sent to each local callee (ids are sequential per session). */
  #lastInvocation = new WeakMap<Party, number>();

  /** @param realm the realm this dealer serves */
  constructor(realm: Realm) {
    this.#realm = realm;
    this.#ids = new PatternIds(realm.name);
  }

  /** Every registration (meta API). */
  registrations(): IterableIterator<Registration> {
    return this.#byId.values();
  }

  /** The registration with this id. */
  byId(id: number): Registration | undefined {
    return this.#byId.get(id);
  }

  /** The registration for exactly this pattern and policy. */
  lookup(uri: string, match: MatchPolicy): Registration | undefined {
    return this.#regs.get(uri, match);
  }

  /** The registration a call to `procedure` would go to. */
  best(procedure: string): Registration | undefined {
    return this.#regs.best(procedure);
  }

  /** Handles REGISTER (already authorized and URI-checked). */
  register(session: Party, msg: Register, match: MatchPolicy): void {
    const [, request, options, procedure] = msg;
    const invoke = options.invoke ?? "single";
    if (typeof invoke !== "string" || !INVOKE_POLICIES.has(invoke)) {
      sendError(
        session,
        MessageType.REGISTER,
        request,
        ErrorUri.INVALID_ARGUMENT,
        `unknown invocation policy "${String(invoke)}"`,
      );
      return;
    }
    let reg = this.#regs.get(procedure, match);
    let created = false;
    if (reg) {
      if (reg.callees.some((c) => c.session === session)) {
        sendError(
          session,
          MessageType.REGISTER,
          request,
          ErrorUri.PROCEDURE_ALREADY_EXISTS,
          `"${procedure}" is already registered by this session`,
        );
        return;
      }
      if (reg.invoke === "single" || invoke !== reg.invoke) {
        sendError(
          session,
          MessageType.REGISTER,
          request,
          ErrorUri.PROCEDURE_ALREADY_EXISTS,
          reg.invoke === "single"
            ? `"${procedure}" is already registered`
            : `"${procedure}" is registered with invocation policy "${reg.invoke}", not "${invoke}"`,
        );
        return;
      }
    } else {
      reg = this.#create(procedure, match, invoke as InvokePolicy);
      created = true;
    }
    const callee = {
      session,
      discloseCaller: options.disclose_caller === true,
      since: nextCalleeSince(),
    };
    reg.addCallee(callee);
    session.registrations.add(reg);
    session.send([MessageType.REGISTERED, request, reg.id]);
    this.#added(reg, created, callee);
  }

  #create(uri: string, match: MatchPolicy, invoke: InvokePolicy): Registration {
    const reg = new Registration(this.#ids.take(match, uri), uri, match, invoke);
    this.#regs.set(uri, match, reg);
    this.#byId.set(reg.id, reg);
    return reg;
  }

  #added(reg: Registration, created: boolean, callee: Callee): void {
    const changes = this.#realm.changes;
    if (created) changes.registrationCreated(reg, callee.session);
    changes.calleeAdded(reg, callee);
  }

  /** Handles UNREGISTER. */
  unregister(session: Party, msg: Unregister): void {
    const [, request, id] = msg;
    const reg = this.#byId.get(id);
    if (!reg || !reg.callees.some((c) => c.session === session)) {
      sendError(
        session,
        MessageType.UNREGISTER,
        request,
        ErrorUri.NO_SUCH_REGISTRATION,
        `no registration ${id} for this session`,
      );
      return;
    }
    session.send([MessageType.UNREGISTERED, request]);
    this.#removeCallee(session, reg);
  }

  /**
   * Handles a CALL that continues a progressive call invocation. Returns false
   * when `msg` is not such a continuation (a new call).
   */
  continueCall(session: Party, msg: Call): boolean {
    const p = session.calls.get(msg[1]);
    if (!p) return false;
    if (!p.invocationOpen) {
      throw new ProtocolViolation(`CALL request id ${msg[1]} is already in flight`);
    }
    const progress = msg[2].progress === true;
    if (!progress) p.invocationOpen = false;
    const details: Dict = progress ? { progress: true } : {};
    p.callee.send(
      invocationMessage(p.invocationRequest, p.registration.id, details, msg[4], msg[5]),
    );
    return true;
  }

  /** Handles a new CALL (already authorized and URI-checked). */
  call(session: Party, msg: Call, disclose: boolean): void {
    const [, request, options, procedure, args, kwargs] = msg;
    const builtin = this.#realm.builtins.get(procedure);
    if (builtin) {
      this.#callBuiltin(session, request, builtin, args, kwargs);
      return;
    }
    const reg = this.#regs.best(procedure);
    if (!reg) {
      sendError(
        session,
        MessageType.CALL,
        request,
        ErrorUri.NO_SUCH_PROCEDURE,
        `no callee registered for procedure "${procedure}"`,
      );
      return;
    }
    const timeout = options.timeout ?? 0;
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 0) {
      sendError(
        session,
        MessageType.CALL,
        request,
        ErrorUri.INVALID_ARGUMENT,
        "option timeout must be a non-negative integer (milliseconds)",
      );
      return;
    }
    const callee = pick(reg);
    const cs = callee.session;
    if (cs.link?.congested()) {
      sendError(
        session,
        MessageType.CALL,
        request,
        ErrorUri.UNAVAILABLE,
        `the router link to ${cs.link.name} is congested; try again`,
      );
      return;
    }
    const progress = options.progress === true;
    if (progress && !cs.features.calleeProgressiveInvocations) {
      sendError(
        session,
        MessageType.CALL,
        request,
        ErrorUri.FEATURE_NOT_SUPPORTED,
        "the callee does not support progressive call invocations",
      );
      return;
    }
    let details: Dict;
    if (reg.match === "exact") details = {};
    else details = { procedure };
    if (disclose || callee.discloseCaller || options.disclose_me === true) {
      const a = session.auth!;
      if (session.id !== 0) details.caller = session.id;
      details.caller_authid = a.authid;
      details.caller_authrole = a.authrole;
    }
    const receiveProgress = options.receive_progress === true &&
      cs.features.calleeProgressiveResults;
    if (receiveProgress) details.receive_progress = true;
    if (progress) details.progress = true;
    if (timeout > 0 && cs.features.calleeTimeout) details.timeout = timeout;
    const invocationRequest = this.#nextInvocation(cs);
    const p: PendingCall = {
      caller: session,
      callerRequest: request,
      callee: cs,
      invocationRequest,
      registration: reg,
      receiveProgress,
      invocationOpen: progress,
      killing: false,
      timer: undefined,
      started: turnClock(),
    };
    session.calls.set(request, p);
    cs.invocations.set(invocationRequest, p);
    if (timeout > 0) p.timer = setTimeout(() => this.#timedOut(p, timeout), timeout);
    this.#realm.metrics.callsRouted++;
    cs.send(invocationMessage(invocationRequest, reg.id, details, args, kwargs));
  }

  /**
   * Adds a callee of a linked router (its router already accepted the
   * REGISTER). A registration of this router that it conflicts with (either
   * is `single`, or their invocation policies differ) is settled the same way
   * on every router: the registration whose first callee registered earlier
   * wins; this router drops the loser's callees if they are its own sessions
   * (`revoke`) and ignores a losing remote callee (its own router drops it).
   * Returns false when the callee was ignored.
   */
  addRemoteCallee(
    party: Party,
    uri: string,
    match: MatchPolicy,
    invoke: InvokePolicy,
    discloseCaller: boolean,
    since: number,
    revoke: (reg: Registration, callee: Callee, winner: Party) => void,
  ): boolean {
    let reg = this.#regs.get(uri, match);
    const callee: Callee = { session: party, discloseCaller, since };
    if (reg && conflicts(reg.invoke, invoke)) {
      const first = reg.callees[0];
      if (first && !before(callee, first)) return false;
      for (const c of [...reg.callees]) {
        this.#removeCallee(c.session, reg);
        if (!c.session.link) revoke(reg, c, party);
      }
      reg = this.#regs.get(uri, match);
    }
    if (reg?.callees.some((c) => c.session === party)) return true;
    let created = false;
    if (!reg) {
      reg = this.#create(uri, match, invoke);
      created = true;
    }
    reg.addCallee(callee);
    party.registrations.add(reg);
    this.#added(reg, created, callee);
    return true;
  }

  /** Removes a callee of a linked router from the registration for (uri, match). */
  removeRemoteCallee(party: Party, uri: string, match: MatchPolicy): void {
    const reg = this.#regs.get(uri, match);
    if (reg) this.#removeCallee(party, reg);
  }

  /**
   * Whether creating a registration for (uri, match) with `invoke` would clash
   * with one this router knows: the reason when it would, else undefined.
   */
  clash(uri: string, match: MatchPolicy, invoke: string): string | undefined {
    const reg = this.#regs.get(uri, match);
    if (!reg || !conflicts(reg.invoke, invoke)) return undefined;
    return reg.invoke === "single"
      ? `"${uri}" is already registered`
      : `"${uri}" is registered with invocation policy "${reg.invoke}", not "${invoke}"`;
  }

  /**
   * Delivers an invocation that a linked router routed to `calleeId`, a
   * session of this router, for its caller party `caller` (the link's). The
   * peer router owns the call (timeout, cancel); `details` are as it built
   * them. A continuation chunk of a progressive call invocation goes to the
   * invocation it continues. Returns an error URI and message when the
   * callee or registration is gone, else undefined.
   */
  invokeFor(
    caller: Party,
    call: number,
    calleeId: number,
    registrationId: number,
    details: Dict,
    args: List | undefined,
    kwargs: Dict | undefined,
  ): [string, string] | undefined {
    const open = caller.calls.get(call);
    if (open) {
      if (!open.invocationOpen) return undefined;
      if (details.progress !== true) open.invocationOpen = false;
      open.callee.send(
        invocationMessage(open.invocationRequest, open.registration.id, details, args, kwargs),
      );
      return undefined;
    }
    const reg = this.#byId.get(registrationId);
    const callee = reg?.callees.find((c) => c.session.id === calleeId && !c.session.link);
    if (!reg || !callee) {
      return [ErrorUri.CANCELED, `callee ${calleeId} of registration ${registrationId} is gone`];
    }
    const cs = callee.session;
    const invocationRequest = this.#nextInvocation(cs);
    const p: PendingCall = {
      caller,
      callerRequest: call,
      callee: cs,
      invocationRequest,
      registration: reg,
      receiveProgress: details.receive_progress === true,
      invocationOpen: details.progress === true,
      killing: false,
      timer: undefined,
      started: 0,
    };
    caller.calls.set(call, p);
    cs.invocations.set(invocationRequest, p);
    cs.send(invocationMessage(invocationRequest, reg.id, details, args, kwargs));
    return undefined;
  }

  /**
   * Passes an INTERRUPT of a linked router's call on to the local callee. In
   * `kill` mode the callee's answer still goes back; otherwise the call is
   * forgotten here (the peer has answered its caller). Returns true when the
   * call was still in flight.
   */
  interruptFor(caller: Party, call: number, options: Dict): boolean {
    const p = caller.calls.get(call);
    if (!p) return false;
    if (options.mode !== "kill") this.#finish(p);
    if (p.callee.features.calleeCanceling) {
      p.callee.send([MessageType.INTERRUPT, p.invocationRequest, options]);
    }
    return true;
  }

  #nextInvocation(callee: Party): number {
    const id = callee.nextRequestId();
    this.#lastInvocation.set(callee, id);
    return id;
  }

  /**
   * An answer (YIELD, or ERROR for an INVOCATION) whose invocation is not in
   * flight: a late answer to one that was already answered (timeout, cancel,
   * caller gone) is ignored; one for a request id this router never sent to a
   * local session is a protocol violation. Request ids are sequential per
   * session, so an id above the last one sent was never sent.
   */
  #unknownAnswer(session: Party, what: string, request: number): void {
    if (session.link !== undefined) return;
    if (request > (this.#lastInvocation.get(session) ?? 0)) {
      throw new ProtocolViolation(
        `${what} for INVOCATION request ${request}, which was never sent`,
      );
    }
  }

  /** Handles YIELD from a callee. */
  yieldResult(session: Party, msg: Yield): void {
    const [, request, options, args, kwargs] = msg;
    const p = session.invocations.get(request);
    if (!p) return this.#unknownAnswer(session, "YIELD", request);
    if (options.progress === true) {
      if (p.receiveProgress) {
        p.caller.send(resultMessage(p.callerRequest, { progress: true }, args, kwargs));
      }
      return;
    }
    this.#finish(p);
    p.caller.send(resultMessage(p.callerRequest, {}, args, kwargs));
  }

  /** Handles ERROR for an INVOCATION from a callee. */
  calleeError(session: Party, msg: ErrorMsg): void {
    const [, , request, , uri, args, kwargs] = msg;
    const p = session.invocations.get(request);
    if (!p) return this.#unknownAnswer(session, "ERROR", request);
    this.#finish(p);
    sendError(p.caller, MessageType.CALL, p.callerRequest, uri, undefined, { args, kwargs });
  }

  /** Handles CANCEL from a caller. */
  cancel(session: Party, msg: Cancel): void {
    const [, request, options] = msg;
    let mode = options.mode ?? "killnowait";
    if (typeof mode !== "string" || !CANCEL_MODES.has(mode)) {
      // ERROR has no request type for CANCEL, so this cannot be answered as
      // an application error: it is a protocol violation (as in Crossbar).
      throw new ProtocolViolation(`CANCEL: unknown mode ${JSON.stringify(mode)}`);
    }
    const p = session.calls.get(request);
    if (!p) return; // already answered
    if (!p.callee.features.calleeCanceling) mode = "skip";
    switch (mode) {
      case "skip":
        this.#finish(p);
        sendError(session, MessageType.CALL, request, ErrorUri.CANCELED, "call canceled by caller");
        return;
      case "killnowait":
        this.#finish(p);
        p.callee.send([MessageType.INTERRUPT, p.invocationRequest, { mode: "killnowait" }]);
        sendError(session, MessageType.CALL, request, ErrorUri.CANCELED, "call canceled by caller");
        return;
      case "kill":
        if (p.killing) return;
        p.killing = true;
        p.callee.send([MessageType.INTERRUPT, p.invocationRequest, { mode: "kill" }]);
        return;
    }
  }

  /** Cleans up after a session that left: its calls, invocations and registrations. */
  detach(session: Party): void {
    for (const p of [...session.calls.values()]) {
      this.#finish(p);
      // a session calling itself is leaving as callee too: nothing goes to it
      if (p.callee.features.calleeCanceling && p.callee.realm === this.#realm) {
        p.callee.send([MessageType.INTERRUPT, p.invocationRequest, { mode: "killnowait" }]);
      }
    }
    for (const p of [...session.invocations.values()]) {
      this.#finish(p);
      if (p.caller.realm === this.#realm) {
        sendError(
          p.caller,
          MessageType.CALL,
          p.callerRequest,
          ErrorUri.CANCELED,
          "callee left before answering",
        );
      }
    }
    for (const reg of [...session.registrations]) this.#removeCallee(session, reg);
  }

  #callBuiltin(
    session: Party,
    request: number,
    fn: (caller: Party, args: List, kwargs: Dict) => unknown,
    args: List | undefined,
    kwargs: Dict | undefined,
  ): void {
    const reply = (v: unknown) => {
      if (session.realm !== this.#realm) return;
      session.send(
        v === undefined
          ? [MessageType.RESULT, request, {}]
          : [MessageType.RESULT, request, {}, [v]],
      );
    };
    const fail = (e: unknown) => {
      if (session.realm !== this.#realm) return;
      if (e instanceof ApplicationError) {
        sendError(session, MessageType.CALL, request, e.uri, undefined, {
          args: e.args,
          kwargs: e.kwargs,
        });
        return;
      }
      this.#realm.logger.log("error", "meta procedure failed", { error: String(e) });
      sendError(
        session,
        MessageType.CALL,
        request,
        ErrorUri.RUNTIME_ERROR,
        "internal error in meta procedure",
      );
    };
    try {
      const r = fn(session, args ?? [], kwargs ?? {});
      if (r instanceof Promise) r.then(reply, fail);
      else reply(r);
    } catch (e) {
      fail(e);
    }
  }

  #timedOut(p: PendingCall, ms: number): void {
    p.timer = undefined;
    if (p.caller.calls.get(p.callerRequest) !== p) return;
    this.#finish(p);
    if (p.callee.features.calleeCanceling) {
      p.callee.send([MessageType.INTERRUPT, p.invocationRequest, {
        mode: "killnowait",
        reason: ErrorUri.TIMEOUT,
      }]);
    }
    sendError(
      p.caller,
      MessageType.CALL,
      p.callerRequest,
      ErrorUri.TIMEOUT,
      `call timed out after ${ms} ms`,
    );
  }

  #finish(p: PendingCall): void {
    if (p.caller.calls.get(p.callerRequest) === p) p.caller.calls.delete(p.callerRequest);
    if (p.callee.invocations.get(p.invocationRequest) === p) {
      p.callee.invocations.delete(p.invocationRequest);
    }
    if (p.timer !== undefined) {
      clearTimeout(p.timer);
      p.timer = undefined;
    }
    if (p.started > 0) {
      this.#realm.metrics.callDuration.observe((turnClock() - p.started) / 1000);
      p.started = 0;
    }
  }

  #removeCallee(session: Party, reg: Registration): void {
    const i = reg.callees.findIndex((c) => c.session === session);
    if (i < 0) return;
    const [callee] = reg.callees.splice(i, 1);
    session.registrations.delete(reg);
    const changes = this.#realm.changes;
    changes.calleeRemoved(reg, callee);
    if (reg.callees.length === 0) {
      this.#regs.delete(reg.uri, reg.match);
      this.#byId.delete(reg.id);
      this.#ids.release(reg.id);
      changes.registrationDeleted(reg, session);
    }
  }
}

/** True when registrations with these invocation policies cannot be one shared registration. */
function conflicts(a: string, b: string): boolean {
  return a === "single" || b === "single" || a !== b;
}

function pick(reg: Registration): Callee {
  const c = reg.callees;
  switch (reg.invoke) {
    case "single":
    case "first":
      return c[0];
    case "last":
      return c[c.length - 1];
    case "random":
      return c[Math.floor(Math.random() * c.length)];
    case "roundrobin": {
      const i = reg.next % c.length;
      reg.next = i + 1;
      return c[i];
    }
  }
}

function invocationMessage(
  request: number,
  registration: number,
  details: Dict,
  args: List | undefined,
  kwargs: Dict | undefined,
): [typeof MessageType.INVOCATION, number, number, Dict, List?, Dict?] {
  if (kwargs !== undefined) {
    return [MessageType.INVOCATION, request, registration, details, args ?? [], kwargs];
  }
  if (args !== undefined) return [MessageType.INVOCATION, request, registration, details, args];
  return [MessageType.INVOCATION, request, registration, details];
}

function resultMessage(
  request: number,
  details: Dict,
  args: List | undefined,
  kwargs: Dict | undefined,
): [typeof MessageType.RESULT, number, Dict, List?, Dict?] {
  if (kwargs !== undefined) return [MessageType.RESULT, request, details, args ?? [], kwargs];
  if (args !== undefined) return [MessageType.RESULT, request, details, args];
  return [MessageType.RESULT, request, details];
}
