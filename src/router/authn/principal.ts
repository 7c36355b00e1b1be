/**
 * What an authentication method establishes about a client (a principal),
 * and the handshake steps built from it: WELCOME on success, ABORT with a
 * standard URI and a message that tells an attacker nothing otherwise.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { AuthStep } from "./authenticator.ts";

/** A principal as static config or a dynamic authenticator describes it. */
export interface Principal {
  /** Authentication id the session gets. */
  authid: string;
  /** Role the session gets (required to be WELCOMEd). */
  role?: string;
  /** Realm to join instead of the one in HELLO. */
  realm?: string;
  /** Sent to the client as WELCOME.Details.authextra. */
  extra?: Dict;
}

/**
 * The principal for `authid` from its static config entry: the entry's role
 * and realm when it sets them.
 */
export function staticPrincipal(
  authid: string,
  entry: { role?: string; realm?: string },
): Principal {
  const principal: Principal = { authid };
  if (entry.role !== undefined) principal.role = entry.role;
  if (entry.realm !== undefined) principal.realm = entry.realm;
  return principal;
}

/** The ABORT message for every failed credential check, whatever failed. */
export const AUTHENTICATION_FAILED_MESSAGE = "authentication failed";

/** An ABORT step. */
export function abortStep(uri: string, message: string): AuthStep {
  return { kind: "abort", uri, message };
}

/** The ABORT step for wrong credentials (unknown authid, wrong secret, bad signature, ...). */
export function authenticationFailed(): AuthStep {
  return abortStep(ErrorUri.AUTHENTICATION_FAILED, AUTHENTICATION_FAILED_MESSAGE);
}

/** The ABORT step for AUTHENTICATE when no challenge is pending (or it was already answered). */
export function noPendingChallenge(): AuthStep {
  return abortStep(ErrorUri.PROTOCOL_VIOLATION, "AUTHENTICATE without a pending challenge");
}

/**
 * The WELCOME step for `principal`, or ABORT `wamp.error.no_such_role` when
 * no role was assigned.
 */
export function welcomeStep(principal: Principal, method: string, provider: string): AuthStep {
  if (typeof principal.role !== "string" || principal.role === "") {
    return abortStep(ErrorUri.NO_SUCH_ROLE, "no role assigned to the principal");
  }
  const info: Extract<AuthStep, { kind: "welcome" }>["info"] = {
    authid: principal.authid,
    authrole: principal.role,
    authmethod: method,
    authprovider: provider,
  };
  if (principal.extra !== undefined) info.authextra = principal.extra;
  if (principal.realm !== undefined) info.realm = principal.realm;
  return { kind: "welcome", info };
}

/** Own property `key` of a config map (never one inherited from Object.prototype). */
export function lookup<T>(map: Record<string, T> | undefined, key: unknown): T | undefined {
  if (map === undefined || typeof key !== "string") return undefined;
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** HELLO.Details.authid when it is a non-empty string. */
export function helloAuthid(details: Dict): string | undefined {
  const a = details.authid;
  return typeof a === "string" && a !== "" ? a : undefined;
}

/** HELLO.Details.authextra when it is a dict, else `{}`. */
export function helloAuthextra(details: Dict): Dict {
  const e = details.authextra;
  return e !== null && typeof e === "object" && !Array.isArray(e) ? e as Dict : {};
}
