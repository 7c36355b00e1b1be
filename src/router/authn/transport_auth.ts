/**
 * One transport's authentication, built from its Crossbar-style `auth` dict:
 *
 * ```
 * auth:
 *   anonymous:  {type: static, role?, authid?}            | {type: dynamic, authenticator, ...}
 *   ticket:     {type: static, principals: {authid: {ticket, role, realm?}}} | dynamic
 *   wampcra:    {type: static, users: {authid: {secret, role, realm?, salt?, iterations?, keylen?}}} | dynamic
 *   cryptosign: {type: static, principals: {authid: {authorized_keys: [hex], role, realm?}}} | dynamic
 * dynamic: {type: dynamic, authenticator: <procedure URI>, "authenticator-realm"?: <realm>, "default-role"?: <role>}
 * ```
 *
 * Per handshake, the first of the client's `HELLO.Details.authmethods` (in
 * the client's order; absent means `["anonymous"]`) that the transport
 * configures is used; when none is, the handshake ends with ABORT
 * `wamp.error.no_auth_method`.
 *
 * @module
 */

import type { AuthenticatorFactory } from "./authenticator.ts";
import type { AuthMethod } from "./auth_context.ts";
import { ANONYMOUS, type AnonymousConfig, anonymousMethod } from "./anonymous.ts";
import { TICKET, type TicketConfig, ticketMethod } from "./ticket.ts";
import { WAMPCRA, type WampcraConfig, wampcraMethod } from "./wampcra.ts";
import { CRYPTOSIGN, type CryptosignConfig, cryptosignMethod } from "./cryptosign.ts";
import { negotiatingAuthenticator, type TransportAuthOptions } from "./negotiator.ts";

export type { TransportAuthOptions } from "./negotiator.ts";

/** A transport's `auth` dict (see the module doc). */
export interface TransportAuthConfig {
  /** Anonymous. */
  anonymous?: AnonymousConfig;
  /** WAMP-Ticket. */
  ticket?: TicketConfig;
  /** WAMP-CRA. */
  wampcra?: WampcraConfig;
  /** WAMP-Cryptosign. */
  cryptosign?: CryptosignConfig;
}

/**
 * Builds the per-connection authenticator factory for a transport's `auth`.
 * Imports every method; a router worker imports only those its config names
 * (`transport_auth_loader.ts` in src/worker, start-up time).
 */
export function transportAuthenticator(
  auth: TransportAuthConfig,
  options: TransportAuthOptions = {},
): AuthenticatorFactory {
  const methods = new Map<string, AuthMethod>();
  if (auth.anonymous) methods.set(ANONYMOUS, anonymousMethod(auth.anonymous));
  if (auth.ticket) methods.set(TICKET, ticketMethod(auth.ticket));
  if (auth.wampcra) methods.set(WAMPCRA, wampcraMethod(auth.wampcra));
  if (auth.cryptosign) methods.set(CRYPTOSIGN, cryptosignMethod(auth.cryptosign));
  return negotiatingAuthenticator(methods, auth, options);
}
