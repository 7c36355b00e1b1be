/**
 * Dynamic authentication: the router calls an authenticator procedure that a
 * component registered (Crossbar's `type: dynamic`). The procedure is called
 * as `authenticator(realm, authid, details)` on the realm named by
 * `authenticator-realm` (default: the realm in HELLO) as role
 * `authenticator-role` (default `trusted`, which is not authorized; another
 * role's permissions must allow the call, as in Crossbar) and returns the
 * principal: a role string, or a dict `{role, authid?, realm?, extra?, ...}`
 * (wampcra adds `secret`/`salt`/`iterations`/`keylen`; cryptosign `pubkey`).
 * An error it raises ABORTs the handshake with its URI and message (the
 * component chose them); when the call itself fails (no such procedure,
 * timeout, ...) the client sees only `wamp.error.authentication_failed` and
 * the router logs why.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { LogFields } from "../../log/logger.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { INTERNAL_AUTHID, INTERNAL_AUTHROLE, internalCallerFor } from "../internal_caller.ts";
import type { Realm } from "../realm.ts";
import type { AuthStep } from "./authenticator.ts";
import type { AuthContext } from "./auth_context.ts";
import { abortStep, authenticationFailed, type Principal } from "./principal.ts";

/** `type: dynamic` of any method. */
export interface DynamicAuthConfig {
  /** Always "dynamic". */
  type: "dynamic";
  /** URI of the authenticator procedure. */
  authenticator: string;
  /** Realm where the authenticator is registered (default: the realm the client asks for). */
  "authenticator-realm"?: string;
  /** Role the router calls the authenticator as (default `trusted`). */
  "authenticator-role"?: string;
  /** Role when the authenticator's answer names none (Crossbar's `default-role`). */
  "default-role"?: string;
}

/** Errors that come from the router while calling, not from the authenticator itself. */
const CALL_FAILURES = new Set<string>([
  ErrorUri.NO_SUCH_PROCEDURE,
  ErrorUri.TIMEOUT,
  ErrorUri.CANCELED,
  ErrorUri.UNAVAILABLE,
  ErrorUri.NO_ELIGIBLE_CALLEE,
  ErrorUri.RUNTIME_ERROR,
  ErrorUri.INVALID_ARGUMENT,
  ErrorUri.INVALID_URI,
  ErrorUri.NO_SUCH_REALM,
]);

/**
 * Details passed to an authenticator: what the client said in HELLO and
 * facts about its connection.
 */
export function authenticatorDetails(
  ctx: AuthContext,
  method: string,
  realm: string,
  hello: Dict,
): Dict {
  return {
    realm,
    authmethod: method,
    authid: typeof hello.authid === "string" ? hello.authid : null,
    authrole: typeof hello.authrole === "string" ? hello.authrole : null,
    authextra: hello.authextra ?? null,
    transport: { ...ctx.peer },
  };
}

/**
 * Calls the authenticator. Resolves with its answer, or with an ABORT step
 * when it raised or the call failed.
 */
export async function callAuthenticator(
  ctx: AuthContext,
  config: DynamicAuthConfig,
  call: { method: string; realm: string; authid: string | null; details: Dict },
): Promise<{ value: unknown } | { step: AuthStep }> {
  const realmName = config["authenticator-realm"] ?? call.realm;
  const realm = ctx.router?.realm(realmName);
  if (!realm) {
    if (config["authenticator-realm"] === undefined) {
      return { step: abortStep(ErrorUri.NO_SUCH_REALM, `no realm "${call.realm}" on this router`) };
    }
    ctx.logger.log("error", "dynamic authenticator realm does not exist", {
      method: call.method,
      authenticatorRealm: realmName,
      peer: ctx.peer.peer,
    });
    return { step: authenticationFailed() };
  }
  const role = config["authenticator-role"] ?? INTERNAL_AUTHROLE;
  if (role !== INTERNAL_AUTHROLE) {
    const denied = await authenticatorCallDenied(realm, role, config.authenticator);
    if (denied) {
      ctx.logger.log("error", "dynamic authenticator cannot be called", {
        method: call.method,
        authenticator: config.authenticator,
        authenticatorRealm: realmName,
        authenticatorRole: role,
        reason: denied,
        peer: ctx.peer.peer,
      });
      return { step: authenticationFailed() };
    }
  }
  try {
    const r = await internalCallerFor(realm, role).call(
      config.authenticator,
      [call.realm, call.authid, call.details],
      undefined,
      { timeoutMs: ctx.timeoutMs },
    );
    return { value: r.args[0] };
  } catch (e) {
    if (e instanceof ApplicationError && !CALL_FAILURES.has(e.uri)) {
      const text = typeof e.args?.[0] === "string" ? e.args[0] as string : "authentication denied";
      ctx.logger.log("info", "dynamic authenticator denied", {
        method: call.method,
        authid: call.authid,
        reason: e.uri,
        peer: ctx.peer.peer,
      });
      return { step: abortStep(e.uri, text) };
    }
    ctx.logger.log("warn", "dynamic authenticator call failed", {
      method: call.method,
      authenticator: config.authenticator,
      error: e instanceof ApplicationError ? e.uri : String(e),
      peer: ctx.peer.peer,
    });
    return { step: authenticationFailed() };
  }
}

