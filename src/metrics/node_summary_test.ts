import assert from "node:assert/strict";
import { HISTORY_POINTS, RateTracker } from "./node_summary.ts";

const totals = (n: number) => ({ received: n, sent: 2 * n, calls: n / 2, events: 0 });

Deno.test("RateTracker.add() gives per-second rates over the interval since the previous sample and keeps a bounded history", () => {
  const r = new RateTracker(60_000);
  assert.equal(r.add(totals(0), 10_000), undefined, "no rate from one sample");
  assert.deepEqual(r.add(totals(100), 12_000), { received: 50, sent: 100, calls: 25, events: 0 });
  assert.deepEqual(
    r.add(totals(500), 12_500),
    { received: 50, sent: 100, calls: 25, events: 0 },
    "samples closer than a second keep the last rates",
  );
  assert.deepEqual(
    r.add(totals(50), 14_000)?.received,
    0,
    "a counter that went down (restart) is 0, not negative",
  );
  assert.equal(r.add(totals(60), 200_000), undefined, "no rate over a gap longer than maxGapMs");
  for (let i = 1; i <= HISTORY_POINTS + 5; i++) r.add(totals(60 + i), 200_000 + i * 1000);
  const h = r.history();
  assert.equal(h.length, HISTORY_POINTS);
  assert.deepEqual(h[h.length - 1], [200_000 + (HISTORY_POINTS + 5) * 1000, 1, 2, 0.5, 0]);
});
