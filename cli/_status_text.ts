/**
 * The text of `xbar status` for a running node: the same summary as the
 * node's status page (node, rates, workers with pid/state/restarts/RSS/CPU
 * and their links, realms with sessions, transports, recent warnings).
 *
 * @module
 */

import type { Dict } from "../src/wamp/messages.ts";
import type { NodeSummary, WorkerSummary } from "../src/metrics/node_summary.ts";
import { formatBytes, formatRate, formatUptime } from "../src/metrics/format.ts";

/** One line for a router link: realm, peer, who dialed, state, remote sessions, queued bytes. */
export function describeLink(l: Dict): string {
  const up = l.state === "up";
  return `link ${l.realm} ${l.dialed ? "->" : "<-"} ${l.peer}: ${l.state}` +
    (up
      ? `${l.synced === false ? " (syncing)" : ""}, ${l.remote_sessions} remote session${
        l.remote_sessions === 1 ? "" : "s"
      }, ${l.queued_bytes} bytes queued`
      : l.last_error
      ? ` (${l.last_error})`
      : "");
}

function resources(s: WorkerSummary | undefined): string {
  if (!s) return "";
  const parts: string[] = [];
  if (s.rss !== undefined) parts.push(`rss ${formatBytes(s.rss)}`);
  if (s.cpu_seconds !== undefined) {
    parts.push(
      `cpu ${s.cpu_seconds.toFixed(1)} s` +
        (s.cpu_percent === undefined ? "" : ` (${s.cpu_percent.toFixed(0)} %)`),
    );
  }
  return parts.length === 0 ? "" : `, ${parts.join(", ")}`;
}

/**
 * The lines of `xbar status`: from `xbar.get_status`, `xbar.get_workers`
 * (each router worker with its `links`) and, when the node has it,
 * `xbar.get_summary`.
 */
export function statusLines(status: Dict, workers: Dict[], summary?: NodeSummary): string[] {
  const out: string[] = [];
  const uptime = typeof status.uptime === "number" ? formatUptime(status.uptime) : "?";
  out.push(
    `running: node ${status.node} (pid ${status.pid}), up ${uptime}, xbar ${status.version}`,
  );
  if (status.public_key) out.push(`public key: ${status.public_key}`);
  out.push(`directory: ${status.directory}`);
  out.push(`config: ${status.config}`);
  if (summary) {
    const r = summary.rates;
    out.push(
      `rates: ${formatRate(r?.received)} msg/s in, ${formatRate(r?.sent)} out, ` +
        `${formatRate(r?.calls)} calls/s, ${formatRate(r?.events)} events/s ` +
        `(since start: ${summary.totals.received} in, ${summary.totals.sent} out, ` +
        `${summary.totals.calls} calls, ${summary.totals.events} events)`,
    );
    const controller = summary.workers.find((w) => w.type === "controller");
    if (controller) out.push(`controller: pid ${status.pid}${resources(controller)}`);
  }
  out.push(`workers: ${workers.length}`);
  for (const w of workers) {
    const exit = w.last_exit as Dict | undefined;
    const replica = w.replica as Dict | undefined;
    const s = summary?.workers.find((x) => x.id === w.id && x.type !== "controller");
    out.push(
      `  ${String(w.id).padEnd(12)} ${String(w.type).padEnd(9)} ${String(w.state).padEnd(10)}` +
        `${w.pid ? ` pid ${w.pid}` : ""} restarts ${w.restarts}` +
        (replica ? `, replica ${replica.index}/${replica.count} of ${replica.of}` : "") +
        resources(s) +
        (exit
          ? `, last exit ${
            exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`
          } at ${exit.at}`
          : ""),
    );
    for (const l of (w.links ?? []) as Dict[]) out.push(`      ${describeLink(l)}`);
  }
  if (!summary) return out;
  out.push(`realms: ${summary.realms.length}`);
  for (const r of summary.realms) {
    out.push(
      `  ${r.name.padEnd(20)} ${r.sessions} session${r.sessions === 1 ? "" : "s"}` +
        (r.workers.length > 0 ? ` (${r.workers.join(", ")})` : ""),
    );
  }
  out.push(`transports: ${summary.transports.length}`);
  for (const t of summary.transports) {
    out.push(`  ${t.worker.padEnd(12)} ${t.type.padEnd(9)} ${t.address}`);
  }
  out.push(`recent warnings: ${summary.warnings.length}`);
  for (const w of summary.warnings.slice(-10)) {
    const fields = Object.entries(w.fields).map(([k, v]) => ` ${k}=${v}`).join("");
    out.push(`  ${w.time} ${w.worker ?? "controller"} ${w.level.toUpperCase()} ${w.msg}${fields}`);
  }
  return out;
}
