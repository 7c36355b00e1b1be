/**
 * The authorization contract and static role permissions (Crossbar's
 * `roles[].permissions`). A decision may be async (dynamic authorizers call
 * a WAMP procedure); the static one is always sync, so the common path never
 * awaits.
 *
 * @module
 */

import { type MatchPolicy, UriMatcher } from "../matcher.ts";
import { overlaps, type Pattern, prefixCoversAll, wildcardCoversAll } from "./pattern_coverage.ts";

/** What a session wants to do with a URI. */
export type Action = "call" | "register" | "publish" | "subscribe";

/** The outcome: allowed or not, and whether the actor's identity is disclosed. */
export interface AuthzDecision {
  /** The action may go ahead. */
  allow: boolean;
  /** Disclose the caller (for call) or publisher (for publish) to the other side. */
  disclose: boolean;
}

/** Who asks, as an authorizer sees it. */
export interface AuthzSubject {
  /** Session id. */
  session: number;
  /** Authentication id. */
  authid: string;
  /** Role. */
  authrole: string;
  /** Method used to authenticate. */
  authmethod: string;
  /** Who vouched. */
  authprovider: string;
}

/** Decides actions for the sessions of one role. */
export interface Authorizer {
  /**
   * Decides whether `subject` may perform `action` on `uri`. For a SUBSCRIBE
   * or REGISTER with a `prefix` or `wildcard` `match`, `uri` is the pattern:
   * it may only be allowed when every URI the pattern can match is.
   */
  authorize(
    subject: AuthzSubject,
    uri: string,
    action: Action,
    match?: MatchPolicy,
  ): AuthzDecision | Promise<AuthzDecision>;
}

/** One permission entry of a role, as in Crossbar's config. */
export interface Permission {
  /** URI pattern ("" with prefix match = everything). */
  uri: string;
  /** How `uri` matches (default exact; Crossbar also infers prefix/wildcard from `*`). */
  match?: MatchPolicy;
  /** Allowed actions (absent = false). */
  allow?: Partial<Record<Action, boolean>>;
  /** Identity disclosure. */
  disclose?: { caller?: boolean; publisher?: boolean };
}

/** A role of a realm with its permissions. */
export interface RoleConfig {
  /** Role name (authrole). */
  name: string;
  /** Static permissions; the most specific matching entry decides. */
  permissions?: Permission[];
}

const DENY: AuthzDecision = Object.freeze({ allow: false, disclose: false });

interface Entry {
  call: AuthzDecision;
  register: AuthzDecision;
  publish: AuthzDecision;
  subscribe: AuthzDecision;
}

/**
 * Static permissions of one role. Precedence, as in Crossbar (so existing
 * configs keep their meaning): an exact pattern, then the most specific
 * matching wildcard (see matcher.ts), then the longest matching prefix. No
 * matching entry denies. (A wildcard fixes the number of components, so it
 * overrides a catch-all prefix such as `""`.)
 */
export class StaticAuthorizer implements Authorizer {
  /** Exact and wildcard patterns (matcher precedence: exact, then the most specific wildcard). */
  #specific = new UriMatcher<Entry>();
  /** Prefix patterns (longest first). */
  #prefixes = new UriMatcher<Entry>();
  /** Every entry with its pattern (pattern checks look at all of them). */
  #rules: (Pattern & { entry: Entry })[] = [];
  #allowAll: Entry | undefined;

  /** @param permissions the role's permission entries */
  constructor(permissions: Permission[]) {
    for (const p of permissions) {
      const a = p.allow ?? {};
      const d = p.disclose ?? {};
      const entry: Entry = {
        call: { allow: a.call === true, disclose: d.caller === true },
        register: { allow: a.register === true, disclose: false },
        publish: { allow: a.publish === true, disclose: d.publisher === true },
        subscribe: { allow: a.subscribe === true, disclose: false },
      };
      const match = p.match ?? "exact";
      (match === "prefix" ? this.#prefixes : this.#specific).set(p.uri, match, entry);
      this.#rules.push({ uri: p.uri, match, entry });
    }
    // Fast path: a single "everything" entry and nothing else.
    const all = this.#prefixes.get("", "prefix");
    if (all && this.#prefixes.size === 1 && this.#specific.size === 0) this.#allowAll = all;
  }

  /**
   * Decides from the most specific matching permission; a prefix or
   * wildcard pattern (`match`) through `authorizePattern`.
   */
  authorize(
    _subject: AuthzSubject,
    uri: string,
    action: Action,
    match: MatchPolicy = "exact",
  ): AuthzDecision {
    if (match !== "exact" && this.#allowAll === undefined) {
      return this.authorizePattern(uri, match, action);
    }
    return this.#decide(uri, action);
  }

  #decide(uri: string, action: Action): AuthzDecision {
    const e = this.#allowAll ?? this.#specific.best(uri) ?? this.#prefixes.best(uri);
    return e ? e[action] : DENY;
  }

  /**
   * Allows `action` on the pattern `uri` (`match`) only when the permission
   * that decides each URI the pattern can match allows it: the permission
   * deciding the pattern's generic URIs (a wildcard covering all of them,
   * else the longest prefix of all of them) must allow, and no permission
   * that decides some of them may deny (a more specific wildcard that only
   * covers part of the pattern is counted as deciding: a rare config may be
   * refused more than it needs, never less).
   */
  authorizePattern(uri: string, match: MatchPolicy, action: Action): AuthzDecision {
    const pattern: Pattern = { uri, match };
    // A wildcard pattern without an empty component is one URI.
    if (match === "exact" || (match === "wildcard" && !uri.split(".").includes(""))) {
      return this.#decide(uri, action);
    }
    let base: Entry | undefined;
    let baseIsWildcard = false;
    if (match === "prefix") {
      base = this.#prefixes.best(uri);
    } else {
      // A URI the pattern matches that no permission names: "\uffff" stands for any component.
      const generic = uri.split(".").map((c) => c === "" ? "\uffff" : c).join(".");
      base = this.#specific.best(generic);
      baseIsWildcard = base !== undefined;
      base ??= this.#prefixes.best(generic);
    }
    if (base === undefined || !base[action].allow) return DENY;
    for (const r of this.#rules) {
      if (r.entry[action].allow || !overlaps(pattern, r)) continue;
      // Rules that never decide inside the pattern: prefixes of all of it (the
      // base is longer), everything under a covering wildcard base but more
      // specific wildcards, and covering wildcards less specific than the base.
      if (r.match === "prefix" && (baseIsWildcard || prefixCoversAll(r.uri, pattern))) continue;
      if (
        r.match === "wildcard" && match === "wildcard" && baseIsWildcard &&
        wildcardCoversAll(r.uri, uri)
      ) continue;
      return DENY;
    }
    return base[action];
  }
}

/** An authorizer that allows everything and discloses nothing (roles not configured). */
export const allowAllAuthorizer: Authorizer = {
  authorize: () => ({ allow: true, disclose: false }),
};
