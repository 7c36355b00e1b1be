/**
 * `options.flow_control` (an xbar extension; Crossbar has no names for it)
 * of listening WebSocket and RawSocket transports, WebSocket services and
 * long-poll services. See {@link FlowControlConfig}.
 *
 * ```yaml
 * options:
 *   flow_control:
 *     high_water_bytes: 1048576
 *     low_water_bytes: 262144
 *     max_queue_bytes: 4194304
 *     stuck_timeout_ms: 10000
 * ```
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_QUEUE_BYTES } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { FlowControlConfig } from "./types.ts";

/** Where the flow control is read. */
export interface FlowControlPlace {
  /**
   * The hard bound is another option (long-poll: `queue_limit_bytes`, given
   * here); `max_queue_bytes` is then refused.
   */
  queueLimit?: { bytes: number; key: string };
}

/** Reads `flow_control`; undefined when absent (the transport's defaults apply). */
export function checkFlowControl(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  place: FlowControlPlace = {},
): FlowControlConfig | undefined {
  const keys = ["enabled", "high_water_bytes", "low_water_bytes", "stuck_timeout_ms"];
  const o = c.object(path, v, {
    optional: place.queueLimit ? keys : [...keys, "max_queue_bytes"],
    hints: place.queueLimit
      ? { max_queue_bytes: `the long-poll queue's bound is "${place.queueLimit.key}"` }
      : undefined,
  });
  if (!o) return undefined;
  const p = (k: string) => [...path, k];
  const bytes = (k: string) => c.integer(p(k), o[k], { min: 1, max: 2 ** 40 });
  const out: FlowControlConfig = { enabled: c.boolean(p("enabled"), o.enabled) ?? true };
  const high = bytes("high_water_bytes");
  const low = c.integer(p("low_water_bytes"), o.low_water_bytes, { min: 0, max: 2 ** 40 });
  const max = place.queueLimit ? undefined : bytes("max_queue_bytes");
  const stuck = c.integer(p("stuck_timeout_ms"), o.stuck_timeout_ms, {
    min: 0,
    max: 24 * 3600 * 1000,
  });
  if (high !== undefined) out.high_water_bytes = high;
  if (low !== undefined) out.low_water_bytes = low;
  if (max !== undefined) out.max_queue_bytes = max;
  if (stuck !== undefined) out.stuck_timeout_ms = stuck;
  // The marks must nest below the bound, as the transport applies them.
  const bound = place.queueLimit?.bytes ?? max ?? DEFAULT_MAX_QUEUE_BYTES;
  const boundName = place.queueLimit
    ? `"${place.queueLimit.key}" (${bound})`
    : max !== undefined
    ? `max_queue_bytes (${bound})`
    : `the default max_queue_bytes (${bound})`;
  const effHigh = high ?? Math.min(DEFAULT_HIGH_WATER_BYTES, Math.floor(bound / 2));
  if (high !== undefined && high >= bound) {
    c.error(p("high_water_bytes"), `must be below ${boundName}, got ${high}`);
  } else if (low !== undefined && low >= effHigh) {
    c.error(
      p("low_water_bytes"),
      `must be below ${
        high !== undefined ? "high_water_bytes" : "the default high_water_bytes"
      } (${effHigh}), got ${low}`,
    );
  }
  return out;
}
