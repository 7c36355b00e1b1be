/**
 * One process's statistics (`src/worker/process_stats.ts`, as every worker
 * answers `get_process_stats`) as metric families; the controller labels
 * them with `worker` and `type` (`type="controller"` for itself).
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";
import { type MetricFamily, scalar } from "./metric_family.ts";

function n(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Families of one process from its statistics (`rss`, `heap_used`, `cpu_user`, ...). */
export function processFamilies(stats: Dict): MetricFamily[] {
  const out: MetricFamily[] = [];
  const gauge = (name: string, help: string, v: unknown) => {
    const x = n(v);
    if (x !== undefined) out.push(scalar(name, "gauge", help, [[{}, x]]));
  };
  gauge("xbar_process_resident_memory_bytes", "Resident set size of the process.", stats.rss);
  gauge("xbar_process_heap_used_bytes", "V8 heap in use.", stats.heap_used);
  gauge("xbar_process_heap_total_bytes", "V8 heap allocated.", stats.heap_total);
  gauge(
    "xbar_process_external_memory_bytes",
    "Memory outside the V8 heap (buffers).",
    stats.external,
  );
  gauge("xbar_process_open_fds", "Open file descriptors.", stats.fds);
  const counter = (name: string, help: string, v: unknown) => {
    const x = n(v);
    if (x !== undefined) out.push(scalar(name, "counter", help, [[{}, x]]));
  };
  counter(
    "xbar_process_memory_trims",
    "Times the process gave freed memory back to the OS after a burst (glibc malloc_trim).",
    stats.memory_trims,
  );
  counter(
    "xbar_process_memory_returned_bytes",
    "Bytes those trims took off the resident set size.",
    stats.memory_returned,
  );
  gauge("xbar_process_uptime_seconds", "Seconds since the process started.", stats.uptime);
  const user = n(stats.cpu_user);
  const system = n(stats.cpu_system);
  if (user !== undefined || system !== undefined) {
    const cpu = scalar(
      "xbar_process_cpu_seconds",
      "counter",
      "CPU time of the process, by mode (user, system).",
    );
    if (user !== undefined) cpu.samples.push([{ mode: "user" }, user]);
    if (system !== undefined) cpu.samples.push([{ mode: "system" }, system]);
    out.push(cpu);
  }
  return out;
}
