/**
 * One transport's authentication from its configured methods: per
 * handshake, the first of the client's `HELLO.Details.authmethods` (in the
 * client's order; absent means `["anonymous"]`) that the transport
 * configures is used; when none is, the handshake ends with ABORT
 * `wamp.error.no_auth_method`. See `transport_auth.ts` for the `auth` dict.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { type Logger, nullLogger } from "../../log/logger.ts";
import type { Router } from "../router.ts";
import type { AuthenticatorFactory, AuthStep, SessionAuthenticator } from "./authenticator.ts";
import type { AuthContext, AuthMethod } from "./auth_context.ts";
import { abortStep, noPendingChallenge } from "./principal.ts";
import { ANONYMOUS } from "./anonymous.ts";

/** Options of `transportAuthenticator` and `negotiatingAuthenticator`. */
export interface TransportAuthOptions {
  /** The router, for dynamic authenticators (required when any method is dynamic). */
  router?: Router;
  /** Where authentication events go (never with secrets). Default: the router's logger, else nowhere. */
  logger?: Logger;
  /** Milliseconds a dynamic authenticator may take before the handshake fails. Default 10000. */
  authenticatorTimeoutMs?: number;
}

/**
 * The per-connection authenticator factory for a transport whose `auth`
 * dict (see `transport_auth.ts`) configures `methods` (by method name).
 */
export function negotiatingAuthenticator(
  methods: ReadonlyMap<string, AuthMethod>,
  auth: object,
  options: TransportAuthOptions = {},
): AuthenticatorFactory {
  const dynamic = Object.values(auth).some((m) =>
    typeof m === "object" && m !== null && m.type === "dynamic"
  );
  if (dynamic && !options.router) {
    throw new Error("transportAuthenticator: a dynamic method needs options.router");
  }
  const logger = options.logger ?? options.router?.logger ?? nullLogger;
  const timeoutMs = options.authenticatorTimeoutMs ?? 10000;
  return (peer) => new Negotiator(methods, { router: options.router, peer, logger, timeoutMs });
}

/** Picks the method for one handshake and hands it HELLO and AUTHENTICATE. */
class Negotiator implements SessionAuthenticator {
  #methods: ReadonlyMap<string, AuthMethod>;
  #ctx: AuthContext;
  #chosen: SessionAuthenticator | undefined;

  constructor(methods: ReadonlyMap<string, AuthMethod>, ctx: AuthContext) {
    this.#methods = methods;
    this.#ctx = ctx;
  }

  hello(realm: string, details: Dict, session: number): AuthStep | Promise<AuthStep> {
    const offered = offeredMethods(details.authmethods);
    for (const name of offered) {
      const method = this.#methods.get(name);
      if (method) {
        this.#chosen = method(this.#ctx);
        return this.#chosen.hello(realm, details, session);
      }
    }
    this.#ctx.logger.log("info", "no acceptable authentication method", {
      offered,
      configured: [...this.#methods.keys()],
      peer: this.#ctx.peer.peer,
    });
    return abortStep(
      ErrorUri.NO_AUTH_METHOD,
      `cannot authenticate using any of the offered authmethods ${JSON.stringify(offered)}`,
    );
  }

  authenticate(signature: string, extra: Dict): AuthStep | Promise<AuthStep> {
    if (!this.#chosen) return noPendingChallenge();
    return this.#chosen.authenticate(signature, extra);
  }
}

/** The methods a HELLO offers (`["anonymous"]` when it names none). */
function offeredMethods(v: unknown): string[] {
  if (v === undefined || v === null) return [ANONYMOUS];
  if (!Array.isArray(v)) return [];
  return v.filter((m): m is string => typeof m === "string").slice(0, 16).map((m) =>
    m.slice(0, 64)
  );
}