/** Why role `role` may not call `procedure` on `realm` (undefined when it may). */
async function authenticatorCallDenied(
  realm: Realm,
  role: string,
  procedure: string,
): Promise<string | undefined> {
  if (!realm.hasRole(role)) return `realm "${realm.name}" has no role "${role}"`;
  const auth = {
    authid: INTERNAL_AUTHID,
    authrole: role,
    authmethod: "internal",
    authprovider: "xbar",
  };
  try {
    const d = await realm.authorize(
      { auth, subject: { session: 0, ...auth } },
      procedure,
      "call",
    );
    return d.allow ? undefined : `role "${role}" may not call "${procedure}"`;
  } catch (e) {
    return `authorizing the call failed: ${e instanceof Error ? e.message : e}`;
  }
}

/**
 * Reads an authenticator's answer into a principal (`authid` defaults to
 * `authid`). A plain string is a role. Undefined when the answer has the
 * wrong shape.
 */
export function readPrincipal(
  value: unknown,
  authid: string | undefined,
  config: DynamicAuthConfig,
): { principal: Principal; raw: Dict } | undefined {
  let raw: Dict;
  if (typeof value === "string") raw = { role: value };
  else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    raw = value as Dict;
  } else return undefined;
  const id = typeof raw.authid === "string" && raw.authid !== "" ? raw.authid : authid;
  if (id === undefined) return undefined;
  const principal: Principal = { authid: id };
  const role = typeof raw.role === "string" && raw.role !== "" ? raw.role : config["default-role"];
  if (role !== undefined) principal.role = role;
  if (typeof raw.realm === "string" && raw.realm !== "") principal.realm = raw.realm;
  const extra = raw.extra;
  if (extra !== null && typeof extra === "object" && !Array.isArray(extra)) {
    principal.extra = extra as Dict;
  }
  return { principal, raw };
}

/** What a method asks the authenticator about one HELLO. */
export interface DynamicAsk {
  /** The method name. */
  method: string;
  /** The realm HELLO asks for. */
  realm: string;
  /** HELLO.Details. */
  hello: Dict;
  /** The authid the authenticator is told (`null` when undefined). */
  authid: string | undefined;
  /** The principal's authid when the answer names none (default: `authid`). */
  principalAuthid?: string;
  /** Details added to `authenticatorDetails()` (ticket: the ticket). */
  details?: Dict;
  /** The answer's expected shape, logged when the answer is invalid. */
  expected?: string;
}

/**
 * Calls the authenticator about one HELLO and reads its answer into a
 * principal and what the method needs from the answer (`read` gives
 * undefined when the answer lacks it). An invalid answer is logged and gives
 * ABORT `wamp.error.authentication_failed`, as does a failed call.
 */
export async function askAuthenticator<K>(
  ctx: AuthContext,
  config: DynamicAuthConfig,
  ask: DynamicAsk,
  read: (raw: Dict) => K | undefined,
): Promise<{ step: AuthStep } | { principal: Principal; key: K }> {
  const details = authenticatorDetails(ctx, ask.method, ask.realm, ask.hello);
  const r = await callAuthenticator(ctx, config, {
    method: ask.method,
    realm: ask.realm,
    authid: ask.authid ?? null,
    details: ask.details ? Object.assign(details, ask.details) : details,
  });
  if ("step" in r) return r;
  const p = readPrincipal(r.value, ask.principalAuthid ?? ask.authid, config);
  const key = p ? read(p.raw) : undefined;
  if (!p || key === undefined) {
    const fields: LogFields = { method: ask.method, authenticator: config.authenticator };
    if (ask.expected !== undefined) fields.expected = ask.expected;
    ctx.logger.log("warn", "dynamic authenticator returned an invalid principal", fields);
    return { step: authenticationFailed() };
  }
  return { principal: p.principal, key };
}
