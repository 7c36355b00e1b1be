/**
 * Flow control end to end on a real node: `options.flow_control` of a
 * WebSocket transport in the config reaches the router worker. A subscriber
 * that stops reading (behind a byte proxy that stops reading) and a fast one
 * on the same topic, a publisher at max rate: the fast one gets every event
 * in order, the publisher is slowed and never disconnected, the slow one is
 * closed only after the configured stuck timeout, with the reason in its
 * `wamp.session.on_leave` and in the node log.
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort, routerWorker, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";
import { connectWebSocket } from "../src/client/websocket_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import type { Session } from "../src/client/session.ts";
import type { Dict } from "../src/wamp/messages.ts";
import { StallProxy } from "../src/transport/_stall_proxy.ts";

const STUCK_MS = 1500;

Deno.test("node: a WebSocket subscriber that stops reading slows the publisher and is closed after flow_control.stuck_timeout_ms; the fast one loses nothing", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  const worker = routerWorker(port);
  (worker.transports as Record<string, unknown>[])[0].options = {
    flow_control: { high_water_bytes: 65536, low_water_bytes: 16384, stuck_timeout_ms: STUCK_MS },
  };
  await writeConfig(dir, { version: 2, workers: [worker] });
  const node = await startNode(dir);
  const sessions: Session[] = [];
  let proxy: StallProxy | undefined;
  try {
    const url = `ws://127.0.0.1:${port}/ws`;
    const join = async (u = url) => {
      const s = await joinSession(await connectWebSocket(u, { serializer: "json" }), "realm1");
      sessions.push(s);
      return s;
    };
    const watcher = await join();
    const leaves: { args: unknown[]; details: Dict }[] = [];
    await watcher.subscribe("wamp.session.on_leave", (args, _kw, d) => {
      leaves.push({ args, details: d.raw });
    });
    const fast = await join();
    const got: number[] = [];
    await fast.subscribe("com.example.flow", (args) => got.push(args[0] as number));

    proxy = await StallProxy.start({ transport: "tcp", hostname: "127.0.0.1", port });
    const slow = await join(`ws://127.0.0.1:${(proxy.addr as Deno.NetAddr).port}/ws`);
    await slow.subscribe("com.example.flow", () => {});
    const slowId = slow.id;
    proxy.stall();
    const stalledAt = performance.now();

    const publisher = await join();
    const payload = "p".repeat(1000);
    const gone = () => leaves.some((l) => l.args[0] === slowId);
    let n = 0;
    let waited = 0;
    while (!gone()) {
      publisher.publish("com.example.flow", [n++, payload]);
      if (n % 50 === 0) {
        while ((publisher.transport.queuedBytes ?? 0) > 256 * 1024 && !gone()) {
          waited++;
          await new Promise((r) => setTimeout(r, 1));
        }
        await new Promise((r) => setTimeout(r, 0));
      }
      assert.ok(n < 2_000_000, "the slow subscriber was never closed");
    }
    const closedAt = performance.now();
    await publisher.publish("com.example.flow", [n++, "last"], {}, { acknowledge: true });
    const deadline = Date.now() + 30000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, n, "the fast subscriber got every event");
    assert.ok(got.every((v, i) => v === i), "in order");
    assert.ok(
      closedAt - stalledAt >= STUCK_MS,
      `closed ${closedAt - stalledAt} ms after it stalled`,
    );
    const leave = leaves.find((l) => l.args[0] === slowId)!;
    assert.equal(leave.details.x_reason, "xbar.close.slow_consumer");
    assert.equal(
      leave.details.x_message,
      `outbound queue stayed above its high-water mark for ${STUCK_MS} ms`,
    );
    assert.ok(waited > 0, "the publisher's own queue backed up: it was slowed");
    assert.ok(publisher.isOpen && fast.isOpen, "publisher and fast subscriber stay connected");
    await node.waitFor(/slow consumer.*stayed above its high-water mark/);
  } finally {
    for (const s of sessions) s.transport.close();
    await proxy?.close();
    await Promise.all(sessions.map((s) => s.closed));
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
