/**
 * The figures of the `metrics` and `nodeinfo` services when nobody hands
 * them any (an embedded router's own Web transport): the router the
 * transport serves, and this process's memory.
 *
 * @module
 */

import { Router } from "../router/router.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import { XBAR_VERSION } from "../version.ts";
import { type MetricFamily, withLabels } from "../metrics/metric_family.ts";
import { processFamilies } from "../metrics/process_collector.ts";
import { RateTracker, routerSummary } from "../metrics/node_summary.ts";
import { routerFamilies } from "../metrics/router_collector.ts";
import type { StatusSource } from "./web_service.ts";

/** This process's memory as `processFamilies` takes it. */
function memory(): Record<string, number> {
  const m = Deno.memoryUsage();
  return {
    rss: m.rss,
    heap_used: m.heapUsed,
    heap_total: m.heapTotal,
    external: m.external,
    uptime: Math.round(performance.now()) / 1000,
  };
}

/** Figures of `acceptor` (a `Router`; anything else has only process figures). */
export function localStatusSource(acceptor: SessionAcceptor): StatusSource {
  const router = acceptor instanceof Router ? acceptor : undefined;
  const started = new Date().toISOString();
  const rates = new RateTracker();
  const fallback = new Router();
  return {
    metrics(): Promise<MetricFamily[]> {
      return Promise.resolve([
        ...(router ? routerFamilies(router) : []),
        ...withLabels(processFamilies(memory()), { process: "router" }),
      ]);
    },
    summary() {
      return Promise.resolve(
        routerSummary(router ?? fallback, { version: XBAR_VERSION, started, rates }),
      );
    },
  };
}
