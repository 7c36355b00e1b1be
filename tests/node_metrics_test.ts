/**
 * Metrics and the node summary with real processes: a node with two linked
 * router workers, each with its own Web transport serving `metrics` and the
 * status page. A scrape on either worker covers the whole node (parsed by
 * the official Prometheus client, in both formats); traffic, errors, links
 * and a worker restart show up; `xbar status` prints the same summary (and
 * `--json`, `--watch`); nothing secret is shown.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import type { Session } from "../src/client/session.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  openRealm,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
  xbar,
} from "./_node_kit.ts";
import { type PromSample, scrape, sum } from "./_prometheus.ts";

type Dict = Record<string, unknown>;

function router(id: string, port: number) {
  return {
    type: "router",
    id,
    realms: [openRealm("realm1")],
    transports: [{
      type: "web",
      id: `secret_transport_${id}`,
      endpoint: { type: "tcp", interface: "127.0.0.1", port },
      paths: {
        "/": { type: "nodeinfo" },
        metrics: { type: "metrics" },
        ws: { type: "websocket" },
      },
    }],
  };
}

Deno.test("metrics and status with real processes: a scrape on either router worker covers the node", async (t) => {
  const dir = await tempNodeDir();
  const ports = [freePort(), freePort()];
  await writeConfig(dir, {
    version: 2,
    workers: [router("edge_a", ports[0]), router("edge_b", ports[1])],
  });
  const node = await startNode(dir);
  const m = await connectManagement(join(dir, "node.sock"));
  const sessions: Session[] = [];
  const ws = (i: number) => `ws://127.0.0.1:${ports[i]}/ws`;
  const metrics = (i: number) => `http://127.0.0.1:${ports[i]}/metrics`;
  try {
    await waitUntil(
      async () => {
        const s = (await m.call("xbar.get_summary")).args[0] as Dict;
        return (s.links as Dict[]).filter((l) => l.state === "up").length === 2;
      },
      "edge_a and edge_b linked",
      15000,
    );

    await t.step("sessions on both workers are counted once in a scrape of either", async () => {
      for (const i of [0, 0, 1]) sessions.push(await connect(ws(i), "realm1"));
      for (const i of [0, 1]) {
        for (const om of [false, true]) {
          const s = await scrape(metrics(i), om);
          assert.equal(sum(s, "xbar_sessions", { realm: "realm1" }), 3);
          assert.equal(sum(s, "xbar_sessions", { realm: "realm1", worker: "edge_a" }), 2);
          assert.equal(sum(s, "xbar_sessions", { realm: "realm1", worker: "edge_b" }), 1);
          assert.equal(sum(s, "xbar_worker_scrape_ok"), 2);
          assert.equal(sum(s, "xbar_worker_state", { state: "running" }), 2);
          assert.equal(sum(s, "xbar_link_up"), 2);
          for (const p of ["controller", "worker"]) {
            assert.ok(sum(s, "xbar_process_resident_memory_bytes", { process: p }) > 0, p);
          }
          assert.equal(
            sum(s, "xbar_process_resident_memory_bytes", { process: "worker", worker: "edge_b" }) >
              0,
            true,
          );
          assert.equal(sum(s, "xbar_node_info"), 1);
        }
      }
    });

    await t.step("calls across the link, call errors and events show up", async () => {
      const [a1, a2, b1] = sessions;
      await a1.register("com.example.add", (args) => Number(args[0]) + Number(args[1]));
      let got = 0;
      await a2.subscribe("com.example.topic", () => void got++);
      await b1.subscribe("com.example.topic", () => void got++);
      await waitUntil(
        async () => (await b1.call("wamp.registration.lookup", ["com.example.add"])).args[0],
        "edge_b sees the callee",
        10000,
      );
      assert.equal((await b1.call("com.example.add", [2, 3])).args[0], 5);
      await assert.rejects(b1.call("com.example.nothing"), /no_such_procedure|no callee/);
      await waitUntil(
        async () => {
          const id = (await a1.call("wamp.subscription.lookup", ["com.example.topic"])).args[0];
          return typeof id === "number" &&
            (await a1.call("wamp.subscription.count_subscribers", [id])).args[0] === 2;
        },
        "edge_a sees both subscribers",
        10000,
      );
      await a1.publish("com.example.topic", [1], {}, { acknowledge: true });
      await waitUntil(() => got === 2, "both subscribers got the event", 10000);
      let s: PromSample[] = [];
      await waitUntil(
        async () => {
          s = await scrape(metrics(1));
          return sum(s, "xbar_events_delivered_total", { realm: "realm1" }) >= 2;
        },
        "events delivered counted",
        5000,
      );
      assert.ok(sum(s, "xbar_calls_routed_total", { worker: "edge_b" }) >= 1);
      assert.equal(
        sum(s, "xbar_call_errors_total", {
          worker: "edge_b",
          error: "wamp.error.no_such_procedure",
        }),
        1,
      );
      assert.ok(sum(s, "xbar_call_duration_seconds_count", { worker: "edge_b" }) >= 1);
      assert.equal(sum(s, "xbar_events_published_total", { worker: "edge_a" }), 1);
      assert.ok(sum(s, "xbar_link_calls_total", { worker: "edge_b", direction: "out" }) >= 1);
      assert.ok(sum(s, "xbar_link_events_total", { worker: "edge_a", direction: "out" }) >= 1);
      assert.ok(
        sum(s, "xbar_messages_received_total", { transport: "websocket", type: "CALL" }) >= 2,
      );
      assert.ok(sum(s, "xbar_messages_sent_total", { transport: "websocket", type: "EVENT" }) >= 2);
    });

    await t.step(
      "xbar status prints the summary; --json carries it; --watch refreshes",
      async () => {
        const r = await xbar(["status", "--dir", dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^running: node node_[0-9a-f]{8} \(pid \d+\), up /);
        assert.match(r.stdout, /^public key: [0-9a-f]{64}$/m);
        assert.match(r.stdout, /^rates: .* msg\/s in/m);
        assert.match(
          r.stdout,
          /^ {2}edge_a +router +running +pid \d+ restarts 0, rss [\d.]+ MiB, cpu /m,
        );
        assert.match(r.stdout, /^ {2}realm1 +3 sessions \(edge_a, edge_b\)$/m);
        assert.match(
          r.stdout,
          new RegExp(`^ {2}edge_b +web +tcp4:127\\.0\\.0\\.1:${ports[1]}$`, "m"),
        );
        assert.ok(!r.stdout.includes("secret_transport"), r.stdout);
        const j = JSON.parse((await xbar(["status", "--dir", dir, "--json"])).stdout);
        assert.deepEqual(j.summary.realms, [{
          name: "realm1",
          sessions: 3,
          workers: ["edge_a", "edge_b"],
        }]);

        const watch = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--quiet",
            join(import.meta.dirname!, "../cli/xbar.ts"),
            "status",
            "--dir",
            dir,
            "--watch",
            "--json",
            "--interval",
            "0.2",
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const lines = watch.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        while (text.split("\n").filter((l) => l.startsWith("{")).length < 3) {
          const { value, done } = await lines.read();
          if (done) break;
          text += value;
        }
        watch.kill("SIGINT");
        lines.releaseLock();
        const [status] = await Promise.all([watch.status, watch.stdout.cancel().catch(() => {})]);
        await watch.stderr.cancel();
        assert.equal(status.code, 0);
        const objects = text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
        assert.ok(objects.length >= 3, text);
        assert.ok(objects.every((o) => o.running === true && o.summary.realms[0].sessions === 3));
      },
    );

    await t.step(
      "the status page's JSON on either worker shows the whole node and nothing secret",
      async () => {
        for (const i of [0, 1]) {
          const res = await fetch(`http://127.0.0.1:${ports[i]}/status.json`);
          const text = await res.text();
          const s = JSON.parse(text);
          assert.deepEqual(s.workers.map((w: Dict) => w.id), ["controller", "edge_a", "edge_b"]);
          assert.equal(s.realms[0].sessions, 3);
          assert.equal(s.transports.length, 2);
          assert.ok(!text.includes("secret_transport"), "no transport ids");
          const key = await Deno.readTextFile(join(dir, "key.priv"));
          const seed = key.match(/^private-key-ed25519: ([0-9a-f]{64})$/m)?.[1];
          assert.ok(seed, key);
          assert.ok(!text.includes(seed), "no private key");
        }
      },
    );

    await t.step(
      "a killed worker is restarted and counted; the other answers scrapes meanwhile",
      async () => {
        const workers = (await m.call("xbar.get_workers")).args[0] as Dict[];
        const pid = workers.find((w) => w.id === "edge_b")!.pid as number;
        Deno.kill(pid, "SIGKILL");
        const during = await scrape(metrics(0));
        assert.equal(sum(during, "xbar_worker_scrape_ok", { worker: "edge_a" }), 1);
        await waitUntil(
          async () => {
            const s = await scrape(metrics(0));
            return sum(s, "xbar_worker_restarts_total", { worker: "edge_b" }) === 1 &&
              sum(s, "xbar_worker_state", { worker: "edge_b", state: "running" }) === 1 &&
              sum(s, "xbar_worker_scrape_ok", { worker: "edge_b" }) === 1;
          },
          "edge_b restarted and scraped again",
          20000,
        );
        const s = (await m.call("xbar.get_summary")).args[0] as Dict;
        const warnings = s.warnings as Dict[];
        assert.ok(
          warnings.some((w) => w.msg === "worker exited" && (w.fields as Dict).worker === "edge_b"),
          JSON.stringify(warnings),
        );
      },
    );
  } finally {
    for (const s of sessions) await s.leave().catch(() => {});
    await m.leave().catch(() => {});
    await node.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
