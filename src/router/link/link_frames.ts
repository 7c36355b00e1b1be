/**
 * The frames of xbar's router-to-router link protocol, version 1.
 *
 * A link starts as an ordinary WAMP session: the dialing router sends HELLO
 * with `Details.xbar_link` (see link_handshake.ts) and authenticates (WAMP-
 * Cryptosign with its node key, as role `rlink`); the accepting router's
 * WELCOME carries its own `xbar_link` details, signed with its node key.
 * From then on both sides send link frames on the same connection, encoded by
 * the connection's serializer: arrays whose first element is a code below,
 * all above WAMP's message type codes so a stray frame is never mistaken for
 * WAMP. Payloads (args, kwargs) pass through untouched; trailing optional
 * elements are left out as in WAMP.
 *
 * Every frame describes the sender's own state or traffic for its own
 * sessions (one hop): what arrives over a link goes to local sessions only.
 *
 * @module
 */

import type { Dict, List } from "../../wamp/messages.ts";
import type { MatchPolicy } from "../matcher.ts";
import type { InvokePolicy } from "../dealer.ts";

/** Link protocol version spoken by this router. */
export const LINK_PROTOCOL_VERSION = 1;

/** Frame codes. */
export const F = {
  /** `[SYNC_END]`: the snapshot that started with the link is complete. */
  SYNC_END: 101,
  /** `[SESSION_ADD, details, features]`: a session of the sender joined (details as the meta API shows them). */
  SESSION_ADD: 102,
  /** `[SESSION_REMOVE, session, reason]`: it left (after its callees and subscribers were removed). */
  SESSION_REMOVE: 103,
  /** `[CALLEE_ADD, session, uri, match, invoke, disclose_caller, since]`. */
  CALLEE_ADD: 104,
  /** `[CALLEE_REMOVE, session, uri, match]`. */
  CALLEE_REMOVE: 105,
  /** `[SUBSCRIBER_ADD, session, uri, match]`; session 0: the sender itself keeps the topic's history. */
  SUBSCRIBER_ADD: 106,
  /** `[SUBSCRIBER_REMOVE, session, uri, match]`. */
  SUBSCRIBER_REMOVE: 107,
  /** `[CLAIM, claim, uri, match, invoke, ts]`: the sender is about to create this registration. */
  CLAIM: 108,
  /** `[CLAIM_ANSWER, claim, ok, message?]`. */
  CLAIM_ANSWER: 109,
  /** `[PING, n]`. */
  PING: 110,
  /** `[PONG, n]`. */
  PONG: 111,
  /** `[KILL, session, reason, message?]`: end that session of the receiver (meta API kill). */
  KILL: 112,
  /** `[CLOSE, reason]`: the sender closes the link (shutdown, duplicate link, realm stopped). */
  CLOSE: 113,
  /** `[RETAINED, topic, publication, ts, disclosed|null, filter|null, args?, kwargs?]`: a retained event (sync). */
  RETAINED: 114,
  /** `[SIBLINGS, [router ids]]`: the routers of the sender's node that serve the realm (sent when they change). */
  SIBLINGS: 115,
  /** `[PUBLISH, topic, publication, ts, retain, disclosed|null, filter|null, args?, kwargs?]`. */
  PUBLISH: 120,
  /** `[INVOKE, call, callee, registration, details, args?, kwargs?]`: a call (or a progressive chunk of it). */
  INVOKE: 121,
  /** `[INTERRUPT, call, options]`: cancel or timeout of a call the sender made. */
  INTERRUPT: 122,
  /** `[RESULT, call, callee, details, args?, kwargs?]`: a result (progressive or final) of a call the receiver made. */
  RESULT: 123,
  /** `[ERROR, call, callee, uri, args?, kwargs?]`: the final error of a call the receiver made. */
  ERROR: 124,
} as const;

/** A link frame's code. */
export type FrameCode = typeof F[keyof typeof F];

/** The flags of `forward_*` in Crossbar's rlink config, as one side announces them. */
export interface ForwardFlags {
  /** This side's publications go to the peer's subscribers. */
  local_events: boolean;
  /** The peer's publications come to this side's subscribers. */
  remote_events: boolean;
  /** This side's callees can be called from the peer. */
  local_invocations: boolean;
  /** The peer's callees can be called from this side. */
  remote_invocations: boolean;
}

/** Everything forwarded both ways (links between the router workers of one node). */
export const FORWARD_ALL: ForwardFlags = Object.freeze({
  local_events: true,
  remote_events: true,
  local_invocations: true,
  remote_invocations: true,
});

