import assert from "node:assert/strict";
import { MessageType } from "../wamp/messages.ts";
import { TestClient, testRouter } from "../router/_test_client.ts";
import type { MetricFamily } from "./metric_family.ts";
import { linkFamilies, messageTotals, routerFamilies } from "./router_collector.ts";

function value(fs: MetricFamily[], name: string, labels: Record<string, string>): unknown {
  const f = fs.find((x) => x.name === name);
  const s = f?.samples.find((x) =>
    Object.entries(labels).every(([k, v]) => (x[0] as Record<string, string>)[k] === v) &&
    Object.keys(x[0]).length === Object.keys(labels).length
  );
  return s?.[1];
}

Deno.test("routerFamilies() reports sessions and connections by realm and transport, queued bytes, traffic and calls", async () => {
  const router = testRouter({}, { realms: [{ name: "realm2" }] });
  let queued = 0;
  const ws = new TestClient(router, { type: "websocket" });
  const raw = new TestClient(router, { type: "rawsocket" });
  const idle = router.attach({
    info: { type: "websocket", peer: "x", serializer: "json" },
    send() {},
    close() {},
    queuedBytes: () => queued,
  });
  queued = 4096;
  await ws.join();
  await raw.join("realm2");
  await ws.register("com.p");
  const answer = await raw.call("com.p"); // registered on realm1 only
  assert.equal(answer[4], "wamp.error.no_such_procedure");
  assert.ok(idle);
  const fs = routerFamilies(router);
  assert.equal(value(fs, "xbar_sessions", { realm: "realm1", transport: "websocket" }), 1);
  assert.equal(value(fs, "xbar_sessions", { realm: "realm2", transport: "rawsocket" }), 1);
  assert.equal(value(fs, "xbar_connections", { transport: "websocket" }), 2);
  assert.equal(value(fs, "xbar_queued_bytes", { transport: "websocket" }), 4096);
  assert.equal(
    value(fs, "xbar_messages_received", { transport: "websocket", type: "REGISTER" }),
    1,
  );
  assert.equal(value(fs, "xbar_messages_sent", { transport: "websocket", type: "REGISTERED" }), 1);
  assert.equal(value(fs, "xbar_sessions_opened", { realm: "realm2", transport: "rawsocket" }), 1);
  assert.equal(
    value(fs, "xbar_call_errors", { realm: "realm2", error: "wamp.error.no_such_procedure" }),
    1,
  );
  const h = fs.find((f) => f.name === "xbar_call_duration_seconds");
  assert.equal(h?.type, "histogram");
  assert.deepEqual(messageTotals(router).calls, 0);
  raw.send([MessageType.GOODBYE, {}, "wamp.close.normal"]);
  await raw.take((m) => m[0] === MessageType.GOODBYE);
  const after = routerFamilies(router);
  assert.equal(
    value(after, "xbar_sessions_closed", {
      realm: "realm2",
      transport: "rawsocket",
      reason: "wamp.close.normal",
    }),
    1,
  );
  assert.equal(
    value(after, "xbar_sessions", { realm: "realm2", transport: "rawsocket" }),
    undefined,
  );
  router.shutdown();
});

Deno.test("linkFamilies() reports each link's state, and traffic and queue only while it is up", () => {
  const fs = linkFamilies([
    {
      realm: "realm1",
      peer: "n/a",
      dialed: true,
      state: "up",
      remote_sessions: 3,
      queued_bytes: 10,
      frames_in: 5,
      frames_out: 6,
      calls_in: 1,
      calls_out: 2,
      calls_refused: 0,
      events_in: 7,
      events_out: 8,
      events_dropped: 0,
    },
    { realm: "realm1", peer: "n/b", dialed: true, state: "backoff", failures: 4 },
  ]);
  assert.equal(value(fs, "xbar_link_up", { realm: "realm1", peer: "n/a" }), 1);
  assert.equal(value(fs, "xbar_link_up", { realm: "realm1", peer: "n/b" }), 0);
  assert.equal(value(fs, "xbar_link_dial_failures", { realm: "realm1", peer: "n/b" }), 4);
  assert.equal(value(fs, "xbar_link_remote_sessions", { realm: "realm1", peer: "n/a" }), 3);
  assert.equal(value(fs, "xbar_link_queued_bytes", { realm: "realm1", peer: "n/b" }), undefined);
  assert.equal(
    value(fs, "xbar_link_frames", { realm: "realm1", peer: "n/a", direction: "out" }),
    6,
  );
  assert.equal(
    value(fs, "xbar_link_events", { realm: "realm1", peer: "n/a", direction: "in" }),
    7,
  );
});
