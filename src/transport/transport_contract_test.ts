/**
 * The transport contract suite: one set of behaviours every WAMP transport
 * must show against the real router, run against every transport there is.
 * Adding a transport is one entry in `TRANSPORTS`: how to serve the router
 * over it, how to connect a client, and (when the transport has bytes) how to
 * send something undecodable.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import { localPair } from "../client/local_transport.ts";
import { connectWebSocket } from "../client/websocket_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { CallResult } from "../client/call_result.ts";
import { ApplicationError } from "../wamp/errors.ts";
import type { Message } from "../wamp/messages.ts";
import type { SerializerName } from "../serializer/serializer.ts";
import { createWebSocketHandler } from "./websocket.ts";
import { serializers } from "../serializer/mod.ts";
import { createLongPollHandler } from "./longpoll.ts";
import { connectLongPoll, type LongPollClientTransport } from "./longpoll_client.ts";
import { ByteClient, frame, startRawSocketFixture } from "./rawsocket_test_kit.ts";

// ---------------------------------------------------------------------------
// The transports

/** What the suite saw after sending undecodable input. */
interface Refusal {
  /** The ABORT the router sent back, when the transport can carry one. */
  abort?: Message;
  /** The connection ended. */
  closed: boolean;
}

/** A router served over one transport. */
interface Served {
  /** A new client connection. */
  connect(): Promise<ClientTransport>;
  /** Opens a connection and sends bytes the serializer cannot decode (absent for in-process transports). */
  sendUndecodable?(): Promise<Refusal>;
  /** Stops serving and frees everything. */
  stop(): Promise<void>;
}

/** One transport under test. */
interface TransportUnderTest {
  /** Shown in test names. */
  name: string;
  /** Serves `acceptor` over the transport. */
  serve(acceptor: SessionAcceptor): Promise<Served>;
}

function local(): TransportUnderTest {
  return {
    name: "in-process localPair",
    serve(acceptor) {
      return Promise.resolve({
        connect: () => Promise.resolve(localPair(acceptor, { clone: true })),
        stop: () => Promise.resolve(),
      });
    },
  };
}

function websocket(serializer: SerializerName): TransportUnderTest {
  return {
    name: `WebSocket ${serializer}`,
    serve(acceptor) {
      const ws = createWebSocketHandler(acceptor, { serializers: Object.values(serializers) });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ws);
      const url = `ws://127.0.0.1:${server.addr.port}/`;
      return Promise.resolve({
        connect: () => connectWebSocket(url, { serializer }),
        async sendUndecodable() {
          const sock = new WebSocket(url, [`wamp.2.${serializer}`]);
          sock.binaryType = "arraybuffer";
          const got: unknown[] = [];
          const closed = new Promise<void>((resolve) => {
            sock.onclose = () => resolve();
          });
          sock.onmessage = (ev) => got.push(ev.data);
          await new Promise<void>((resolve, reject) => {
            sock.onopen = () => resolve();
            sock.onerror = () => reject(new Error("websocket failed"));
          });
          if (serializer === "json") sock.send('[1, "realm1", {');
          else sock.send(new Uint8Array([0xc1, 0xff, 0x00]));
          await closed;
          const first = got[0];
          const abort = first === undefined ? undefined : serializers[serializer].decode(
            typeof first === "string" ? first : new Uint8Array(first as ArrayBuffer),
          );
          return { abort: abort as Message | undefined, closed: true };
        },
        stop: () => server.shutdown(),
      });
    },
  };
}

function longpoll(serializer: SerializerName, batched: boolean): TransportUnderTest {
  return {
    name: `long-poll ${serializer}${batched ? " batched" : ""}`,
    serve(acceptor) {
      // The burst in "messages keep their order under load" (200 events in one
      // batched request) is over Crossbar's default bound of 100 queued
      // messages, which would (rightly) close the subscriber as a slow consumer.
      const handler = createLongPollHandler(acceptor, {
        basePath: "/lp",
        requestTimeout: 2,
        queueLimitMessages: 1000,
        queueLimitBytes: 1024 * 1024,
      });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
      const base = `http://127.0.0.1:${server.addr.port}/lp`;
      const clients: LongPollClientTransport[] = [];
      return Promise.resolve({
        async connect() {
          const t = await connectLongPoll(base, { serializer, batched });
          clients.push(t);
          return t;
        },
        async sendUndecodable() {
          const protocol = `wamp.2.${serializer}${batched ? ".batched" : ""}`;
          const open = await (await fetch(`${base}/open`, {
            method: "POST",
            body: JSON.stringify({ protocols: [protocol] }),
          })).json();
          const sent = await fetch(`${base}/${open.transport}/send`, {
            method: "POST",
            body: serializer === "json"
              ? '[1, "realm1", {'
              : new Uint8Array([0, 0, 0, 3, 0xc1, 0xff, 0x00]),
          });
          assert.equal(sent.status, 400);
          await sent.body?.cancel();
          const res = await fetch(`${base}/${open.transport}/receive`, { method: "POST" });
          const body = new Uint8Array(await res.arrayBuffer());
          let abort: Message | undefined;
          if (res.status === 200) {
            const bytes = batched
              ? body.subarray(serializer === "json" ? 0 : 4, serializer === "json" ? -1 : undefined)
              : body;
            abort = serializers[serializer].decode(bytes) as Message;
          }
          const after = await fetch(`${base}/${open.transport}/receive`, { method: "POST" });
          await after.body?.cancel();
          return { abort, closed: after.status === 410 };
        },
        async stop() {
          for (const c of clients) c.close();
          await Promise.all(clients.map((c) => c.done));
          handler.endpoint.closeAll();
          await server.shutdown();
        },
      });
    },
  };
}

