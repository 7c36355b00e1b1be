/**
 * WAMP IDs: integers in [1, 2^53]. Three scopes, as the spec says: global
 * (random), router (random here too: unique per router and unguessable), and
 * session (sequential per session).
 *
 * @module
 */

/** Largest valid WAMP ID: 2^53. */
export const MAX_ID = 9007199254740992;

/** True when `v` is an integer in [1, 2^53]. */
export function isId(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= MAX_ID;
}

/** True when `v` is an integer in [0, 2^53] (request ids of router-initiated messages may be 0). */
export function isIdOrZero(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
}

const buf = new Uint32Array(256);
let pos = buf.length;

/**
 * A random ID in [1, 2^53] drawn from the platform CSPRNG (global scope:
 * session ids, publication ids).
 */
export function randomId(): number {
  if (pos + 2 > buf.length) {
    crypto.getRandomValues(buf);
    pos = 0;
  }
  const hi = buf[pos++] & 0x1fffff; // 21 bits
  const lo = buf[pos++];
  return hi * 0x100000000 + lo + 1; // [1, 2^53]
}

/**
 * Sequential IDs for session scope: 1, 2, 3, ... wrapping back to 1 after
 * 2^53.
 */
export class IdSequence {
  #next = 1;
  /** The next ID in sequence. */
  next(): number {
    const id = this.#next;
    this.#next = id >= MAX_ID ? 1 : id + 1;
    return id;
  }
}

/**
 * Random IDs that are unique among those currently in use (router scope:
 * registration and subscription ids). Call `release` when an ID is freed.
 */
export class UniqueIds {
  #used = new Set<number>();
  /** A fresh random ID not currently in use. */
  take(): number {
    let id = randomId();
    while (this.#used.has(id)) id = randomId();
    this.#used.add(id);
    return id;
  }
  /** Frees `id` for reuse. */
  release(id: number): void {
    this.#used.delete(id);
  }
}
