/**
 * Flow control settings of a transport (an xbar extension; the config's
 * `options.flow_control`, see `src/config/validate_flow_control.ts`): when a
 * connection's outbound queue passes `highWaterBytes`, the router stops
 * reading from the sessions whose messages land in it until it is back at
 * `lowWaterBytes`; a connection that stays backlogged for `stuckTimeoutMs`
 * is closed as a slow consumer, and one whose queue would pass the
 * transport's hard bound (`maxOutboundBytes`) is closed at once.
 *
 * @module
 */

import type { FlowMarks } from "./session_link.ts";
import {
  DEFAULT_HIGH_WATER_BYTES,
  DEFAULT_LOW_WATER_BYTES,
  DEFAULT_STUCK_TIMEOUT_MS,
} from "../config/defaults.ts";

export { DEFAULT_HIGH_WATER_BYTES, DEFAULT_LOW_WATER_BYTES, DEFAULT_STUCK_TIMEOUT_MS };

/** Flow control options of a transport endpoint. */
export interface FlowControlOptions {
  /**
   * Queued outbound bytes above which a connection is backlogged: the
   * sessions that feed it are paused. Default 1 MiB (or half the hard bound
   * when that is smaller). Must be below the transport's hard bound.
   */
  highWaterBytes?: number;
  /**
   * Queued bytes at or below which a backlogged connection is not any more.
   * Default 256 KiB, or half of `highWaterBytes` when that is smaller.
   */
  lowWaterBytes?: number;
  /**
   * Milliseconds a connection may stay backlogged before it is closed as a
   * slow consumer. Default 10000; 0 = never (only the hard bound).
   */
  stuckTimeoutMs?: number;
}

/** Flow control as a connection uses it. */
export interface ResolvedFlowControl {
  /** The marks, or undefined when flow control is off. */
  marks: FlowMarks | undefined;
  /** See `FlowControlOptions.stuckTimeoutMs`; 0 when off. */
  stuckTimeoutMs: number;
}

/**
 * Checks and defaults `options` against the transport's hard bound
 * (`hardBound` bytes; 0 = none). `false` turns flow control off: a slow
 * consumer is then only closed at the hard bound (xbar before flow control).
 *
 * @throws RangeError for invalid values (what, and the value)
 */
export function resolveFlowControl(
  options: FlowControlOptions | false | undefined,
  hardBound: number,
): ResolvedFlowControl {
  if (options === false) return { marks: undefined, stuckTimeoutMs: 0 };
  const o = options ?? {};
  const high = o.highWaterBytes ??
    (hardBound > 0
      ? Math.min(DEFAULT_HIGH_WATER_BYTES, Math.floor(hardBound / 2))
      : DEFAULT_HIGH_WATER_BYTES);
  const low = o.lowWaterBytes ?? Math.min(DEFAULT_LOW_WATER_BYTES, Math.floor(high / 2));
  const stuck = o.stuckTimeoutMs ?? DEFAULT_STUCK_TIMEOUT_MS;
  if (!Number.isSafeInteger(high) || high < 1) {
    throw new RangeError(`highWaterBytes must be a positive integer, got ${high}`);
  }
  if (!Number.isSafeInteger(low) || low < 0 || low >= high) {
    throw new RangeError(
      `lowWaterBytes must be at least 0 and below highWaterBytes (${high}), got ${low}`,
    );
  }
  if (hardBound > 0 && high >= hardBound) {
    throw new RangeError(
      `highWaterBytes must be below the outbound bound of ${hardBound} bytes, got ${high}`,
    );
  }
  if (!Number.isSafeInteger(stuck) || stuck < 0) {
    throw new RangeError(`stuckTimeoutMs must be an integer >= 0, got ${stuck}`);
  }
  return { marks: { highWater: high, lowWater: low }, stuckTimeoutMs: stuck };
}
