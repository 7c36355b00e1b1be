/**
 * Anonymous authentication (`auth.anonymous`): static lets everyone in with
 * the configured role and a generated authid (or the configured one; the
 * authid a client asks for is ignored, so nobody can pose as a known
 * authid); dynamic asks an authenticator procedure, which may refuse.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { AuthStep, SessionAuthenticator } from "./authenticator.ts";
import { randomAuthid } from "./authenticator.ts";
import type { AuthContext, AuthMethod } from "./auth_context.ts";
import { askAuthenticator, type DynamicAuthConfig } from "./dynamic.ts";
import { noPendingChallenge, welcomeStep } from "./principal.ts";

/** `auth.anonymous` of a transport. */
export type AnonymousConfig =
  | {
    /** Everyone gets `role`. */
    type: "static";
    /** Role of anonymous sessions (default "anonymous"). */
    role?: string;
    /** Fixed authid (default: a random one per session). */
    authid?: string;
    /** Realm every anonymous session joins, whatever HELLO asks for (default: the one in HELLO). */
    realm?: string;
  }
  | DynamicAuthConfig;

/** The method name. */
export const ANONYMOUS = "anonymous";

/** Builds the anonymous method from its config. */
export function anonymousMethod(config: AnonymousConfig): AuthMethod {
  if (config.type === "dynamic") {
    return (ctx) => new DynamicAnonymous(ctx, config);
  }
  const role = config.role ?? "anonymous";
  const fixed = config.authid;
  const realm = config.realm;
  return () => ({
    hello: () =>
      welcomeStep(
        { authid: fixed ?? randomAuthid(), role, ...(realm !== undefined ? { realm } : {}) },
        ANONYMOUS,
        "static",
      ),
    authenticate: noPendingChallenge,
  });
}

class DynamicAnonymous implements SessionAuthenticator {
  #ctx: AuthContext;
  #config: DynamicAuthConfig;

  constructor(ctx: AuthContext, config: DynamicAuthConfig) {
    this.#ctx = ctx;
    this.#config = config;
  }

  async hello(realm: string, details: Dict): Promise<AuthStep> {
    const r = await askAuthenticator(this.#ctx, this.#config, {
      method: ANONYMOUS,
      realm,
      hello: details,
      authid: undefined,
      principalAuthid: randomAuthid(),
    }, () => true);
    if ("step" in r) return r.step;
    return welcomeStep(r.principal, ANONYMOUS, "dynamic");
  }

  authenticate(): AuthStep {
    return noPendingChallenge();
  }
}
