/**
 * Turns a WAMP ERROR message into the `ApplicationError` a request rejects
 * with.
 *
 * @module
 */

import { ApplicationError } from "../wamp/errors.ts";
import type { ErrorMsg } from "../wamp/messages.ts";

/** The `ApplicationError` for an ERROR message: its URI, args and kwargs. */
export function errorFrom(msg: ErrorMsg): ApplicationError {
  const uri = msg[4];
  const args = msg[5];
  const kwargs = msg[6];
  if (args === undefined) return new ApplicationError(uri, { kwargs });
  const first = args[0];
  const message = typeof first === "string" ? `${uri}: ${first}` : uri;
  return new ApplicationError(uri, { message, args, kwargs });
}
