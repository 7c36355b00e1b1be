/**
 * Realm `stats` (Crossbar's session statistics) on a real node, seen by
 * third-party clients: an Autobahn|Python monitor (RawSocket) subscribes to
 * `wamp.session.on_stats`; an AutobahnJS session (WebSocket) joins,
 * publishes and leaves. The monitor gets the first statistics at join
 * (`trigger_on_join`), more after every few rated messages, and the last at
 * leave, counting every message both ways.
 */

import assert from "node:assert/strict";
import { freePort, openRealm, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";
import { Agent, type AgentEvent } from "./_agent.ts";

Deno.test("realm stats: an Autobahn|Python monitor sees an AutobahnJS session's statistics from join to leave", async () => {
  const dir = await tempNodeDir();
  const [ws, rs] = [freePort(), freePort()];
  await writeConfig(dir, {
    version: 2,
    workers: [{
      type: "router",
      id: "router1",
      realms: [{
        ...openRealm("realm1"),
        stats: {
          rated_message_size: 256,
          trigger_after_rated_messages: 6,
          trigger_on_join: true,
          trigger_on_leave: true,
        },
      }],
      transports: [
        {
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: ws },
        },
        {
          type: "rawsocket",
          id: "rs1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: rs },
        },
      ],
    }],
  });
  const node = await startNode(dir);
  const agents: Agent[] = [];
  try {
    const monitor = await Agent.start("autobahn-python", `tcp://127.0.0.1:${rs}`, {
      name: "monitor",
    });
    agents.push(monitor);
    await monitor.subscribe("wamp.session.on_stats");
    const client = await Agent.start("autobahn-js", `ws://127.0.0.1:${ws}/`, { name: "client" });
    agents.push(client);
    for (let i = 0; i < 6; i++) await client.publish("com.example.topic", ["x".repeat(300)]);
    await client.command("leave", {});
    const mine = (e: AgentEvent) =>
      e.event === "event" && e.topic === "wamp.session.on_stats" &&
      (e.args as Record<string, unknown>[])[0]?.session === client.session;
    await monitor.waitEvent((e) =>
      mine(e) && (e.args as Record<string, unknown>[])[1]?.last === true
    );
    const stats = monitor.events.filter(mine).map((e) => {
      const [info, s] = e.args as Record<string, unknown>[];
      assert.deepEqual(info, {
        realm: "realm1",
        session: client.session,
        authid: info.authid,
        authrole: "anonymous",
      });
      return s;
    });
    assert.ok(stats.length >= 3, `first, at least one in between, last: ${JSON.stringify(stats)}`);
    assert.deepEqual([stats[0].first, stats[0].last], [true, false]);
    assert.ok(stats.slice(1).every((s) => s.first === false));
    assert.deepEqual(stats.map((s) => s.last), stats.map((_, i) => i === stats.length - 1));
    assert.deepEqual(stats.map((s) => s.cycle), stats.map((_, i) => i + 1));
    assert.ok(stats.every((s) => s.serializer === "json" && (s.bytes as number) >= 0));
    // HELLO, WELCOME, 6 x (PUBLISH, PUBLISHED), GOODBYE both ways.
    const total = (k: string) => stats.reduce((a, s) => a + (s[k] as number), 0);
    assert.equal(total("messages"), 16);
    assert.ok(total("bytes") > 6 * 300, `${total("bytes")} bytes`);
    assert.ok(total("rated_messages") >= 16 + 6, `${total("rated_messages")} rated`);
  } finally {
    for (const a of agents) await a.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
