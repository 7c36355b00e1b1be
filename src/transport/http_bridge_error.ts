/**
 * How the HTTP bridges answer failures: always a JSON body
 * `{"error": uri, "args": [...], "kwargs": {...}}` (Crossbar's shape), with
 * an HTTP status that says what kind of failure it was.
 *
 * | error URI | status |
 * |---|---|
 * | `wamp.error.invalid_argument`, `wamp.error.invalid_uri`, `wamp.error.option_not_allowed`, `wamp.error.option_disallowed.*` | 400 |
 * | `wamp.error.not_authorized`, `wamp.error.authorization_failed` | 403 |
 * | `wamp.error.no_such_procedure`, `wamp.error.no_such_registration`, `wamp.error.no_such_subscription` | 404 |
 * | `wamp.error.payload_size_exceeded` | 413 |
 * | `wamp.error.feature_not_supported` | 501 |
 * | `wamp.error.no_eligible_callee`, `wamp.error.unavailable`, `wamp.error.no_such_realm`, `wamp.error.no_such_role`, the bridge session lost | 503 |
 * | `wamp.error.timeout` | 504 |
 * | `wamp.error.runtime_error`, `wamp.error.canceled`, and any application-defined URI | 500 |
 *
 * Crossbar answers 200 to every WAMP error; xbar's statuses let a plain HTTP
 * client tell success from failure without reading the body. The body is
 * the same.
 *
 * @module
 */

import { ApplicationError } from "../wamp/errors.ts";
import type { Dict, List } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { encodeJson } from "../serializer/json.ts";
import { SessionClosedError } from "../client/session_closed_error.ts";
import { jsonResponse } from "./web_http.ts";

const STATUS: Readonly<Record<string, number>> = {
  [ErrorUri.INVALID_ARGUMENT]: 400,
  [ErrorUri.INVALID_URI]: 400,
  [ErrorUri.OPTION_NOT_ALLOWED]: 400,
  [ErrorUri.NOT_AUTHORIZED]: 403,
  [ErrorUri.AUTHORIZATION_FAILED]: 403,
  [ErrorUri.NO_SUCH_PROCEDURE]: 404,
  [ErrorUri.NO_SUCH_REGISTRATION]: 404,
  [ErrorUri.NO_SUCH_SUBSCRIPTION]: 404,
  [ErrorUri.PAYLOAD_SIZE_EXCEEDED]: 413,
  [ErrorUri.FEATURE_NOT_SUPPORTED]: 501,
  [ErrorUri.NO_ELIGIBLE_CALLEE]: 503,
  [ErrorUri.UNAVAILABLE]: 503,
  [ErrorUri.NO_SUCH_REALM]: 503,
  [ErrorUri.NO_SUCH_ROLE]: 503,
  [ErrorUri.TIMEOUT]: 504,
};

/** The HTTP status for a WAMP error URI (see the table above). */
export function statusOfErrorUri(uri: string): number {
  const status = STATUS[uri];
  if (status !== undefined) return status;
  if (uri.startsWith("wamp.error.option_disallowed.")) return 400;
  return 500;
}

/** The JSON error body: `{"error": uri, "args": [...], "kwargs": {...}}`. */
export function errorBody(uri: string, args: List = [], kwargs: Dict = {}): string {
  try {
    return encodeJson({ error: uri, args, kwargs });
  } catch {
    return JSON.stringify({
      error: uri,
      args: ["the error payload cannot be encoded as JSON"],
      kwargs: {},
    });
  }
}

/** An error answer with `status`, the bridge's `uri` and a human-readable `message` as `args[0]`. */
export function bridgeError(
  status: number,
  uri: string,
  message: string,
  headers?: Headers,
): Response {
  return jsonResponse(status, errorBody(uri, [message]), headers);
}

/**
 * The answer for a failed call or publication: an `ApplicationError` keeps
 * its URI and payload; a lost bridge session is 503 `wamp.error.unavailable`;
 * anything else is 500 `wamp.error.runtime_error` (details are logged, not sent).
 */
export function responseForError(err: unknown, headers?: Headers): Response {
  if (err instanceof ApplicationError) {
    return jsonResponse(
      statusOfErrorUri(err.uri),
      errorBody(err.uri, err.args ?? [], err.kwargs ?? {}),
      headers,
    );
  }
  if (err instanceof SessionClosedError) {
    return bridgeError(
      503,
      ErrorUri.UNAVAILABLE,
      `the bridge's session to the router ended (${err.reason}); try again`,
      headers,
    );
  }
  return bridgeError(
    500,
    ErrorUri.RUNTIME_ERROR,
    "the bridge encountered an internal error",
    headers,
  );
}
