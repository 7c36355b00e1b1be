/**
 * The node summary: what the live status page, its update stream and
 * `xbar status` show. The controller builds it from its own state and each
 * worker's `get_summary` answer (`xbar.get_summary`); an embedded router's
 * page builds a one-router version (`routerSummary`). It holds nothing
 * secret: no credentials, transport ids, headers, peer addresses or
 * identities; warnings carry only the fields `RecentWarnings` keeps.
 *
 * @module
 */

import type { RecentWarning } from "../log/recent_warnings.ts";
import type { Router } from "../router/router.ts";
import { type MessageTotals, messageTotals } from "./router_collector.ts";

/** One worker (or the controller, type `controller`). */
export interface WorkerSummary {
  /** Worker id. */
  id: string;
  /** router, container, guest. */
  type: string;
  /** Lifecycle state. */
  state: string;
  /** Process id while running. */
  pid?: number;
  /** Restarts by the supervisor. */
  restarts: number;
  /** Resident set size, bytes. */
  rss?: number;
  /** V8 heap in use, bytes. */
  heap_used?: number;
  /** CPU seconds used (user + system). */
  cpu_seconds?: number;
  /** CPU use over the last interval, percent of one core. */
  cpu_percent?: number;
  /** `replica i/N of <id>` for replicated router workers. */
  replica?: string;
}

/** One realm, over the router workers that run it. */
export interface RealmSummary {
  /** Realm name. */
  name: string;
  /** Sessions joined (each counted on its own worker). */
  sessions: number;
  /** Router workers running it. */
  workers: string[];
}

/** One listening transport (no id: ids are internal names). */
export interface TransportSummary {
  /** Worker it runs on. */
  worker: string;
  /** websocket, rawsocket, web. */
  type: string;
  /** Where it listens (`tcp4:127.0.0.1:8080`, `unix:/path`). */
  address: string;
}

/** One router link, as one side sees it. */
export interface LinkSummary {
  /** Worker reporting it. */
  worker: string;
  /** Realm. */
  realm: string;
  /** The peer router (`<node id>/<worker id>`). */
  peer: string;
  /** This worker dialed it. */
  dialed: boolean;
  /** up, connecting, backoff, down, ... */
  state: string;
  /** Sessions of the peer known here. */
  remote_sessions?: number;
  /** Bytes queued to the peer. */
  queued_bytes?: number;
}

/** Messages per second (or totals) of the whole node. */
export interface Rates {
  /** WAMP messages received. */
  received: number;
  /** WAMP messages sent. */
  sent: number;
  /** Calls routed. */
  calls: number;
  /** Events delivered. */
  events: number;
}

/** A warning with the worker that logged it (absent: the controller). */
export type SummaryWarning = RecentWarning & { worker?: string };

/** The node at a glance. */
export interface NodeSummary {
  /** Node id. */
  node: string;
  /** Node public key (hex), when there is a node. */
  public_key?: string;
  /** xbar version. */
  version: string;
  /** When the node started (ISO 8601). */
  started: string;
  /** Seconds since it started. */
  uptime: number;
  /** running, stopping. */
  state: string;
  /** When this summary was made (ms since the epoch). */
  at: number;
  /** The controller and every worker. */
  workers: WorkerSummary[];
  /** Realms with session counts. */
  realms: RealmSummary[];
  /** Listening transports. */
  transports: TransportSummary[];
  /** Router links. */
  links: LinkSummary[];
  /** Totals since start (workers that restarted start again from 0). */
  totals: Rates;
  /** Per second over the last interval (absent until there are two samples close enough). */
  rates?: Rates;
  /** Recent rates: `[ms since the epoch, received/s, sent/s, calls/s, events/s]`, oldest first. */
  history: [number, number, number, number, number][];
  /** Newest warnings and errors, oldest first. */
  warnings: SummaryWarning[];
}

/** Samples kept for `history`. */
export const HISTORY_POINTS = 60;

/**
 * Turns successive totals into rates: `add(totals, at)` records a sample
 * (at most one a second) and returns the rate over the interval since the
 * previous one (none when it is older than `maxGapMs`, or a counter went
 * down: a worker restarted).
 */
export class RateTracker {
  #last: { at: number; totals: Rates } | undefined;
  #rates: Rates | undefined;
  #history: [number, number, number, number, number][] = [];
  #maxGapMs: number;

  /** @param maxGapMs the longest interval a rate is computed over (default 60 s) */
  constructor(maxGapMs = 60_000) {
    this.#maxGapMs = maxGapMs;
  }

  /** Records `totals` at `at` (ms); returns the current rates, if known. */
  add(totals: Rates, at: number): Rates | undefined {
    const last = this.#last;
    if (last && at - last.at < 1000) return this.#rates;
    this.#last = { at, totals: { ...totals } };
    if (!last || at - last.at > this.#maxGapMs) {
      this.#rates = undefined;
      return undefined;
    }
    const dt = (at - last.at) / 1000;
    const rate = (k: keyof Rates) => Math.max(0, (totals[k] - last.totals[k]) / dt);
    const r: Rates = {
      received: rate("received"),
      sent: rate("sent"),
      calls: rate("calls"),
      events: rate("events"),
    };
    this.#rates = r;
    this.#history.push([at, r.received, r.sent, r.calls, r.events]);
    if (this.#history.length > HISTORY_POINTS) this.#history.shift();
    return r;
  }

  /** The recorded rates, oldest first (a copy). */
  history(): [number, number, number, number, number][] {
    return this.#history.map((h) => [...h] as [number, number, number, number, number]);
  }
}

/** Adds two sets of totals. */
export function addTotals(a: Rates, b: Partial<MessageTotals> | undefined): Rates {
  const n = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : 0;
  return {
    received: a.received + n(b?.received),
    sent: a.sent + n(b?.sent),
    calls: a.calls + n(b?.calls),
    events: a.events + n(b?.events),
  };
}

/** Options of `routerSummary`. */
export interface RouterSummaryOptions {
  /** Node id shown. Default "xbar". */
  node?: string;
  /** Version shown. */
  version: string;
  /** When the router started (ISO 8601). */
  started: string;
  /** Rates over successive summaries. */
  rates: RateTracker;
}

/**
 * The summary of one embedded router (no node: no workers, links or
 * warnings): realms with their sessions, totals and rates.
 */
export function routerSummary(router: Router, options: RouterSummaryOptions): NodeSummary {
  const at = Date.now();
  const totals = messageTotals(router);
  const realms: RealmSummary[] = [];
  for (const r of router.realms()) {
    let sessions = 0;
    for (const s of r.sessions.values()) if (!s.link) sessions++;
    realms.push({ name: r.name, sessions, workers: [] });
  }
  const rates = options.rates.add(totals, at);
  return {
    node: options.node ?? "xbar",
    version: options.version,
    started: options.started,
    uptime: Math.round((at - Date.parse(options.started)) / 100) / 10,
    state: "running",
    at,
    workers: [],
    realms,
    transports: [],
    links: [],
    totals,
    ...(rates ? { rates } : {}),
    history: options.rates.history(),
    warnings: [],
  };
}
