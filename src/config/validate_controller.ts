/**
 * The node controller section.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { ID, ID_TEXT } from "./_patterns.ts";
import { DEFAULT_CONTROLLER_OPTIONS } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { ControllerConfig, ShutdownTrigger } from "./types.ts";
import { MANHOLE } from "./unsupported.ts";

const TRIGGERS = [
  "shutdown_on_shutdown_requested",
  "shutdown_on_worker_exit",
  "shutdown_on_worker_exit_with_error",
  "shutdown_on_last_worker_exit",
] as const;

/** Reads `controller` (absent = all defaults). */
export function checkController(c: Checker, path: ConfigPath, v: unknown): ControllerConfig {
  const out: ControllerConfig = {
    options: { ...DEFAULT_CONTROLLER_OPTIONS, shutdown: [...DEFAULT_CONTROLLER_OPTIONS.shutdown] },
  };
  const o = c.object(path, v, {
    optional: ["id", "options", "extra"],
    unsupported: {
      manhole: MANHOLE,
      connections: "database connection pools",
      fabric: "the Crossbar.io Fabric management uplink",
    },
  });
  if (!o) return out;
  const id = c.string([...path, "id"], o.id, { pattern: ID, patternName: ID_TEXT });
  if (id !== undefined) out.id = id;
  if (o.extra !== undefined) out.extra = o.extra;
  const op = (k: string) => [...path, "options", k];
  const opts = c.object([...path, "options"], o.options, {
    optional: ["title", "shutdown", "enable_parallel_worker_start", "management_max_connections"],
  });
  if (!opts) return out;
  out.options.title = c.string(op("title"), opts.title, { nonEmpty: true }) ?? out.options.title;
  if (typeof opts.shutdown === "string") {
    const t = c.oneOf(op("shutdown"), opts.shutdown, TRIGGERS);
    if (t) out.options.shutdown = [t];
  } else if (opts.shutdown !== undefined) {
    const list = c.list(op("shutdown"), opts.shutdown);
    if (list) {
      const triggers: ShutdownTrigger[] = [];
      list.forEach((item, i) => {
        const t = c.oneOf([...path, "options", "shutdown", i], item ?? null, TRIGGERS);
        if (t && !triggers.includes(t)) triggers.push(t);
      });
      out.options.shutdown = triggers;
    }
  }
  out.options.enable_parallel_worker_start =
    c.boolean(op("enable_parallel_worker_start"), opts.enable_parallel_worker_start) ??
      out.options.enable_parallel_worker_start;
  out.options.management_max_connections = c.integer(
    op("management_max_connections"),
    opts.management_max_connections,
    { min: 0 },
  ) ?? out.options.management_max_connections;
  return out;
}
