/**
 * The controller's view of the whole node for operators: the metric
 * families of one scrape (`xbar.get_metrics`) and the node summary of the
 * status page and `xbar status` (`xbar.get_summary`), gathered from every
 * running worker over the management channel (`get_metrics`,
 * `get_summary`, asked in parallel with a short timeout: a worker that does
 * not answer is reported as such, never waited for long) and from the
 * controller itself (worker states and restarts, its own process, its
 * recent warnings).
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";
import { RecentWarnings } from "../log/recent_warnings.ts";
import {
  isMetricFamilies,
  mergeFamilies,
  type MetricFamily,
  scalar,
  withLabels,
} from "../metrics/metric_family.ts";
import { processFamilies } from "../metrics/process_collector.ts";
import {
  addTotals,
  type LinkSummary,
  type NodeSummary,
  RateTracker,
  type RealmSummary,
  type SummaryWarning,
  type TransportSummary,
  type WorkerSummary,
} from "../metrics/node_summary.ts";
import { processStats } from "../worker/process_stats.ts";
import { WorkerOp, type WorkerOpName } from "../worker/management_uris.ts";
import type { ManagedWorker, WorkerState } from "./managed_worker.ts";

/** Milliseconds a worker gets to answer a scrape or summary. */
export const TELEMETRY_TIMEOUT_MS = 2000;

/** Warnings the summary carries at most. */
export const SUMMARY_WARNINGS = 20;

const STATES: WorkerState[] = [
  "starting",
  "running",
  "restarting",
  "stopping",
  "stopped",
  "failed",
];

/** Asks one worker's own operation (the controller's `#callWorker`). */
export type AskWorker = (w: ManagedWorker, op: WorkerOpName, timeoutMs: number) => Promise<unknown>;

/** What the node summary says about the node itself. */
export interface NodeFacts {
  /** Node id. */
  node: string;
  /** Node public key (hex). */
  public_key: string;
  /** xbar version. */
  version: string;
  /** When the controller started (ISO 8601). */
  started: string;
  /** running, stopping. */
  state: string;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function list(v: unknown): Dict[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === "object" && x !== null) : [];
}

/** Gathers metrics and summaries of the node. */
export class NodeTelemetry {
  /** The controller's own recent warnings (its logger records into it). */
  readonly warnings = new RecentWarnings();
  #rates = new RateTracker();
  #cpu = new Map<string, { pid: number; at: number; cpu: number; percent?: number }>();

  /** Every family of one scrape: each running worker's (labelled `worker`) and the controller's. */
  async metrics(
    facts: NodeFacts,
    workers: ManagedWorker[],
    ask: AskWorker,
  ): Promise<MetricFamily[]> {
    const running = workers.filter((w) => w.state === "running");
    const answers = await Promise.all(running.map(async (w) => {
      try {
        const v = await ask(w, WorkerOp.GET_METRICS, TELEMETRY_TIMEOUT_MS);
        return isMetricFamilies(v) ? withLabels(v, { worker: w.id }) : undefined;
      } catch {
        return undefined;
      }
    }));
    const state = scalar(
      "xbar_worker_state",
      "gauge",
      "1 for the state each worker is in, 0 for the others.",
    );
    const restarts = scalar(
      "xbar_worker_restarts",
      "counter",
      "Times the supervisor restarted the worker.",
    );
    const scraped = scalar(
      "xbar_worker_scrape_ok",
      "gauge",
      "1 when the running worker answered this scrape in time, else 0.",
    );
    for (const w of workers) {
      for (const s of STATES) {
        state.samples.push([{ worker: w.id, type: w.type, state: s }, w.state === s ? 1 : 0]);
      }
      restarts.samples.push([{ worker: w.id, type: w.type }, w.tracker.total]);
    }
    running.forEach((w, i) => scraped.samples.push([{ worker: w.id }, answers[i] ? 1 : 0]));
    const node: MetricFamily[] = [
      scalar("xbar_node_info", "gauge", "The node: its id and xbar version (always 1).", [
        [{ node: facts.node, version: facts.version }, 1],
      ]),
      scalar("xbar_node_start_time_seconds", "gauge", "When the node started (Unix time).", [
        [{}, Date.parse(facts.started) / 1000],
      ]),
      state,
      restarts,
      scraped,
      ...withLabels(processFamilies(processStats() as unknown as Dict), { process: "controller" }),
    ];
    return mergeFamilies([node, ...answers.filter((a) => a !== undefined)]);
  }

