import assert from "node:assert/strict";
import { processFamilies } from "./process_collector.ts";

Deno.test("processFamilies() adds the memory-return counters when a worker reports them, and only then", () => {
  const names = (stats: Record<string, unknown>) => processFamilies(stats).map((f) => f.name);
  const worker = processFamilies({ rss: 1000, memory_trims: 3, memory_returned: 4096 });
  const trims = worker.find((f) => f.name === "xbar_process_memory_trims");
  const returned = worker.find((f) => f.name === "xbar_process_memory_returned_bytes");
  assert.equal(trims?.type, "counter");
  assert.deepEqual(trims?.samples, [[{}, 3]]);
  assert.equal(returned?.type, "counter");
  assert.deepEqual(returned?.samples, [[{}, 4096]]);
  const controller = names({ rss: 1000 });
  assert.ok(controller.includes("xbar_process_resident_memory_bytes"));
  assert.ok(!controller.includes("xbar_process_memory_trims"));
  assert.ok(!controller.includes("xbar_process_memory_returned_bytes"));
});
