/**
 * Replay protection of signed HTTP bridge requests: the nonces of accepted
 * requests are remembered for as long as their timestamp is inside the
 * window (`timestampDeltaLimit`), so a captured request sent again within
 * the window is refused; outside the window the timestamp check refuses it.
 *
 * Memory is bounded: at most `maxEntries` nonces are held (expired ones are
 * swept out first); when that many are live, new signed requests are
 * refused (503) rather than forgetting a nonce that could then be replayed.
 * Only holders of the secret can add entries.
 *
 * @module
 */

/** Default `maxEntries`. */
export const DEFAULT_REPLAY_CACHE_SIZE = 100_000;

/** What `NonceCache.admit` decided. */
export type NonceCheck = "fresh" | "replayed" | "full";

/** The nonces seen within the timestamp window. */
export class NonceCache {
  #windowMs: number;
  #max: number;
  /** nonce → when it may be forgotten (its timestamp + the window). */
  #seen = new Map<string, number>();
  #nextSweep = 0;

  /**
   * @param windowMs how far a timestamp may be from now (the timestamp check's limit)
   * @param maxEntries most nonces held at once
   */
  constructor(windowMs: number, maxEntries: number = DEFAULT_REPLAY_CACHE_SIZE) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError(`replay window: must be a positive number of ms, got ${windowMs}`);
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new RangeError(`replayCacheSize: must be a positive integer, got ${maxEntries}`);
    }
    this.#windowMs = windowMs;
    this.#max = maxEntries;
  }

  /** Nonces held now. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Records `nonce` of a request stamped `timestampMs` (already checked to be
   * within the window of `now`): "fresh" the first time, "replayed" when it
   * is still remembered, "full" when no more can be remembered.
   */
  admit(nonce: string, timestampMs: number, now: number = Date.now()): NonceCheck {
    const until = this.#seen.get(nonce);
    if (until !== undefined && until >= now) return "replayed";
    if (this.#seen.size >= this.#max || now >= this.#nextSweep) this.#sweep(now);
    if (this.#seen.size >= this.#max) return "full";
    this.#seen.set(nonce, timestampMs + this.#windowMs);
    return "fresh";
  }

  #sweep(now: number): void {
    for (const [nonce, until] of this.#seen) if (until < now) this.#seen.delete(nonce);
    this.#nextSweep = now + Math.min(this.#windowMs, 60_000);
  }
}
