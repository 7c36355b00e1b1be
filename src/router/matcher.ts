/**
 * URI pattern tables for the three WAMP match policies. Used by the broker
 * (all matching subscriptions) and the dealer (the single best registration);
 * the static authorizer uses `get`/`matchAll` with Crossbar's own permission
 * order (exact > wildcard > longest prefix, see authz/authorizer.ts).
 *
 * Precedence for `best()` (the dealer's; most specific wins):
 * 1. an `exact` pattern equal to the URI;
 * 2. the longest `prefix` pattern the URI starts with (plain string prefix, as Crossbar);
 * 3. a `wildcard` pattern (same number of components, every non-empty component
 *    equal): the spec's "longest portion of URI components matched before each
 *    wildcard", i.e. comparing component by component, the pattern with a literal
 *    where the other has a wildcard wins at the first place they differ
 *    (`a1.b2..d4.e5..g7` beats `a1.b2..d4..f6.g7` for `a1.b2.c88.d4.e5.f6.g7`);
 *    patterns with the same wildcard positions: the one added first.
 *
 * @module
 */

/** WAMP match policies. */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

/** True when `v` is a known match policy. */
export function isMatchPolicy(v: unknown): v is MatchPolicy {
  return v === "exact" || v === "prefix" || v === "wildcard";
}

interface WildcardEntry<T> {
  pattern: string;
  parts: string[];
  seq: number;
  value: T;
}

/** A table of values keyed by (uri pattern, match policy). */
export class UriMatcher<T> {
  #exact = new Map<string, T>();
  #prefix = new Map<string, T>();
  /** Distinct lengths of prefix patterns, longest first. */
  #prefixLengths: number[] = [];
  /** Wildcard entries bucketed by component count. */
  #wildcard = new Map<number, WildcardEntry<T>[]>();
  #wildcardCount = 0;
  #seq = 0;

  /** Number of patterns in the table. */
  get size(): number {
    return this.#exact.size + this.#prefix.size + this.#wildcardCount;
  }

  /** The value stored for exactly this pattern and policy. */
  get(pattern: string, match: MatchPolicy): T | undefined {
    switch (match) {
      case "exact":
        return this.#exact.get(pattern);
      case "prefix":
        return this.#prefix.get(pattern);
      case "wildcard": {
        const bucket = this.#wildcard.get(countParts(pattern));
        return bucket?.find((e) => e.pattern === pattern)?.value;
      }
    }
  }

  /** Stores `value` for the pattern, replacing what was there. */
  set(pattern: string, match: MatchPolicy, value: T): void {
    switch (match) {
      case "exact":
        this.#exact.set(pattern, value);
        return;
      case "prefix":
        if (!this.#prefix.has(pattern) && !this.#prefixLengths.includes(pattern.length)) {
          this.#prefixLengths.push(pattern.length);
          this.#prefixLengths.sort((a, b) => b - a);
        }
        this.#prefix.set(pattern, value);
        return;
      case "wildcard": {
        const parts = pattern.split(".");
        let bucket = this.#wildcard.get(parts.length);
        if (!bucket) {
          bucket = [];
          this.#wildcard.set(parts.length, bucket);
        }
        const existing = bucket.find((e) => e.pattern === pattern);
        if (existing) {
          existing.value = value;
          return;
        }
        bucket.push({ pattern, parts, seq: this.#seq++, value });
        this.#wildcardCount++;
        return;
      }
    }
  }

  /** Removes the pattern; true when it was there. */
  delete(pattern: string, match: MatchPolicy): boolean {
    switch (match) {
      case "exact":
        return this.#exact.delete(pattern);
      case "prefix": {
        if (!this.#prefix.delete(pattern)) return false;
        const len = pattern.length;
        let still = false;
        for (const p of this.#prefix.keys()) {
          if (p.length === len) {
            still = true;
            break;
          }
        }
        if (!still) this.#prefixLengths = this.#prefixLengths.filter((l) => l !== len);
        return true;
      }
      case "wildcard": {
        const n = countParts(pattern);
        const bucket = this.#wildcard.get(n);
        if (!bucket) return false;
        const i = bucket.findIndex((e) => e.pattern === pattern);
        if (i < 0) return false;
        bucket.splice(i, 1);
        if (bucket.length === 0) this.#wildcard.delete(n);
        this.#wildcardCount--;
        return true;
      }
    }
  }

  /** Every value whose pattern matches `uri` (exact first, then prefixes, then wildcards). */
  matchAll(uri: string): T[] {
    const out: T[] = [];
    const exact = this.#exact.get(uri);
    if (exact !== undefined) out.push(exact);
    if (this.#prefix.size > 0) {
      for (const len of this.#prefixLengths) {
        if (len > uri.length) continue;
        const v = this.#prefix.get(len === uri.length ? uri : uri.slice(0, len));
        if (v !== undefined) out.push(v);
      }
    }
    if (this.#wildcardCount > 0) {
      const parts = uri.split(".");
      const bucket = this.#wildcard.get(parts.length);
      if (bucket) {
        for (const e of bucket) if (wildcardMatches(e.parts, parts)) out.push(e.value);
      }
    }
    return out;
  }

  /** True when at least one pattern (of any policy) is stored. */
  get hasPatterns(): boolean {
    return this.#prefix.size > 0 || this.#wildcardCount > 0;
  }

  /** The most specific value whose pattern matches `uri` (see module doc for precedence). */
  best(uri: string): T | undefined {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.#prefix.size > 0) {
      for (const len of this.#prefixLengths) {
        if (len > uri.length) continue;
        const v = this.#prefix.get(len === uri.length ? uri : uri.slice(0, len));
        if (v !== undefined) return v;
      }
    }
    if (this.#wildcardCount > 0) {
      const parts = uri.split(".");
      const bucket = this.#wildcard.get(parts.length);
      if (bucket) {
        let best: WildcardEntry<T> | undefined;
        for (const e of bucket) {
          if (!wildcardMatches(e.parts, parts)) continue;
          if (!best || moreSpecific(e, best)) best = e;
        }
        if (best) return best.value;
      }
    }
    return undefined;
  }

  /** Every stored value with its pattern and policy. */
  *entries(): IterableIterator<[string, MatchPolicy, T]> {
    for (const [k, v] of this.#exact) yield [k, "exact", v];
    for (const [k, v] of this.#prefix) yield [k, "prefix", v];
    for (const bucket of this.#wildcard.values()) {
      for (const e of bucket) yield [e.pattern, "wildcard", e.value];
    }
  }
}

function countParts(uri: string): number {
  let n = 1;
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) === 46) n++;
  return n;
}

/** True when wildcard entry `a` takes precedence over `b` (same component count). */
function moreSpecific<T>(a: WildcardEntry<T>, b: WildcardEntry<T>): boolean {
  for (let i = 0; i < a.parts.length; i++) {
    const la = a.parts[i] !== "";
    if (la !== (b.parts[i] !== "")) return la;
  }
  return a.seq < b.seq;
}

function wildcardMatches(pattern: string[], parts: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p !== "" && p !== parts[i]) return false;
  }
  return true;
}