  /** The node summary: the controller's facts and every running worker's part. */
  async summary(facts: NodeFacts, workers: ManagedWorker[], ask: AskWorker): Promise<NodeSummary> {
    const answers = await Promise.all(workers.map(async (w) => {
      if (w.state !== "running") return undefined;
      try {
        const v = await ask(w, WorkerOp.GET_SUMMARY, TELEMETRY_TIMEOUT_MS);
        return typeof v === "object" && v !== null ? v as Dict : undefined;
      } catch {
        return undefined;
      }
    }));
    const at = Date.now();
    const rows: WorkerSummary[] = [
      this.#row(
        { id: "controller", type: "controller", state: facts.state, pid: Deno.pid, restarts: 0 },
        processStats() as unknown as Dict,
        at,
      ),
    ];
    const realms = new Map<string, RealmSummary>();
    const transports: TransportSummary[] = [];
    const links: LinkSummary[] = [];
    let totals = { received: 0, sent: 0, calls: 0, events: 0 };
    const warnings: SummaryWarning[] = this.warnings.list();
    workers.forEach((w, i) => {
      const info = w.info();
      const a = answers[i];
      const replica = info.replica as Dict | undefined;
      rows.push(this.#row(
        {
          id: w.id,
          type: w.type,
          state: w.state,
          restarts: w.tracker.total,
          ...(typeof info.pid === "number" ? { pid: info.pid } : {}),
          ...(replica
            ? { replica: `replica ${replica.index}/${replica.count} of ${replica.of}` }
            : {}),
        },
        a?.process as Dict | undefined,
        at,
      ));
      if (!a) return;
      for (const r of list(a.realms)) {
        const name = String(r.name);
        const x = realms.get(name) ?? { name, sessions: 0, workers: [] };
        x.sessions += num(r.sessions) ?? 0;
        x.workers.push(w.id);
        realms.set(name, x);
      }
      for (const t of list(a.transports)) {
        transports.push({ worker: w.id, type: String(t.type), address: String(t.address) });
      }
      for (const l of list(a.links)) {
        const link: LinkSummary = {
          worker: w.id,
          realm: String(l.realm),
          peer: String(l.peer),
          dialed: l.dialed === true,
          state: String(l.state),
        };
        const remote = num(l.remote_sessions);
        const queued = num(l.queued_bytes);
        if (remote !== undefined) link.remote_sessions = remote;
        if (queued !== undefined) link.queued_bytes = queued;
        links.push(link);
      }
      totals = addTotals(totals, a.totals as Dict | undefined);
      for (const x of list(a.warnings)) {
        if (typeof x.time !== "string" || typeof x.msg !== "string") continue;
        warnings.push({
          time: x.time,
          level: x.level === "error" ? "error" : "warn",
          msg: x.msg,
          fields: (typeof x.fields === "object" && x.fields !== null ? x.fields : {}) as Record<
            string,
            string | number | boolean
          >,
          worker: w.id,
        });
      }
    });
    for (const id of [...this.#cpu.keys()]) {
      if (id !== "controller" && !workers.some((w) => w.id === id)) this.#cpu.delete(id);
    }
    warnings.sort((x, y) => x.time < y.time ? -1 : x.time > y.time ? 1 : 0);
    const rates = this.#rates.add(totals, at);
    return {
      node: facts.node,
      public_key: facts.public_key,
      version: facts.version,
      started: facts.started,
      uptime: Math.round((at - Date.parse(facts.started)) / 100) / 10,
      state: facts.state,
      at,
      workers: rows,
      realms: [...realms.values()].sort((x, y) => x.name.localeCompare(y.name)),
      transports,
      links,
      totals,
      ...(rates ? { rates } : {}),
      history: this.#rates.history(),
      warnings: warnings.slice(-SUMMARY_WARNINGS),
    };
  }

  /** A worker row with its process figures and CPU use since the last summary. */
  #row(base: WorkerSummary, stats: Dict | undefined, at: number): WorkerSummary {
    const row: WorkerSummary = { ...base };
    if (!stats) return row;
    const rss = num(stats.rss);
    const heap = num(stats.heap_used);
    if (rss !== undefined) row.rss = rss;
    if (heap !== undefined) row.heap_used = heap;
    const user = num(stats.cpu_user);
    const system = num(stats.cpu_system);
    if (user === undefined && system === undefined) return row;
    const cpu = (user ?? 0) + (system ?? 0);
    row.cpu_seconds = cpu;
    const pid = num(stats.pid) ?? -1;
    const last = this.#cpu.get(base.id);
    if (last && last.pid === pid && at - last.at < 500) {
      if (last.percent !== undefined) row.cpu_percent = last.percent;
      return row;
    }
    const percent = last && last.pid === pid
      ? Math.max(0, ((cpu - last.cpu) / ((at - last.at) / 1000)) * 100)
      : undefined;
    if (percent !== undefined) row.cpu_percent = percent;
    this.#cpu.set(base.id, { pid, at, cpu, percent });
    return row;
  }
}
