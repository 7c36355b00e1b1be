/**
 * The HTTP bridge caller (Crossbar's `caller` web service): `POST` a JSON
 * object, the bridge calls a WAMP procedure, the answer is the result.
 *
 * ```sh
 * curl -H 'content-type: application/json' \
 *   -d '{"procedure": "com.example.add2", "args": [1, 2]}' http://127.0.0.1:8080/call
 * # {"args":[3],"kwargs":{}}
 * ```
 *
 * Body: `procedure` (a URI, required), `args` (a list), `kwargs` (an
 * object), `options` (an object; `timeout` in milliseconds is the only
 * option); `null` counts as absent, any other key is refused (400). The
 * answer is 200 `{"args": [...], "kwargs": {...}}`; a failed call answers
 * `{"error": uri, "args", "kwargs"}` with a status from its URI (see
 * `http_bridge_error.ts`). When the HTTP client goes away before the result,
 * the call is cancelled (`killnowait`).
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import {
  type BridgeAcceptor,
  describe,
  HttpBridge,
  type HttpBridgeOptions,
  unknownKeys,
} from "./http_bridge.ts";
import { type BodyCheck, validateBridgeBody } from "./http_bridge_body.ts";

/** Options of a caller bridge. */
export interface CallerBridgeOptions extends HttpBridgeOptions {
  /**
   * Milliseconds after which a call fails with `wamp.error.timeout` (504)
   * when the body gives no `options.timeout`. Default 0: no timeout.
   */
  callTimeout?: number;
}

/** One validated call request. */
export interface BridgeCall {
  /** The procedure URI. */
  procedure: string;
  /** Positional arguments. */
  args: List;
  /** Keyword arguments. */
  kwargs: Dict;
  /** Call timeout in milliseconds; 0 = none. */
  timeout: number;
}

/** Checks a caller request body. */
export function validateCall(body: Dict, defaultTimeout = 0): BodyCheck<BridgeCall> {
  const checked = validateBridgeBody(body, {
    uriKey: "procedure",
    what: "call",
    example: `{"procedure": "com.example.add2", "args": [1, 2]}`,
  });
  if (!checked.ok) return checked;
  const { uri: procedure, args, kwargs, options } = checked.value;
  let timeout = defaultTimeout;
  if (options !== undefined) {
    const bad = unknownKeys(options, ["timeout"]);
    if (bad.length > 0) {
      return {
        ok: false,
        reason: `unknown call option ${JSON.stringify(bad[0])}: the only option is "timeout"`,
      };
    }
    if (options.timeout !== undefined && options.timeout !== null) {
      if (
        typeof options.timeout !== "number" || !Number.isFinite(options.timeout) ||
        options.timeout < 0
      ) {
        return {
          ok: false,
          reason: `"options.timeout" must be a number of milliseconds >= 0, got ${
            describe(options.timeout)
          }`,
        };
      }
      timeout = options.timeout;
    }
  }
  return { ok: true, value: { procedure, args, kwargs, timeout } };
}

/**
 * Creates a caller bridge on `acceptor` (the router). Call `start()` to join
 * its session up front (it joins on the first request otherwise), `handle()`
 * per request, `close()` on shutdown. Throws `RangeError` for invalid options.
 */
export function createCallerBridge(
  acceptor: BridgeAcceptor,
  options: CallerBridgeOptions,
): HttpBridge<BridgeCall> {
  const callTimeout = options.callTimeout ?? 0;
  if (!Number.isFinite(callTimeout) || callTimeout < 0) {
    throw new RangeError(
      `callTimeout: must be 0 (none) or a positive number of milliseconds, got ${callTimeout}`,
    );
  }
  return new HttpBridge<BridgeCall>(acceptor, {
    kind: "caller",
    validate: (body) => validateCall(body, callTimeout),
    async run(session, call, req) {
      const result = await session.call(call.procedure, call.args, call.kwargs, {
        timeout: call.timeout > 0 ? call.timeout : undefined,
        signal: req.signal,
        cancelMode: "killnowait",
      });
      return { args: result.args, kwargs: result.kwargs };
    },
  }, options);
}
