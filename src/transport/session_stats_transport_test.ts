/**
 * Session statistics (realm `stats`, `wamp.session.on_stats`) through real
 * router transports: a client speaking raw frames over our WebSocket
 * framing, Deno's WebSocket, RawSocket TCP and long-poll; a subscriber in
 * process. The
 * expected counts come from the frames the client actually sent and
 * received.
 */

import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import type { SessionStatsConfig } from "../router/session_stats.ts";
import { joinSession } from "../client/join_session.ts";
import { localPair } from "../client/local_transport.ts";
import { serializers } from "../serializer/mod.ts";
import type { Dict, List } from "../wamp/messages.ts";
import { MetaTopic } from "../wamp/uris.ts";
import { serveWebSocket } from "./websocket_server.ts";
import { createWebSocketHandler } from "./websocket.ts";
import { serveRawSocket } from "./rawsocket_server.ts";
import { ByteClient, frame } from "./rawsocket_test_kit.ts";
import { createLongPollHandler } from "./longpoll.ts";

const STATS: SessionStatsConfig = {
  ratedMessageSize: 64,
  triggerAfterRatedMessages: 10,
  triggerAfterDuration: 0,
  triggerOnJoin: true,
  triggerOnLeave: true,
};

const encoder = new TextEncoder();

/** A client that sends and receives JSON texts and records every message's size in order. */
interface Wire {
  send(text: string): Promise<void>;
  recv(): Promise<string>;
  close(): Promise<void>;
}

/** Waits for a condition that events make true, bounded in time. */
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Deno's WebSocket client (for both WebSocket servers). */
async function webSocketWire(url: string): Promise<Wire> {
  const ws = new WebSocket(url, "wamp.2.json");
  const inbox: string[] = [];
  let closed = false;
  ws.onmessage = (ev) => inbox.push(ev.data as string);
  const gone = new Promise<void>((resolve) => {
    ws.onclose = () => {
      closed = true;
      resolve();
    };
  });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("websocket failed"));
  });
  return {
    send: (text) => Promise.resolve(ws.send(text)),
    async recv() {
      await until(() => inbox.length > 0 || closed, "a message");
      const text = inbox.shift();
      if (text === undefined) throw new Error("closed");
      return text;
    },
    async close() {
      ws.close();
      await gone;
    },
  };
}

/** A RawSocket client for JSON (serializer id 1). */
async function rawSocketWire(addr: Deno.NetAddr): Promise<Wire> {
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xf1, 0, 0]);
  const reply = await c.read(4);
  assert.equal(reply[1] & 0x0f, 1, "json handshake");
  return {
    send: (text) => c.write(frame(0, text)),
    async recv() {
      const [type, payload] = await c.readFrame();
      assert.equal(type, 0);
      return new TextDecoder().decode(payload);
    },
    close() {
      c.close();
      return Promise.resolve();
    },
  };
}

interface Expected {
  messages: number;
  bytes: number;
  rated_messages: number;
  first: boolean;
  last: boolean;
}

/**
 * Runs the scenario: HELLO/WELCOME (first event on join), PUBLISH with
 * acknowledgement until at least two rated-message triggers, GOODBYE (last
 * event). Returns the sizes of the messages in the order the router saw
 * them and the session id.
 */
async function scenario(wire: Wire): Promise<{ sizes: number[]; session: number }> {
  const sizes: number[] = [];
  const send = async (msg: unknown[]) => {
    const text = JSON.stringify(msg);
    sizes.push(encoder.encode(text).length);
    await wire.send(text);
  };
  const recv = async () => {
    const text = await wire.recv();
    sizes.push(encoder.encode(text).length);
    return JSON.parse(text) as unknown[];
  };
  await send([1, "realm1", { roles: { publisher: {} } }]);
  const welcome = await recv();
  assert.equal(welcome[0], 2);
  for (let i = 1; i <= 6; i++) {
    await send([16, i, { acknowledge: true }, "com.example.stats", ["é".repeat(40 + i)]]);
    assert.equal((await recv())[0], 17);
  }
  await send([6, {}, "wamp.close.normal"]);
  assert.equal((await recv())[0], 6);
  return { sizes, session: welcome[1] as number };
}

/** What Crossbar would publish for `sizes`: the first two on join, then per trigger, the rest at leave. */
function expectedEvents(sizes: number[]): Expected[] {
  const out: Expected[] = [];
  let acc = { messages: 0, bytes: 0, rated_messages: 0 };
  const push = (last: boolean) => {
    out.push({ ...acc, first: out.length === 0, last });
    acc = { messages: 0, bytes: 0, rated_messages: 0 };
  };
  sizes.forEach((n, i) => {
    acc.messages++;
    acc.bytes += n;
    acc.rated_messages += Math.ceil(n / STATS.ratedMessageSize);
    if (i === 1) push(false); // WELCOME sent: trigger_on_join
    else if (i > 1 && acc.rated_messages >= STATS.triggerAfterRatedMessages) push(false);
  });
  push(true);
  return out;
}

