/**
 * Restart decisions for a supervised worker (xbar's `options.restart`, see
 * `RestartPolicy` in `src/config/types.ts`). Pure logic, no timers: the
 * controller asks after each exit and waits the delay itself.
 *
 * @module
 */

import type { RestartPolicy } from "../config/types.ts";

/** How a process ended. */
export interface ExitInfo {
  /** Exit code (meaningless when `signal` is set). */
  code: number;
  /** The signal that killed it, if any. */
  signal: string | null;
}

/** What to do after an exit. */
export type RestartDecision =
  | {
    /** Restart after `delayMs`. */
    action: "restart";
    /** Milliseconds to wait. */
    delayMs: number;
    /** Which restart this is within the window (1-based). */
    attempt: number;
  }
  | {
    /** Leave the worker stopped. */
    action: "stop";
    /** Why, for the log. */
    reason: string;
  };

/** True when the exit counts as a failure (non-zero code or a signal). */
export function isFailure(exit: ExitInfo): boolean {
  return exit.signal !== null || exit.code !== 0;
}

/** Describes an exit for logs: `exit code 3`, `signal SIGKILL`. */
export function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** Applies a `RestartPolicy` to the exits of one worker. */
export class RestartTracker {
  #policy: RestartPolicy;
  #restarts: number[] = [];

  /** @param policy the worker's restart policy */
  constructor(policy: RestartPolicy) {
    this.#policy = policy;
  }

  /** Restarts within the current window (as of `now`). */
  restartsInWindow(now: number = Date.now()): number {
    this.#prune(now);
    return this.#restarts.length;
  }

  /** Total restarts so far. */
  total = 0;

  /** Decides what to do after `exit` at time `now` (ms); records the restart when it says restart. */
  onExit(exit: ExitInfo, now: number = Date.now()): RestartDecision {
    const p = this.#policy;
    if (p.policy === "never") return { action: "stop", reason: "restart policy is never" };
    if (p.policy === "on-failure" && !isFailure(exit)) {
      return { action: "stop", reason: "it exited cleanly and the restart policy is on-failure" };
    }
    this.#prune(now);
    if (this.#restarts.length >= p.max_restarts) {
      return {
        action: "stop",
        reason:
          `it was restarted ${this.#restarts.length} times within ${p.window} ms (max_restarts ${p.max_restarts})`,
      };
    }
    const attempt = this.#restarts.length + 1;
    const delayMs = Math.min(p.initial_delay * p.multiplier ** (attempt - 1), p.max_delay);
    this.#restarts.push(now);
    this.total++;
    return { action: "restart", delayMs: Math.round(delayMs), attempt };
  }

  #prune(now: number): void {
    const from = now - this.#policy.window;
    while (this.#restarts.length > 0 && this.#restarts[0] <= from) this.#restarts.shift();
  }
}
