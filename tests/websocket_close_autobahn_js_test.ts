/**
 * End-to-end: how AutobahnJS (npm `autobahn` under Node, whose WebSocket is
 * the `ws` library) sees a session end over xbar's WebSocket transport. It
 * calls a connection "lost" (and would reconnect) unless the server's close
 * frame carries code 1000; against Crossbar it reports "closed".
 */

import assert from "node:assert/strict";
import { runAutobahnJs, startTestNode } from "./_harness.ts";
import { Router } from "../src/router/router.ts";
import { createWebSocketHandler } from "../src/transport/websocket.ts";

Deno.test("AutobahnJS over WebSocket reports closed (not lost) after close(), leave() and wamp.session.kill", async () => {
  const node = await startTestNode();
  try {
    const r = await runAutobahnJs(node.url, "realm1", "json", "closing");
    assert.ok(r.ok, r.error);
    assert.deepEqual(r.result, {
      close: { reason: "closed", goodbye: "wamp.close.goodbye_and_out", will_retry: false },
      leave: { reason: "closed", goodbye: "wamp.close.goodbye_and_out", will_retry: false },
      killed: { reason: "closed", goodbye: "wamp.close.killed", will_retry: false },
    });
  } finally {
    await node.close();
  }
});

Deno.test("AutobahnJS reports closed after close(), leave() and kill also on Deno's WebSocket (createWebSocketHandler on a Deno.serve)", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const handler = createWebSocketHandler(router);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    const r = await runAutobahnJs(
      `ws://127.0.0.1:${server.addr.port}/ws`,
      "realm1",
      "json",
      "closing",
    );
    assert.ok(r.ok, r.error);
    assert.deepEqual(
      [r.result.close.reason, r.result.leave.reason, r.result.killed.reason],
      ["closed", "closed", "closed"],
    );
  } finally {
    router.shutdown();
    await server.shutdown();
  }
});
