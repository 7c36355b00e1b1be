/**
 * Strict structural validation of a decoded WAMP message (Basic and Advanced
 * Profiles, both directions).
 *
 * `parseMessage` checks the decoded value in place and returns the same array
 * typed as a `Message`: no copy, no allocation on the success path. It checks
 * the type code, the exact arity of each message type, and the type of every
 * element (ids, dicts, lists, strings). It does NOT check URI syntax: a bad
 * URI in a request is answered with ERROR `wamp.error.invalid_uri` by the
 * router (see `uri_check.ts`), not with ABORT.
 *
 * Every failure throws `ProtocolViolation` with a precise text, e.g.
 * `CALL: element 3 (Procedure) must be a string, got number`.
 *
 * @module
 */

import { ProtocolViolation } from "./errors.ts";
import { isId, isIdOrZero } from "./ids.ts";
import { type Message, MessageType as T, messageTypeName } from "./messages.ts";

/**
 * Validates a decoded value as a WAMP message, in place.
 *
 * Rules: an array whose element 0 is a known type code; the arity the spec
 * gives for that type (optional trailing `Arguments|list` and
 * `ArgumentsKw|dict`, the latter only after `Arguments`); ids are integers in
 * [1, 2^53] (the request of a router-initiated UNSUBSCRIBED/UNREGISTERED may
 * be 0, and then `Details` must be present); dicts are plain objects; URIs
 * and other strings are strings; ERROR's `REQUEST.Type` is one of SUBSCRIBE,
 * UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION.
 *
 * @param value a decoded frame (output of `Serializer.decode`)
 * @returns the same array, typed
 * @throws ProtocolViolation when the value is not a valid message
 */
export function parseMessage(value: unknown): Message {
  if (!Array.isArray(value)) {
    throw new ProtocolViolation(`message must be an array, got ${describe(value)}`);
  }
  const m: unknown[] = value;
  if (m.length === 0) throw new ProtocolViolation("message must not be an empty array");
  const code = m[0];
  switch (code) {
    case T.HELLO: // [HELLO, Realm|uri, Details|dict]
      arity(m, 3, 3);
      str(m, 1, "Realm");
      dict(m, 2, "Details");
      break;
    case T.WELCOME: // [WELCOME, Session|id, Details|dict]
      arity(m, 3, 3);
      id(m, 1, "Session");
      dict(m, 2, "Details");
      break;
    case T.ABORT: // [ABORT, Details|dict, Reason|uri]
    case T.GOODBYE: // [GOODBYE, Details|dict, Reason|uri]
      arity(m, 3, 3);
      dict(m, 1, "Details");
      str(m, 2, "Reason");
      break;
    case T.CHALLENGE: // [CHALLENGE, AuthMethod|string, Extra|dict]
      arity(m, 3, 3);
      str(m, 1, "AuthMethod");
      dict(m, 2, "Extra");
      break;
    case T.AUTHENTICATE: // [AUTHENTICATE, Signature|string, Extra|dict]
      arity(m, 3, 3);
      str(m, 1, "Signature");
      dict(m, 2, "Extra");
      break;
    case T.ERROR: // [ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments?, ArgumentsKw?]
      arity(m, 5, 7);
      errorRequestType(m);
      id(m, 2, "REQUEST.Request");
      dict(m, 3, "Details");
      str(m, 4, "Error");
      payload(m, 5);
      break;
    case T.PUBLISH: // [PUBLISH, Request|id, Options|dict, Topic|uri, Arguments?, ArgumentsKw?]
      arity(m, 4, 6);
      id(m, 1, "Request");
      dict(m, 2, "Options");
      str(m, 3, "Topic");
      payload(m, 4);
      break;
    case T.PUBLISHED: // [PUBLISHED, PUBLISH.Request|id, Publication|id]
      arity(m, 3, 3);
      id(m, 1, "PUBLISH.Request");
      id(m, 2, "Publication");
      break;
    case T.SUBSCRIBE: // [SUBSCRIBE, Request|id, Options|dict, Topic|uri]
      arity(m, 4, 4);
      id(m, 1, "Request");
      dict(m, 2, "Options");
      str(m, 3, "Topic");
      break;
    case T.SUBSCRIBED: // [SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]
      arity(m, 3, 3);
      id(m, 1, "SUBSCRIBE.Request");
      id(m, 2, "Subscription");
      break;
    case T.UNSUBSCRIBE: // [UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]
      arity(m, 3, 3);
      id(m, 1, "Request");
      id(m, 2, "SUBSCRIBED.Subscription");
      break;
    case T.UNSUBSCRIBED: // [UNSUBSCRIBED, UNSUBSCRIBE.Request|id, Details?]
      arity(m, 2, 3);
      ackWithOptionalDetails(m, "UNSUBSCRIBE.Request");
      break;
    case T.EVENT: // [EVENT, Subscription|id, Publication|id, Details|dict, Arguments?, ArgumentsKw?]
      arity(m, 4, 6);
      id(m, 1, "SUBSCRIBED.Subscription");
      id(m, 2, "PUBLISHED.Publication");
      dict(m, 3, "Details");
      payload(m, 4);
      break;
    case T.CALL: // [CALL, Request|id, Options|dict, Procedure|uri, Arguments?, ArgumentsKw?]
      arity(m, 4, 6);
      id(m, 1, "Request");
      dict(m, 2, "Options");
      str(m, 3, "Procedure");
      payload(m, 4);
      break;
    case T.CANCEL: // [CANCEL, CALL.Request|id, Options|dict]
      arity(m, 3, 3);
      id(m, 1, "CALL.Request");
      dict(m, 2, "Options");
      break;
    case T.RESULT: // [RESULT, CALL.Request|id, Details|dict, Arguments?, ArgumentsKw?]
      arity(m, 3, 5);
      id(m, 1, "CALL.Request");
      dict(m, 2, "Details");
      payload(m, 3);
      break;
    case T.REGISTER: // [REGISTER, Request|id, Options|dict, Procedure|uri]
      arity(m, 4, 4);
      id(m, 1, "Request");
      dict(m, 2, "Options");
      str(m, 3, "Procedure");
      break;
    case T.REGISTERED: // [REGISTERED, REGISTER.Request|id, Registration|id]
      arity(m, 3, 3);
      id(m, 1, "REGISTER.Request");
      id(m, 2, "Registration");
      break;
    case T.UNREGISTER: // [UNREGISTER, Request|id, REGISTERED.Registration|id]
      arity(m, 3, 3);
      id(m, 1, "Request");
      id(m, 2, "REGISTERED.Registration");
      break;
    case T.UNREGISTERED: // [UNREGISTERED, UNREGISTER.Request|id, Details?]
      arity(m, 2, 3);
      ackWithOptionalDetails(m, "UNREGISTER.Request");
      break;
    case T.INVOCATION: // [INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, Arguments?, ArgumentsKw?]
      arity(m, 4, 6);
      id(m, 1, "Request");
      id(m, 2, "REGISTERED.Registration");
      dict(m, 3, "Details");
      payload(m, 4);
      break;
    case T.INTERRUPT: // [INTERRUPT, INVOCATION.Request|id, Options|dict]
      arity(m, 3, 3);
      id(m, 1, "INVOCATION.Request");
      dict(m, 2, "Options");
      break;
    case T.YIELD: // [YIELD, INVOCATION.Request|id, Options|dict, Arguments?, ArgumentsKw?]
      arity(m, 3, 5);
      id(m, 1, "INVOCATION.Request");
      dict(m, 2, "Options");
      payload(m, 3);
      break;
    default:
      if (typeof code !== "number" || !Number.isInteger(code)) {
        throw new ProtocolViolation(
          `element 0 (message type) must be an integer, got ${describe(code)}`,
        );
      }
      throw new ProtocolViolation(`unknown message type ${code}`);
  }
  return m as Message;
}

