/**
 * Metric families as plain JSON data: what collectors produce, what a worker
 * sends its controller over the management channel, and what
 * `exposition.ts` writes as Prometheus text or OpenMetrics.
 *
 * Names follow Prometheus conventions: `xbar_` prefix, base units (seconds,
 * bytes), and a counter's name without its `_total` suffix (the writer adds
 * it, as OpenMetrics has it).
 *
 * @module
 */

/** Label names to values. */
export type Labels = Record<string, string>;

/** A counter or gauge: one value per label set. */
export interface ScalarFamily {
  /** Metric name (a counter's without `_total`). */
  name: string;
  /** One line of help text. */
  help: string;
  /** Kind. */
  type: "counter" | "gauge";
  /** `[labels, value]` per series. */
  samples: [Labels, number][];
}

/** A histogram with fixed buckets. */
export interface HistogramFamily {
  /** Metric name (without `_bucket`, `_sum`, `_count`). */
  name: string;
  /** One line of help text. */
  help: string;
  /** Kind. */
  type: "histogram";
  /** Upper bounds of the buckets, ascending; +Inf is implied after the last. */
  bounds: number[];
  /** `[labels, counts per bucket (not cumulative, +Inf last), sum, count]` per series. */
  samples: [Labels, number[], number, number][];
}

/** One metric family. */
export type MetricFamily = ScalarFamily | HistogramFamily;

/** A counter or gauge family. */
export function scalar(
  name: string,
  type: "counter" | "gauge",
  help: string,
  samples: [Labels, number][] = [],
): ScalarFamily {
  return { name, help, type, samples };
}

/**
 * Adds `labels` to every series of `families` (in place) and returns them:
 * how the controller marks each worker's figures with `worker`.
 */
export function withLabels(families: MetricFamily[], labels: Labels): MetricFamily[] {
  for (const f of families) {
    for (const s of f.samples) s[0] = { ...labels, ...s[0] };
  }
  return families;
}

/**
 * Merges families of the same name (series appended in order; the first
 * family's help, type and bounds win; a later family of another type or
 * other bounds is dropped) and sorts by name.
 */
export function mergeFamilies(lists: MetricFamily[][]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const list of lists) {
    for (const f of list) {
      const had = byName.get(f.name);
      if (had === undefined) {
        byName.set(f.name, { ...f, samples: [...f.samples] } as MetricFamily);
        continue;
      }
      if (had.type !== f.type) continue;
      if (had.type === "histogram") {
        const h = f as typeof had;
        if (h.bounds.join() !== had.bounds.join()) continue;
        had.samples.push(...h.samples);
      } else {
        had.samples.push(...(f as typeof had).samples);
      }
    }
  }
  return [...byName.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** True when `v` looks like a list of metric families (a worker's answer). */
export function isMetricFamilies(v: unknown): v is MetricFamily[] {
  return Array.isArray(v) &&
    v.every((f) =>
      typeof f === "object" && f !== null && typeof f.name === "string" &&
      typeof f.help === "string" && Array.isArray(f.samples) &&
      (f.type === "counter" || f.type === "gauge" ||
        (f.type === "histogram" && Array.isArray(f.bounds)))
    );
}
