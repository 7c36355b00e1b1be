/**
 * URI syntax checks (spec: URIs, and pattern-based subscriptions and
 * registrations).
 *
 * Components are separated by `.`. The loose rule allows any characters in a
 * component except whitespace, `.` and `#`; the strict rule allows only
 * `[0-9a-z_]`. Concrete URIs have no empty components. Patterns relax that
 * per match policy, the way Crossbar.io does:
 *
 * | match      | rule                                                        |
 * |------------|-------------------------------------------------------------|
 * | `exact`    | no empty component (`a.b.c`)                                |
 * | `prefix`   | only the last component may be empty (`a.b.`, and `""`)     |
 * | `wildcard` | any component may be empty (`a..c`, `.b.`)                  |
 *
 * The router answers a request with a bad URI with ERROR
 * `wamp.error.invalid_uri`; `parse.ts` only checks that URIs are strings.
 *
 * @module
 */

// Compiled once. Each component group must end in a dot and components cannot
// contain dots, so none of these can backtrack catastrophically.
const STRICT_NON_EMPTY = /^(?:[0-9a-z_]+\.)*[0-9a-z_]+$/;
const LOOSE_NON_EMPTY = /^(?:[^\s.#]+\.)*[^\s.#]+$/;
const STRICT_EMPTY = /^(?:[0-9a-z_]+\.|\.)*(?:[0-9a-z_]+)?$/;
const LOOSE_EMPTY = /^(?:[^\s.#]+\.|\.)*(?:[^\s.#]+)?$/;
const STRICT_LAST_EMPTY = /^(?:[0-9a-z_]+\.)*[0-9a-z_]*$/;
const LOOSE_LAST_EMPTY = /^(?:[^\s.#]+\.)*[^\s.#]*$/;

/** Options of `isValidUri`. */
export interface UriCheckOptions {
  /** Apply the strict rule (`[0-9a-z_]` only) instead of the loose one. Default `false`. */
  strict?: boolean;
  /** Allow empty components, as in wildcard patterns (`a..c`). Default `false`. */
  allowEmpty?: boolean;
}

/** Match policies of pattern-based subscriptions and registrations. */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

/**
 * True when `uri` is a syntactically valid WAMP URI.
 *
 * @param uri the value to check (non-strings are invalid)
 * @param options `strict` (default `false`), `allowEmpty` (default `false`)
 */
export function isValidUri(uri: unknown, options: UriCheckOptions = {}): boolean {
  if (typeof uri !== "string") return false;
  if (options.allowEmpty === true) {
    return (options.strict === true ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
  }
  return (options.strict === true ? STRICT_NON_EMPTY : LOOSE_NON_EMPTY).test(uri);
}

/**
 * True when `uri` is valid as a subscription topic or registration procedure
 * under match policy `match`: `exact` needs a full URI, `prefix` allows the
 * last component to be empty (so `com.app.` and the empty prefix are valid),
 * `wildcard` allows any component to be empty. Unknown policies are invalid.
 *
 * @param uri the topic or procedure pattern
 * @param match the match policy from `Options.match` (default `exact` is the caller's business)
 * @param strict apply the strict rule (`[0-9a-z_]` only) instead of the loose one
 */
export function isValidPattern(uri: unknown, match: MatchPolicy, strict = false): boolean {
  if (typeof uri !== "string") return false;
  switch (match) {
    case "exact":
      return (strict ? STRICT_NON_EMPTY : LOOSE_NON_EMPTY).test(uri);
    case "prefix":
      return (strict ? STRICT_LAST_EMPTY : LOOSE_LAST_EMPTY).test(uri);
    case "wildcard":
      return (strict ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
    default:
      return false;
  }
}

/**
 * True when `uri` is in the namespace the spec reserves for itself (`wamp.`).
 * Whether a client may use it (register, subscribe, publish) is the router's
 * decision.
 */
export function isReservedUri(uri: string): boolean {
  return uri.startsWith("wamp.");
}
