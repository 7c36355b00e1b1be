/**
 * A promise with its resolve and reject functions, for request/response
 * bookkeeping keyed by request id.
 *
 * @module
 */

/** A promise together with the functions that settle it. */
export class Deferred<T> {
  /** The promise. */
  readonly promise: Promise<T>;
  /** Fulfils `promise`. */
  resolve!: (value: T) => void;
  /** Rejects `promise`. */
  reject!: (reason: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** True when `v` looks like a promise (has a callable `then`). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" &&
    typeof (v as { then?: unknown }).then === "function";
}