function rawsocket(kind: "tcp" | "unix", serializer: SerializerName): TransportUnderTest {
  return {
    name: `RawSocket ${kind} ${serializer}`,
    async serve(acceptor) {
      const fixture = await startRawSocketFixture(acceptor, kind);
      return {
        connect: () => fixture.connect(serializer),
        async sendUndecodable() {
          const c = await ByteClient.connect(fixture.server.addr);
          try {
            await c.write([0x7f, 0xf0 | serializers[serializer].rawsocketId, 0, 0]);
            const reply = await c.read(4);
            assert.equal(reply[0], 0x7f);
            await c.write(
              frame(
                0,
                serializer === "json" ? '[1, "realm1", {' : new Uint8Array([0xc1, 0xff, 0x00]),
              ),
            );
            let abort: Message | undefined;
            try {
              const [type, payload] = await c.readFrame();
              if (type === 0) abort = serializers[serializer].decode(payload) as Message;
            } catch {
              // closed without an ABORT
            }
            await c.readToEnd();
            return { abort, closed: true };
          } finally {
            c.close();
          }
        },
        stop: () => fixture.close(),
      };
    },
  };
}

/** Every transport the suite runs against. Add a transport here. */
const TRANSPORTS: TransportUnderTest[] = [
  local(),
  websocket("json"),
  websocket("msgpack"),
  websocket("cbor"),
  longpoll("json", false),
  longpoll("json", true),
  longpoll("msgpack", true),
  longpoll("cbor", false),
  rawsocket("tcp", "json"),
  rawsocket("tcp", "msgpack"),
  rawsocket("unix", "cbor"),
];

// ---------------------------------------------------------------------------
// The behaviours

interface Context {
  router: Router;
  served: Served;
  join(): Promise<Session>;
}

