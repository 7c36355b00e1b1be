/**
 * Dynamic authorization (a role's `authorizer` in Crossbar's config): every
 * decision for the role's sessions is asked of a WAMP procedure registered
 * on the same realm, called from the router as
 * `authorizer(session_details, uri, action, options)`.
 *
 * The procedure answers `true`/`false`, or a dict
 * `{allow: bool, disclose?: bool, cache?: bool}`. With `cache: true` the
 * decision is remembered for that session, URI and action until the session
 * leaves (later decisions are then synchronous). Anything else, an error or
 * no answer in time denies the action (and is logged). For a pattern
 * SUBSCRIBE/REGISTER, `uri` is the pattern and `options.match` says how it
 * matches (`prefix`, `wildcard`; as Crossbar passes the request's options):
 * the authorizer must allow it only when it allows every URI it can match.
 * An authorizer that
 * rejects the 4-argument form with `wamp.error.invalid_argument` is called
 * again without `options`, as Crossbar does for old authorizers.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { Logger } from "../../log/logger.ts";
import type { Realm } from "../realm.ts";
import type { SessionParty } from "../party.ts";
import { internalCallerFor } from "../internal_caller.ts";
import type { Action, Authorizer, AuthzDecision, AuthzSubject } from "./authorizer.ts";
import type { MatchPolicy } from "../matcher.ts";

/** Options of `DynamicAuthorizer`. */
export interface DynamicAuthorizerOptions {
  /** Milliseconds the authorizer may take before the action is denied. Default 10000. */
  timeoutMs?: number;
  /** Where failures are logged. Default: the realm's logger. */
  logger?: Logger;
}

const DENY: AuthzDecision = Object.freeze({ allow: false, disclose: false });

/** Asks a WAMP procedure for every decision of a role. */
export class DynamicAuthorizer implements Authorizer {
  /** URI of the authorizer procedure. */
  readonly procedure: string;
  #realm: Realm;
  #timeoutMs: number;
  #logger: Logger;
  /** Cached decisions per connection, for the session id they were made for (a connection may
   * start a new session after GOODBYE). */
  #cache = new WeakMap<SessionParty, { session: number; decisions: Map<string, AuthzDecision> }>();

  /**
   * @param realm the realm whose sessions this decides for (the procedure is called there)
   * @param procedure the authorizer procedure URI
   * @param options see DynamicAuthorizerOptions
   */
  constructor(realm: Realm, procedure: string, options: DynamicAuthorizerOptions = {}) {
    this.#realm = realm;
    this.procedure = procedure;
    this.#timeoutMs = options.timeoutMs ?? 10000;
    this.#logger = options.logger ?? realm.logger;
  }

  /** Decides from the cache, else by calling the procedure. */
  authorize(
    subject: AuthzSubject,
    uri: string,
    action: Action,
    match: MatchPolicy = "exact",
  ): AuthzDecision | Promise<AuthzDecision> {
    const session = this.#realm.sessions.get(subject.session);
    const key = `${action} ${match} ${uri}`;
    const cached = session && this.#cache.get(session);
    const hit = cached && cached.session === subject.session
      ? cached.decisions.get(key)
      : undefined;
    if (hit) return hit;
    return this.#ask(session, subject, uri, action, match, key);
  }

  async #ask(
    session: SessionParty | undefined,
    subject: AuthzSubject,
    uri: string,
    action: Action,
    match: MatchPolicy,
    key: string,
  ): Promise<AuthzDecision> {
    const details = session ? this.#realm.sessionDetails(session) : { ...subject };
    const caller = internalCallerFor(this.#realm);
    const opts = { timeoutMs: this.#timeoutMs };
    let answer: unknown;
    try {
      try {
        const options = match === "exact" ? {} : { match };
        answer =
          (await caller.call(this.procedure, [details, uri, action, options], undefined, opts))
            .args[0];
      } catch (e) {
        if (!(e instanceof ApplicationError) || e.uri !== ErrorUri.INVALID_ARGUMENT) throw e;
        // Without options the authorizer cannot know `uri` is a pattern: deny those.
        if (match !== "exact") throw e;
        answer =
          (await caller.call(this.procedure, [details, uri, action], undefined, opts)).args[0];
      }
    } catch (e) {
      this.#logger.log("warn", "dynamic authorizer failed; denying", {
        realm: this.#realm.name,
        authorizer: this.procedure,
        session: subject.session,
        uri,
        action,
        error: e instanceof ApplicationError ? e.uri : String(e),
      });
      return DENY;
    }
    const decision = readDecision(answer);
    if (!decision) {
      this.#logger.log("warn", "dynamic authorizer returned neither a bool nor {allow}; denying", {
        realm: this.#realm.name,
        authorizer: this.procedure,
        uri,
        action,
      });
      return DENY;
    }
    if (
      decision.cache && session && session.realm === this.#realm && session.id === subject.session
    ) {
      let c = this.#cache.get(session);
      if (!c || c.session !== subject.session) {
        c = { session: subject.session, decisions: new Map() };
        this.#cache.set(session, c);
      }
      c.decisions.set(key, decision.result);
    }
    return decision.result;
  }
}

function readDecision(v: unknown): { result: AuthzDecision; cache: boolean } | undefined {
  if (typeof v === "boolean") return { result: { allow: v, disclose: false }, cache: false };
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const d = v as Dict;
  if (typeof d.allow !== "boolean") return undefined;
  return {
    result: Object.freeze({ allow: d.allow, disclose: d.disclose === true }),
    cache: d.cache === true,
  };
}