/** True for a plain object (the wire form of a WAMP dict): not null, not an array, no class. */
function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function arity(m: unknown[], min: number, max: number): void {
  const n = m.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new ProtocolViolation(`${nameOf(m)}: expected ${want} elements, got ${n}`);
  }
}

function id(m: unknown[], i: number, field: string): void {
  if (!isId(m[i])) fail(m, i, field, "an id (integer in [1, 2^53])");
}

function dict(m: unknown[], i: number, field: string): void {
  if (!isDict(m[i])) fail(m, i, field, "a dict");
}

function str(m: unknown[], i: number, field: string): void {
  if (typeof m[i] !== "string") fail(m, i, field, "a string");
}

/** Optional `Arguments|list` at `i` and `ArgumentsKw|dict` at `i + 1` (arity already checked). */
function payload(m: unknown[], i: number): void {
  const n = m.length;
  if (n > i) {
    if (!Array.isArray(m[i])) fail(m, i, "Arguments", "a list");
    if (n > i + 1 && !isDict(m[i + 1])) fail(m, i + 1, "ArgumentsKw", "a dict");
  }
}

/** UNSUBSCRIBED / UNREGISTERED: request id, or 0 with Details when router-initiated. */
function ackWithOptionalDetails(m: unknown[], field: string): void {
  const request = m[1];
  if (m.length === 3) {
    if (!isIdOrZero(request)) fail(m, 1, field, "an id (integer in [1, 2^53]) or 0");
    dict(m, 2, "Details");
  } else if (!isId(request)) {
    if (request === 0) {
      throw new ProtocolViolation(
        `${nameOf(m)}: element 1 (${field}) may be 0 only when element 2 (Details) is present`,
      );
    }
    fail(m, 1, field, "an id (integer in [1, 2^53])");
  }
}

function errorRequestType(m: unknown[]): void {
  switch (m[1]) {
    case T.SUBSCRIBE:
    case T.UNSUBSCRIBE:
    case T.PUBLISH:
    case T.REGISTER:
    case T.UNREGISTER:
    case T.CALL:
    case T.INVOCATION:
      return;
  }
  fail(
    m,
    1,
    "REQUEST.Type",
    "one of SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL, INVOCATION (32, 34, 16, 64, 66, 48, 68)",
  );
}

function nameOf(m: unknown[]): string {
  return messageTypeName[m[0] as number] ?? `message type ${String(m[0])}`;
}

function fail(m: unknown[], i: number, field: string, what: string): never {
  throw new ProtocolViolation(
    `${nameOf(m)}: element ${i} (${field}) must be ${what}, got ${describe(m[i])}`,
  );
}

/** A short description of a wrong value for error texts: numbers by value, others by kind. */
function describe(v: unknown): string {
  switch (typeof v) {
    case "number":
      return String(v);
    case "bigint":
      return `bigint ${v}`;
    case "object":
      if (v === null) return "null";
      if (Array.isArray(v)) return "array";
      if (v instanceof Uint8Array) return "binary";
      return isDict(v) ? "dict" : `object ${v.constructor?.name ?? ""}`.trimEnd();
    default:
      return typeof v;
  }
}
