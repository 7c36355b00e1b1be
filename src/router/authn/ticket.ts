/**
 * WAMP-Ticket authentication (`auth.ticket`): the client names its authid in
 * HELLO, the router answers CHALLENGE("ticket", {}), the client sends the
 * ticket as AUTHENTICATE.Signature.
 *
 * Static principals are checked in constant time; an unknown authid gets the
 * same challenge and the same ABORT as a wrong ticket, so authids cannot be
 * enumerated. Dynamic: the authenticator is called at AUTHENTICATE with
 * `details.ticket` set.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { AuthStep, SessionAuthenticator } from "./authenticator.ts";
import type { AuthContext, AuthMethod } from "./auth_context.ts";
import { askAuthenticator, type DynamicAuthConfig } from "./dynamic.ts";
import {
  authenticationFailed,
  helloAuthid,
  lookup,
  noPendingChallenge,
  staticPrincipal,
  welcomeStep,
} from "./principal.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";
import { bytesToHex, randomBytes } from "./_bytes.ts";

/** One static ticket principal. */
export interface TicketPrincipal {
  /** The ticket (a shared secret). */
  ticket: string;
  /** Role the principal gets. */
  role?: string;
  /** Realm to join instead of the one in HELLO. */
  realm?: string;
}

/** `auth.ticket` of a transport. */
export type TicketConfig =
  | {
    /** Principals from the config. */
    type: "static";
    /** Principals by authid. */
    principals: Record<string, TicketPrincipal>;
  }
  | DynamicAuthConfig;

/** The method name. */
export const TICKET = "ticket";

/** Builds the ticket method from its config. */
export function ticketMethod(config: TicketConfig): AuthMethod {
  return (ctx) => new TicketAuthenticator(ctx, config);
}

class TicketAuthenticator implements SessionAuthenticator {
  #ctx: AuthContext;
  #config: TicketConfig;
  #pending = false;
  #realm = "";
  #hello: Dict = {};
  #authid: string | undefined;

  constructor(ctx: AuthContext, config: TicketConfig) {
    this.#ctx = ctx;
    this.#config = config;
  }

  hello(realm: string, details: Dict): AuthStep {
    this.#authid = helloAuthid(details);
    if (this.#authid === undefined && this.#config.type === "static") {
      return authenticationFailed();
    }
    this.#realm = realm;
    this.#hello = details;
    this.#pending = true;
    return { kind: "challenge", method: TICKET, extra: {} };
  }

  async authenticate(signature: string): Promise<AuthStep> {
    if (!this.#pending) return noPendingChallenge();
    this.#pending = false;
    const config = this.#config;
    if (config.type === "dynamic") return await this.#dynamic(config, signature);
    const authid = this.#authid!;
    const p = lookup(config.principals, authid);
    // Compare against something even for an unknown authid: same work, same answer.
    const expected = p?.ticket ?? bytesToHex(randomBytes(16));
    const ok = await timingSafeEqual(signature, expected);
    if (!ok || !p) {
      this.#ctx.logger.log("info", "authentication failed", {
        method: TICKET,
        authid,
        reason: p ? "wrong ticket" : "unknown authid",
        peer: this.#ctx.peer.peer,
      });
      return authenticationFailed();
    }
    return welcomeStep(staticPrincipal(authid, p), TICKET, "static");
  }

  async #dynamic(config: DynamicAuthConfig, ticket: string): Promise<AuthStep> {
    const r = await askAuthenticator(this.#ctx, config, {
      method: TICKET,
      realm: this.#realm,
      hello: this.#hello,
      authid: this.#authid,
      details: { ticket },
    }, () => true);
    if ("step" in r) return r.step;
    return welcomeStep(r.principal, TICKET, "dynamic");
  }
}
