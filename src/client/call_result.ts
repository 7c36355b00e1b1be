/**
 * The result of a call, and what a procedure handler returns to send more
 * than one positional value or keyword results.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";

/**
 * Positional and keyword results of a call.
 *
 * `Session.call()` resolves to one. A procedure handler returns one to control
 * the YIELD payload exactly: `return new CallResult([1, 2], {total: 3})`
 * (any other return value `v` is sent as `[v]`, `undefined` as no payload).
 */
export class CallResult {
  /** Positional results (`[]` when none). */
  readonly args: List;
  /** Keyword results (`{}` when none). */
  readonly kwargs: Dict;
  /** RESULT details from the router (`{}` for a handler's own result). */
  readonly details: Dict;

  /**
   * A result with the given payload.
   * @param args positional results (default `[]`)
   * @param kwargs keyword results (default `{}`)
   * @param details RESULT details (default `{}`)
   */
  constructor(args: List = [], kwargs: Dict = {}, details: Dict = {}) {
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }
}
