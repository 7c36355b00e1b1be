/**
 * Calling into the router from a transport without letting a router bug take
 * the transport (or the process) down: every transport tells its
 * `SessionHandle` about violations, overflow and close through `tellRouter`.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";

/** An error's message, or the thrown value as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `call` (one `SessionHandle` method); when it throws, logs
 * `router failed in <what>()` with the peer and the error, and goes on.
 */
export function tellRouter(logger: Logger, peer: string, what: string, call: () => void): void {
  try {
    call();
  } catch (err) {
    logger.log("error", `router failed in ${what}()`, { peer, error: errorText(err) });
  }
}
