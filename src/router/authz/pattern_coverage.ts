/**
 * Which URIs a prefix or wildcard pattern (of a SUBSCRIBE or REGISTER) and
 * a permission pattern have in common. A pattern subscription or
 * registration is authorized against every URI it can match
 * (`StaticAuthorizer.authorizePattern`): these are the set operations that
 * check needs, on patterns as strings, without enumerating URIs.
 *
 * Prefix patterns are plain string prefixes (`"com.app"` matches
 * `"com.application"`); wildcard patterns have a fixed number of
 * `.`-separated components, an empty one matching any (non-empty)
 * component.
 *
 * @module
 */

import type { MatchPolicy } from "../matcher.ts";

/** A pattern with its match policy. */
export interface Pattern {
  /** The pattern text. */
  uri: string;
  /** How it matches. */
  match: MatchPolicy;
}

/** True when the wildcard pattern `w` matches the URI `uri`. */
export function wildcardMatches(w: string, uri: string): boolean {
  const wp = w.split(".");
  const up = uri.split(".");
  if (wp.length !== up.length) return false;
  return wp.every((c, i) => c === "" ? up[i] !== "" : c === up[i]);
}

/** True when some URI matched by the wildcard pattern `w` starts with the string `prefix`. */
export function wildcardCanStartWith(w: string, prefix: string): boolean {
  const wp = w.split(".");
  const pp = prefix.split(".");
  if (pp.length > wp.length) return false;
  const last = pp.length - 1;
  for (let i = 0; i < last; i++) {
    if (pp[i] === "" || (wp[i] !== "" && wp[i] !== pp[i])) return false;
  }
  return wp[last] === "" || wp[last].startsWith(pp[last]);
}

/** True when the two wildcard patterns (or a wildcard and a literal URI) can match a common URI. */
function wildcardsOverlap(a: string, b: string): boolean {
  const ap = a.split(".");
  const bp = b.split(".");
  if (ap.length !== bp.length) return false;
  return ap.every((c, i) => c === "" || bp[i] === "" || c === bp[i]);
}

/** True when `a` and `b` match at least one URI in common. */
export function overlaps(a: Pattern, b: Pattern): boolean {
  if (a.match === "exact" && b.match === "exact") return a.uri === b.uri;
  if (a.match === "exact") return matchesUri(b, a.uri);
  if (b.match === "exact") return matchesUri(a, b.uri);
  if (a.match === "prefix" && b.match === "prefix") {
    return a.uri.startsWith(b.uri) || b.uri.startsWith(a.uri);
  }
  if (a.match === "prefix") return wildcardCanStartWith(b.uri, a.uri);
  if (b.match === "prefix") return wildcardCanStartWith(a.uri, b.uri);
  return wildcardsOverlap(a.uri, b.uri);
}

/** True when `p` matches the URI `uri`. */
export function matchesUri(p: Pattern, uri: string): boolean {
  switch (p.match) {
    case "exact":
      return p.uri === uri;
    case "prefix":
      return uri.startsWith(p.uri);
    case "wildcard":
      return wildcardMatches(p.uri, uri);
  }
}

/**
 * True when the prefix permission `prefix` matches every URI the pattern
 * `p` matches (so a longer prefix that also does always decides instead).
 */
export function prefixCoversAll(prefix: string, p: Pattern): boolean {
  switch (p.match) {
    case "exact":
    case "prefix":
      return p.uri.startsWith(prefix);
    case "wildcard": {
      // Every match starts with the literal text before the first empty component.
      const parts = p.uri.split(".");
      const firstAny = parts.indexOf("");
      const literal = firstAny < 0 ? p.uri : parts.slice(0, firstAny).join(".") + ".";
      return literal.startsWith(prefix);
    }
  }
}

/** True when the wildcard permission `w` matches every URI the wildcard pattern `p` matches. */
export function wildcardCoversAll(w: string, p: string): boolean {
  const wp = w.split(".");
  const pp = p.split(".");
  if (wp.length !== pp.length) return false;
  return wp.every((c, i) => c === "" || (pp[i] !== "" && c === pp[i]));
}
