/**
 * The error every outstanding request of a session rejects with when the
 * session ends (GOODBYE, ABORT or lost transport), and that new requests on a
 * closed session reject with.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";

/** The session is over: the request can no longer be answered. */
export class SessionClosedError extends Error {
  /** Why the session ended: the GOODBYE/ABORT reason URI, or `xbar.close.transport_lost`. */
  readonly reason: string;
  /** GOODBYE/ABORT details (`message` holds a human-readable text when known). */
  readonly details: Dict;

  /**
   * Builds the error; its message names the reason and the details' `message`.
   * @param reason the close reason URI
   * @param details close details
   */
  constructor(reason: string, details: Dict = {}) {
    const text = typeof details.message === "string" ? ` (${details.message})` : "";
    super(`session closed: ${reason}${text}`);
    this.name = "SessionClosedError";
    this.reason = reason;
    this.details = details;
  }
}
