/**
 * The authorization contract and static role permissions (Crossbar's
 * `roles[].permissions`). A decision may be async (dynamic authorizers call
 * a WAMP procedure); the static one is always sync, so the common path never
 * awaits.
 *
 * @module
 */

import { type MatchPolicy, UriMatcher } from "../matcher.ts";

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
  /** Decides whether `subject` may perform `action` on `uri`. */
  authorize(
    subject: AuthzSubject,
    uri: string,
    action: Action,
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
    }
    // Fast path: a single "everything" entry and nothing else.
    const all = this.#prefixes.get("", "prefix");
    if (all && this.#prefixes.size === 1 && this.#specific.size === 0) this.#allowAll = all;
  }

  /** Decides from the most specific matching permission. */
  authorize(_subject: AuthzSubject, uri: string, action: Action): AuthzDecision {
    const e = this.#allowAll ?? this.#specific.best(uri) ?? this.#prefixes.best(uri);
    return e ? e[action] : DENY;
  }
}

/** An authorizer that allows everything and discloses nothing (roles not configured). */
export const allowAllAuthorizer: Authorizer = {
  authorize: () => ({ allow: true, disclose: false }),
};
