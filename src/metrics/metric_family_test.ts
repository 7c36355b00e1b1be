import assert from "node:assert/strict";
import {
  isMetricFamilies,
  mergeFamilies,
  type MetricFamily,
  scalar,
  withLabels,
} from "./metric_family.ts";

Deno.test("mergeFamilies() joins same-named families of several workers in order, sorted by name, and drops a clashing type", () => {
  const a: MetricFamily[] = withLabels([
    scalar("xbar_b", "counter", "B.", [[{ realm: "r" }, 1]]),
    scalar("xbar_a", "gauge", "A.", [[{}, 2]]),
  ], { worker: "w1" });
  const b: MetricFamily[] = withLabels([
    scalar("xbar_b", "counter", "B.", [[{ realm: "r" }, 3]]),
    scalar("xbar_a", "counter", "A as a counter.", [[{}, 9]]),
  ], { worker: "w2" });
  const merged = mergeFamilies([a, b]);
  assert.deepEqual(merged.map((f) => f.name), ["xbar_a", "xbar_b"]);
  assert.deepEqual(merged[0].samples, [[{ worker: "w1" }, 2]]);
  assert.deepEqual(merged[1].samples, [
    [{ worker: "w1", realm: "r" }, 1],
    [{ worker: "w2", realm: "r" }, 3],
  ]);
});

Deno.test("isMetricFamilies() accepts families and refuses anything else a worker might answer", () => {
  assert.ok(isMetricFamilies([scalar("x", "gauge", "X.")]));
  assert.ok(
    isMetricFamilies([{ name: "h", help: "", type: "histogram", bounds: [1], samples: [] }]),
  );
  assert.ok(!isMetricFamilies({}));
  assert.ok(!isMetricFamilies([{ name: "x", help: "", type: "summary", samples: [] }]));
  assert.ok(!isMetricFamilies([{ name: "h", help: "", type: "histogram", samples: [] }]));
});