async function check(
  name: string,
  connect: (router: Router) => Promise<{ wire: Wire; stop: () => Promise<void> }>,
): Promise<void> {
  const router = new Router({ realms: [{ name: "realm1", stats: STATS }] });
  const monitor = await joinSession(localPair(router), "realm1");
  const events: [Dict, Dict][] = [];
  await monitor.subscribe(MetaTopic.SESSION_ON_STATS, (args: List) => {
    events.push(args as [Dict, Dict]);
  });
  const { wire, stop } = await connect(router);
  try {
    const before = Date.now();
    const { sizes, session } = await scenario(wire);
    const expected = expectedEvents(sizes);
    assert.ok(expected.length >= 4, `${name}: the scenario triggers twice (${expected.length})`);
    await until(() => events.length >= expected.length, `${expected.length} on_stats events`);
    assert.equal(events.length, expected.length);
    events.forEach(([info, stats], i) => {
      assert.deepEqual(info, {
        realm: "realm1",
        session,
        authid: info.authid,
        authrole: "anonymous",
      });
      assert.equal(typeof info.authid, "string");
      const { cycle, serializer, timestamp, duration, ...counts } = stats;
      assert.equal(cycle, i + 1);
      assert.equal(serializer, "json");
      assert.ok(typeof duration === "number" && duration >= 0);
      assert.ok(
        typeof timestamp === "number" && timestamp >= (before - 1000) * 1e6 &&
          timestamp <= (Date.now() + 1000) * 1e6,
        `${name}: timestamp ${timestamp} is ns since the epoch`,
      );
      assert.deepEqual(counts, expected[i], `${name}: event ${i + 1}`);
    });
  } finally {
    await wire.close();
    await stop();
    await monitor.leave();
  }
}

Deno.test("wamp.session.on_stats over a WebSocket transport (our framing) counts the frames the client sent and received", async () => {
  await check("websocket", async (router) => {
    const server = await serveWebSocket(router, { hostname: "127.0.0.1", port: 0 });
    return {
      wire: await webSocketWire(`ws://127.0.0.1:${server.addr.port}/ws`),
      stop: () => server.shutdown(),
    };
  });
});

Deno.test("wamp.session.on_stats over Deno's WebSocket (createWebSocketHandler) counts UTF-8 bytes", async () => {
  await check("deno websocket", async (router) => {
    const handler = createWebSocketHandler(router, { serializers: [serializers.json] });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    return {
      wire: await webSocketWire(`ws://127.0.0.1:${server.addr.port}/`),
      stop: () => server.shutdown(),
    };
  });
});

Deno.test("wamp.session.on_stats over RawSocket TCP counts the frames' payloads", async () => {
  await check("rawsocket", async (router) => {
    const server = await serveRawSocket(router, {
      endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    });
    return {
      wire: await rawSocketWire(server.addr as Deno.NetAddr),
      stop: () => server.shutdown(),
    };
  });
});

/** A long-poll client (`wamp.2.json`, one message per body) with plain fetch. */
async function longPollWire(base: string): Promise<Wire> {
  const post = (path: string, body?: string) => fetch(`${base}${path}`, { method: "POST", body });
  const opened = await (await post("/open", JSON.stringify({ protocols: ["wamp.2.json"] }))).json();
  const id = opened.transport as string;
  return {
    async send(text) {
      const res = await post(`/${id}/send`, text);
      assert.equal(res.status, 204);
      await res.body?.cancel();
    },
    async recv() {
      for (;;) {
        const res = await post(`/${id}/receive`);
        if (res.status === 200) return await res.text();
        await res.body?.cancel();
        if (res.status !== 204) throw new Error(`receive answered ${res.status}`);
      }
    },
    async close() {
      await (await post(`/${id}/close`)).body?.cancel();
    },
  };
}

Deno.test("wamp.session.on_stats over long-poll counts the request and answer bodies", async () => {
  await check("long-poll", async (router) => {
    const handler = createLongPollHandler(router, { basePath: "/lp" });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    return {
      wire: await longPollWire(`http://127.0.0.1:${server.addr.port}/lp`),
      stop: async () => {
        handler.endpoint.closeAll();
        await server.shutdown();
      },
    };
  });
});

Deno.test("wamp.session.on_stats: a realm without stats counts nothing, and in-process sessions have none", async () => {
  const router = new Router({ realms: [{ name: "realm1" }, { name: "realm2", stats: STATS }] });
  const monitor1 = await joinSession(localPair(router), "realm1");
  const monitor2 = await joinSession(localPair(router), "realm2");
  const events: unknown[] = [];
  await monitor1.subscribe(MetaTopic.SESSION_ON_STATS, (args: List) => void events.push(args));
  await monitor2.subscribe(MetaTopic.SESSION_ON_STATS, (args: List) => void events.push(args));
  const server = await serveWebSocket(router, { hostname: "127.0.0.1", port: 0 });
  try {
    const wire = await webSocketWire(`ws://127.0.0.1:${server.addr.port}/ws`);
    await scenario(wire); // joins realm1
    await wire.close();
    const local = await joinSession(localPair(router), "realm2");
    await local.publish("com.example.x", [1], {}, { acknowledge: true });
    await local.leave();
    // a probe session on realm2 whose last event proves the earlier ones would have arrived
    const probe = await webSocketWire(`ws://127.0.0.1:${server.addr.port}/ws`);
    await probe.send(JSON.stringify([1, "realm2", { roles: { publisher: {} } }]));
    await probe.recv();
    await until(() => events.length === 1, "the probe's first event");
    await probe.close();
    await until(() => events.length === 2, "the probe's last event");
    for (const e of events) assert.equal(((e as List)[0] as Dict).realm, "realm2");
  } finally {
    await server.shutdown();
    await monitor1.leave();
    await monitor2.leave();
  }
});
