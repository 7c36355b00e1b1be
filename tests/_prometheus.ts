/**
 * Reading Prometheus metrics as Prometheus would: the text is parsed by the
 * official Python client's parsers (Debian `python3-prometheus-client`:
 * the text format 0.0.4, or its strict OpenMetrics parser), so a test sees
 * only what a real scraper accepts.
 *
 * @module
 */

/** One parsed sample. */
export interface PromSample {
  /** Sample name (`xbar_calls_routed_total`, `..._bucket`). */
  name: string;
  /** Labels. */
  labels: Record<string, string>;
  /** Value. */
  value: number;
}

const SCRIPT = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families as prom
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
fmt, text = json.load(sys.stdin)
parse = om if fmt == "openmetrics" else prom
print(json.dumps([[s.name, s.labels, s.value] for f in parse(text) for s in f.samples]))
`;

/** Parses `text` (the format its content type says); rejects with the parser's complaint. */
export async function parsePrometheus(
  text: string,
  format: "prometheus" | "openmetrics",
): Promise<PromSample[]> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify([format, text])));
  await w.close();
  const r = await child.output();
  if (r.code !== 0) {
    throw new Error(
      `the Prometheus parser refused the text: ${new TextDecoder().decode(r.stderr)}`,
    );
  }
  return (JSON.parse(new TextDecoder().decode(r.stdout)) as [
    string,
    Record<string, string>,
    number,
  ][])
    .map(([name, labels, value]) => ({ name, labels, value }));
}

/** Fetches `url` as Prometheus does (OpenMetrics preferred) or as curl does, and parses it. */
export async function scrape(url: string, openMetrics = false): Promise<PromSample[]> {
  const res = await fetch(url, {
    headers: openMetrics
      ? {
        accept:
          "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
      }
      : {},
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape ${url}: ${res.status} ${text}`);
  const om = res.headers.get("content-type")?.startsWith("application/openmetrics-text") ?? false;
  if (om !== openMetrics) {
    throw new Error(`scrape ${url}: content type ${res.headers.get("content-type")}`);
  }
  return await parsePrometheus(text, om ? "openmetrics" : "prometheus");
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function sum(
  samples: PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}
