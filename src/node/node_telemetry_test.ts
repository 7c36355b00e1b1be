import assert from "node:assert/strict";
import { defaultConfig } from "../config/default_config.ts";
import type { WorkerConfig } from "../config/types.ts";
import { scalar } from "../metrics/metric_family.ts";
import { WorkerOp } from "../worker/management_uris.ts";
import { ManagedWorker } from "./managed_worker.ts";
import { NodeTelemetry } from "./node_telemetry.ts";

const FACTS = {
  node: "node_1",
  public_key: "ab".repeat(32),
  version: "9.9.9",
  started: new Date(Date.now() - 5000).toISOString(),
  state: "running",
};

function worker(id: string, state: ManagedWorker["state"]): ManagedWorker {
  const config = { ...defaultConfig().workers[0], id } as WorkerConfig;
  const w = new ManagedWorker(config);
  w.state = state;
  return w;
}

Deno.test("NodeTelemetry.metrics() labels each running worker's families with its id, marks one that does not answer, adds the controller's", async () => {
  const a = worker("edge_a", "running");
  const b = worker("edge_b", "running");
  const c = worker("edge_c", "restarting");
  const t = new NodeTelemetry();
  const asked: string[] = [];
  const families = await t.metrics(FACTS, [a, b, c], (w, op) => {
    asked.push(`${w.id}.${op}`);
    if (w === b) return Promise.reject(new Error("wamp.error.timeout"));
    return Promise.resolve([scalar("xbar_sessions", "gauge", "S.", [[{ realm: "realm1" }, 3]])]);
  });
  assert.deepEqual(asked, [`edge_a.${WorkerOp.GET_METRICS}`, `edge_b.${WorkerOp.GET_METRICS}`]);
  const by = (name: string) => families.find((f) => f.name === name)!.samples;
  assert.deepEqual(by("xbar_sessions"), [[{ worker: "edge_a", realm: "realm1" }, 3]]);
  assert.deepEqual(by("xbar_worker_scrape_ok"), [[{ worker: "edge_a" }, 1], [
    { worker: "edge_b" },
    0,
  ]]);
  assert.deepEqual(
    by("xbar_worker_state").filter((s) => s[1] === 1).map((s) => s[0]),
    [
      { worker: "edge_a", type: "router", state: "running" },
      { worker: "edge_b", type: "router", state: "running" },
      { worker: "edge_c", type: "router", state: "restarting" },
    ],
  );
  assert.deepEqual(by("xbar_node_info"), [[{ node: "node_1", version: "9.9.9" }, 1]]);
  assert.ok(by("xbar_process_resident_memory_bytes").some((s) => s[0].process === "controller"));
});

Deno.test("NodeTelemetry.summary() adds up realms over workers, lists transports, links and warnings by worker, and computes rates", async () => {
  const a = worker("edge_a", "running");
  const b = worker("edge_b", "running");
  const t = new NodeTelemetry();
  t.warnings.add("warn", "worker exited", { worker: "edge_b", code: 1 });
  let n = 0;
  const ask = (w: ManagedWorker) =>
    Promise.resolve({
      process: { pid: 100, rss: 1024, heap_used: 512, cpu_user: 1 + n, cpu_system: 0 },
      realms: [{ name: "realm1", sessions: w === a ? 2 : 3 }],
      transports: [{ type: "web", address: "tcp4:127.0.0.1:8080" }],
      links: [{
        realm: "realm1",
        peer: "p",
        dialed: w === b,
        state: "up",
        remote_sessions: 1,
        queued_bytes: 0,
      }],
      totals: { received: 10 * n, sent: 20 * n, calls: n, events: 0 },
      warnings: w === a
        ? [{
          time: "2000-01-01T00:00:00.000Z",
          level: "warn",
          msg: "slow consumer",
          fields: { realm: "realm1" },
        }]
        : [],
    });
  const s1 = await t.summary(FACTS, [a, b], ask);
  assert.deepEqual(s1.realms, [{ name: "realm1", sessions: 5, workers: ["edge_a", "edge_b"] }]);
  assert.deepEqual(s1.transports.map((x) => x.worker), ["edge_a", "edge_b"]);
  assert.deepEqual(s1.links.map((l) => [l.worker, l.dialed]), [["edge_a", false], [
    "edge_b",
    true,
  ]]);
  assert.deepEqual(s1.workers.map((w) => [w.id, w.type, w.rss]), [
    ["controller", "controller", s1.workers[0].rss],
    ["edge_a", "router", 1024],
    ["edge_b", "router", 1024],
  ]);
  assert.equal(s1.workers[0].pid, Deno.pid);
  assert.deepEqual(s1.warnings.map((w) => [w.worker ?? "controller", w.msg]), [
    ["edge_a", "slow consumer"],
    ["controller", "worker exited"],
  ]);
  assert.equal(s1.rates, undefined);
  assert.equal(s1.public_key, FACTS.public_key);
  await new Promise((r) => setTimeout(r, 1100));
  n = 1;
  const s2 = await t.summary(FACTS, [a, b], ask);
  assert.ok(s2.rates && s2.rates.received > 0 && s2.rates.calls > 0, JSON.stringify(s2.rates));
  assert.equal(s2.history.length, 1);
  assert.ok((s2.workers[1].cpu_percent ?? -1) > 0);
});
