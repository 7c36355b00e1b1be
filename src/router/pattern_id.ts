/**
 * Registration and subscription ids derived from what they stand for: the
 * realm, the match policy and the URI pattern. Every router computes the same
 * id for the same (realm, match, uri), so routers joined by links report the
 * same registration and subscription ids to their clients and in the meta API
 * without asking each other.
 *
 * The id is a 53-bit hash in [1, 2^53]. Two different patterns with the same
 * hash on one router (about one chance in 10^5 with a million live patterns)
 * are told apart by probing: the later one takes the hash of its key with an
 * attempt number, so ids stay unique among live ones.
 *
 * @module
 */

import type { MatchPolicy } from "./matcher.ts";

/** FNV-1a over UTF-16 code units with a seed, finished with a murmur3-style mix. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The id a pattern gets (attempt 0), or its `attempt`-th alternative on a collision. */
export function patternId(realm: string, match: MatchPolicy, uri: string, attempt = 0): number {
  const key = `${realm}\u0000${match}\u0000${uri}\u0000${attempt}`;
  const hi = hash32(key, 0x9e3779b9) & 0x1fffff; // 21 bits
  const lo = hash32(key, 0x7f4a7c15); // 32 bits
  return hi * 0x100000000 + lo + 1; // [1, 2^53]
}

/** Ids of the live patterns of one table (a broker's or a dealer's). */
export class PatternIds {
  #realm: string;
  #used = new Map<number, string>();

  /** @param realm the realm the patterns belong to (part of every id) */
  constructor(realm: string) {
    this.#realm = realm;
  }

  /** The id for (match, uri), unique among live ones; the same on every router. */
  take(match: MatchPolicy, uri: string): number {
    const key = `${match}\u0000${uri}`;
    for (let attempt = 0;; attempt++) {
      const id = patternId(this.#realm, match, uri, attempt);
      const owner = this.#used.get(id);
      if (owner === undefined) {
        this.#used.set(id, key);
        return id;
      }
      if (owner === key) return id;
    }
  }

  /** Frees `id`. */
  release(id: number): void {
    this.#used.delete(id);
  }
}