/** Nothing asked for by this side (an accepting router without rlink config): the peer's flags decide. */
export const FORWARD_NONE: ForwardFlags = Object.freeze({
  local_events: false,
  remote_events: false,
  local_invocations: false,
  remote_invocations: false,
});

/** What flows in each direction of one link, from the flags both sides announced. */
export interface LinkDirections {
  /** Our publications go to the peer (and we take its subscription interest). */
  eventsOut: boolean;
  /** The peer's publications come to us (we tell it our subscribers). */
  eventsIn: boolean;
  /** Our callees can be called from the peer (we tell it our callees). */
  invocationsOut: boolean;
  /** The peer's callees can be called from here (we take its callees). */
  invocationsIn: boolean;
}

/** The directions of a link: a direction flows when either side asks for it. */
export function linkDirections(ours: ForwardFlags, theirs: ForwardFlags): LinkDirections {
  return {
    eventsOut: ours.local_events || theirs.remote_events,
    eventsIn: ours.remote_events || theirs.local_events,
    invocationsOut: ours.local_invocations || theirs.remote_invocations,
    invocationsIn: ours.remote_invocations || theirs.local_invocations,
  };
}

/** Reads announced flags (missing ones are false); undefined when `v` is not a dict of booleans. */
export function readForwardFlags(v: unknown): ForwardFlags | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const d = v as Dict;
  const out = { ...FORWARD_NONE };
  for (const k of Object.keys(out) as (keyof ForwardFlags)[]) {
    if (d[k] === undefined) continue;
    if (typeof d[k] !== "boolean") return undefined;
    out[k] = d[k] as boolean;
  }
  return out;
}

/** A link frame that breaks the protocol (the link is closed). */
export class LinkProtocolError extends Error {
  /** @param message what was wrong */
  constructor(message: string) {
    super(message);
    this.name = "LinkProtocolError";
  }
}

function fail(what: string, frame: unknown): never {
  let text: string;
  try {
    text = JSON.stringify(frame).slice(0, 200);
  } catch {
    text = String(frame);
  }
  throw new LinkProtocolError(`${what}: ${text}`);
}

/** Checks helpers for frame fields; each throws LinkProtocolError. */
export const check = {
  /** An integer >= 0. */
  int(v: unknown, frame: unknown, what: string): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      fail(`${what} must be an id`, frame);
    }
    return v;
  },
  /** A string. */
  str(v: unknown, frame: unknown, what: string): string {
    if (typeof v !== "string") fail(`${what} must be a string`, frame);
    return v;
  },
  /** A boolean. */
  bool(v: unknown, frame: unknown, what: string): boolean {
    if (typeof v !== "boolean") fail(`${what} must be a boolean`, frame);
    return v;
  },
  /** A dict. */
  dict(v: unknown, frame: unknown, what: string): Dict {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      fail(`${what} must be a dict`, frame);
    }
    return v as Dict;
  },
  /** A dict or null/undefined. */
  optDict(v: unknown, frame: unknown, what: string): Dict | undefined {
    if (v === null || v === undefined) return undefined;
    return check.dict(v, frame, what);
  },
  /** A list or undefined. */
  optList(v: unknown, frame: unknown, what: string): List | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) fail(`${what} must be a list`, frame);
    return v;
  },
  /** A match policy. */
  match(v: unknown, frame: unknown): MatchPolicy {
    if (v !== "exact" && v !== "prefix" && v !== "wildcard") fail("bad match policy", frame);
    return v;
  },
  /** An invocation policy. */
  invoke(v: unknown, frame: unknown): InvokePolicy {
    if (
      v !== "single" && v !== "roundrobin" && v !== "random" && v !== "first" && v !== "last"
    ) fail("bad invocation policy", frame);
    return v;
  },
  /** A frame: an array whose first element is a number. */
  frame(v: unknown): unknown[] {
    if (!Array.isArray(v) || typeof v[0] !== "number") fail("not a link frame", v);
    return v;
  },
  /** Frame length at least `n`. */
  length(frame: unknown[], n: number): void {
    if (frame.length < n) fail(`frame too short (at least ${n} elements)`, frame);
  },
};

/** Appends WAMP-style trailing payload: args only when present, kwargs forces args. */
export function withPayload(
  head: unknown[],
  args: List | undefined,
  kwargs: Dict | undefined,
): unknown[] {
  if (kwargs !== undefined) head.push(args ?? [], kwargs);
  else if (args !== undefined) head.push(args);
  return head;
}
