/**
 * Writing metric families as the Prometheus text format 0.0.4 or as
 * OpenMetrics 1.0 text, and choosing between them from a request's `Accept`
 * header (Prometheus asks for OpenMetrics first; curl gets plain text).
 * Families without series are left out.
 *
 * @module
 */

import type { Labels, MetricFamily } from "./metric_family.ts";

/** Content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
/** Content type of OpenMetrics text. */
export const OPENMETRICS_CONTENT_TYPE =
  "application/openmetrics-text; version=1.0.0; charset=utf-8";

/** The two text formats. */
export type ExpositionFormat = "prometheus" | "openmetrics";

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string, om: boolean): string {
  const s = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return om ? s.replace(/"/g, '\\"') : s;
}

function num(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}

/** A bucket bound as OpenMetrics wants it (a float: `1.0`, not `1`). */
function bound(v: number, om: boolean): string {
  const s = num(v);
  return om && Number.isInteger(v) ? `${s}.0` : s;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts: string[] = [];
  for (const k in labels) {
    if (!LABEL_NAME.test(k)) continue;
    parts.push(`${k}="${escapeLabel(labels[k])}"`);
  }
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** The families as text in `format`. */
export function formatMetrics(families: MetricFamily[], format: ExpositionFormat): string {
  const om = format === "openmetrics";
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const counter = f.type === "counter";
    const family = counter && !om ? `${f.name}_total` : f.name;
    out.push(`# HELP ${family} ${escapeHelp(f.help, om)}`);
    out.push(`# TYPE ${family} ${f.type}`);
    if (f.type === "histogram") {
      for (const [labels, counts, sum, count] of f.samples) {
        let cumulative = 0;
        for (let i = 0; i <= f.bounds.length; i++) {
          cumulative += counts[i] ?? 0;
          const le = i < f.bounds.length ? bound(f.bounds[i], om) : "+Inf";
          out.push(`${f.name}_bucket${labelText(labels, ["le", le])} ${num(cumulative)}`);
        }
        out.push(`${f.name}_sum${labelText(labels)} ${num(sum)}`);
        out.push(`${f.name}_count${labelText(labels)} ${num(count)}`);
      }
      continue;
    }
    const series = counter ? `${f.name}_total` : f.name;
    for (const [labels, value] of f.samples) {
      out.push(`${series}${labelText(labels)} ${num(value)}`);
    }
  }
  if (om) out.push("# EOF");
  return out.join("\n") + "\n";
}

/**
 * The format a client asks for in `accept`: OpenMetrics when it lists
 * `application/openmetrics-text` with a quality at least that of plain text
 * (and above 0), else the Prometheus text format.
 */
export function negotiateFormat(accept: string | null): ExpositionFormat {
  if (!accept) return "prometheus";
  let om = -1;
  let text = -1;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().toLowerCase().split(";");
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split("=");
      if (k === "q") q = Number(v);
    }
    if (!(q >= 0)) continue;
    const t = type.trim();
    if (t === "application/openmetrics-text") om = Math.max(om, q);
    else if (t === "text/plain" || t === "*/*" || t === "text/*") text = Math.max(text, q);
  }
  return om > 0 && om >= text ? "openmetrics" : "prometheus";
}

/** The content type of `format`. */
export function contentTypeOf(format: ExpositionFormat): string {
  return format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