async function withTransport(
  t: TransportUnderTest,
  fn: (c: Context) => Promise<void>,
): Promise<void> {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const served = await t.serve(router);
  const sessions: Session[] = [];
  try {
    await fn({
      router,
      served,
      async join() {
        const s = await joinSession(await served.connect(), "realm1", { onerror: () => {} });
        sessions.push(s);
        return s;
      },
    });
  } finally {
    await Promise.all(sessions.map((s) => s.isOpen ? s.leave() : s.closed));
    await served.stop();
  }
}

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const BEHAVIOURS: [string, (c: Context) => Promise<void>][] = [
  ["joins a realm and leaves with GOODBYE", async (c) => {
    const s = await c.join();
    assert.ok(Number.isSafeInteger(s.id) && s.id > 0);
    assert.equal(s.details.authrole, "anonymous");
    assert.equal(c.router.realm("realm1")!.sessions.size, 1);
    const closed = await s.leave();
    assert.equal(closed.reason, "wamp.close.goodbye_and_out");
    await until(
      () => c.router.realm("realm1")!.sessions.size === 0,
      "the session to leave the realm",
    );
  }],

  ["calls: args and kwargs round trip, binary included; errors keep URI and payload", async (c) => {
    const callee = await c.join();
    const caller = await c.join();
    await callee.register(
      "com.example.add",
      (args, kwargs) =>
        new CallResult([(args[0] as number) + (args[1] as number)], { echo: kwargs }),
    );
    await callee.register("com.example.bytes", (args) => (args[0] as Uint8Array).slice().reverse());
    await callee.register("com.example.fail", () => {
      throw new ApplicationError("com.example.error.nope", { args: ["no"], kwargs: { code: 7 } });
    });
    const r = await caller.call("com.example.add", [2, 3], { x: "é€😀" });
    assert.deepEqual([r.args, r.kwargs], [[5], { echo: { x: "é€😀" } }]);
    const bytes = await caller.call("com.example.bytes", [new Uint8Array([1, 2, 3, 0, 255])]);
    assert.deepEqual(bytes.args, [new Uint8Array([255, 0, 3, 2, 1])]);
    await assert.rejects(caller.call("com.example.fail"), (e: ApplicationError) => {
      assert.equal(e.uri, "com.example.error.nope");
      assert.deepEqual(e.args, ["no"]);
      assert.deepEqual(e.kwargs, { code: 7 });
      return true;
    });
    await assert.rejects(
      caller.call("com.example.missing"),
      (e: ApplicationError) => e.uri === "wamp.error.no_such_procedure",
    );
  }],

  ["progressive call results arrive in order before the final result", async (c) => {
    const callee = await c.join();
    const caller = await c.join();
    await callee.register("com.example.count", (args, _kwargs, details) => {
      for (let i = 1; i <= (args[0] as number); i++) details.progress?.([i]);
      return "done";
    });
    const progress: unknown[] = [];
    const r = await caller.call("com.example.count", [3], {}, {
      onProgress: (args) => progress.push(args[0]),
    });
    assert.deepEqual(progress, [1, 2, 3]);
    assert.deepEqual(r.args, ["done"]);
  }],

  [
    "pub/sub: subscribers get events with payload; the publisher is excluded; acknowledge gives an id",
    async (c) => {
      const sub = await c.join();
      const pub = await c.join();
      const got: unknown[] = [];
      const mine: unknown[] = [];
      await sub.subscribe("com.example.topic", (args, kwargs) => got.push([args, kwargs]));
      await pub.subscribe("com.example.topic", (args) => mine.push(args));
      const id = await pub.publish("com.example.topic", [1, "two"], { three: 3 }, {
        acknowledge: true,
      });
      assert.ok(typeof id === "number" && id > 0);
      await pub.publish("com.example.topic", [2]);
      await until(() => got.length === 2, "two events");
      assert.deepEqual(got, [[[1, "two"], { three: 3 }], [[2], {}]]);
      assert.deepEqual(mine, []);
    },
  ],

  [
    "a message that is not WAMP gets ABORT protocol_violation and a close; other sessions are unaffected",
    async (c) => {
      const other = await c.join();
      await other.register("com.example.ping", () => "pong");
      const t = await c.served.connect();
      const received: Message[] = [];
      const closed = new Promise<void>((resolve) => {
        t.onclose = () => resolve();
      });
      t.onmessage = (m) => received.push(m);
      t.send([999, "garbage"] as unknown as Message);
      await closed;
      assert.equal(received.length, 1, JSON.stringify(received));
      assert.deepEqual([received[0][0], received[0][2]], [3, "wamp.error.protocol_violation"]);
      assert.deepEqual((await other.call("com.example.ping")).args, ["pong"]);
      await until(() => c.router.connectionCount === 1, "the bad connection to go");
    },
  ],

  [
    "undecodable bytes get ABORT protocol_violation and a close; others are unaffected",
    async (c) => {
      if (c.served.sendUndecodable === undefined) return; // nothing to decode in-process
      const other = await c.join();
      await other.register("com.example.ping", () => "pong");
      const refusal = await c.served.sendUndecodable();
      assert.ok(refusal.closed, "the connection was closed");
      assert.ok(refusal.abort !== undefined, "an ABORT came back before the close");
      assert.equal(refusal.abort[0], 3);
      assert.equal(refusal.abort[2], "wamp.error.protocol_violation");
      assert.deepEqual((await other.call("com.example.ping")).args, ["pong"]);
      await until(() => c.router.connectionCount === 1, "the bad connection to go");
    },
  ],

  [
    "closing the transport without GOODBYE ends the session: registrations and subscriptions go",
    async (c) => {
      const gone = await c.join();
      const stays = await c.join();
      await gone.register("com.example.mine", () => 1);
      await gone.subscribe("com.example.topic", () => {});
      const count = async () =>
        (await stays.call("wamp.subscription.count_subscribers", [
          (await stays.call("wamp.subscription.lookup", ["com.example.topic"])).args[0],
        ])).args[0];
      assert.equal(await count(), 1);
      gone.transport.close();
      await until(() => c.router.realm("realm1")!.sessions.size === 1, "the session to be gone");
      await assert.rejects(
        stays.call("com.example.mine"),
        (e: ApplicationError) => e.uri === "wamp.error.no_such_procedure",
      );
      assert.equal(
        (await stays.call("wamp.subscription.lookup", ["com.example.topic"])).args[0],
        null,
      );
      assert.equal(c.router.connectionCount, 1);
    },
  ],

  ["messages keep their order under load in both directions", async (c) => {
    const sub = await c.join();
    const pub = await c.join();
    const got: number[] = [];
    await sub.subscribe("com.example.seq", (args) => got.push(args[0] as number));
    await sub.register("com.example.seq.last", () => got.length);
    for (let i = 0; i < 200; i++) pub.publish("com.example.seq", [i]);
    await pub.publish("com.example.seq", [200], {}, { acknowledge: true });
    await until(() => got.length === 201, "201 events");
    assert.deepEqual(got, Array.from({ length: 201 }, (_, i) => i));
  }],
];

for (const t of TRANSPORTS) {
  for (const [what, run] of BEHAVIOURS) {
    Deno.test(`transport contract [${t.name}]: ${what}`, () => withTransport(t, run));
  }
}
