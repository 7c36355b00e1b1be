/**
 * The `metrics` web service (an xbar extension of Crossbar's web services):
 * `GET` answers the Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 * `Accept` header asks for it (as Prometheus does). On a node the figures
 * are the whole node's (the router worker asks its controller), so a scrape
 * that lands on any worker sharing a port is complete.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { contentTypeOf, formatMetrics, negotiateFormat } from "../metrics/exposition.ts";
import type { MetricFamily } from "../metrics/metric_family.ts";
import { errorText } from "./router_call.ts";
import { discard, methodNotAllowed, textResponse } from "./web_http.ts";

/** Answers one request for the metrics of `metrics()`. */
export async function metricsResponse(
  req: Request,
  metrics: () => Promise<MetricFamily[]>,
  logger: Logger,
): Promise<Response> {
  await discard(req);
  if (req.method !== "GET" && req.method !== "HEAD") {
    return methodNotAllowed(req, "GET, HEAD");
  }
  let families: MetricFamily[];
  try {
    families = await metrics();
  } catch (err) {
    logger.log("warn", "metrics scrape failed", { error: errorText(err) });
    return textResponse(503, `metrics unavailable: ${errorText(err)}`);
  }
  const format = negotiateFormat(req.headers.get("accept"));
  const body = formatMetrics(families, format);
  return new Response(req.method === "HEAD" ? null : body, {
    status: 200,
    headers: {
      "content-type": contentTypeOf(format),
      "cache-control": "no-store",
      "vary": "Accept",
    },
  });
}
