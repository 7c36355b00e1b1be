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
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import { localPair } from "../client/local_transport.ts";
import { connectWebSocket } from "../client/websocket_transport.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { CallResult } from "../client/call_result.ts";
import { ApplicationError } from "../wamp/errors.ts";
import type { Dict, Message } from "../wamp/messages.ts";
import type { SerializerName } from "../serializer/serializer.ts";
import { createWebSocketHandler } from "./websocket.ts";
import { serveWebSocket } from "./websocket_server.ts";
import { serializers } from "../serializer/mod.ts";
import { createLongPollHandler } from "./longpoll.ts";
import { connectLongPoll, type LongPollClientTransport } from "./longpoll_client.ts";
import { ByteClient, frame, startRawSocketFixture } from "./rawsocket_test_kit.ts";
import { lengthExponentFor } from "./rawsocket_protocol.ts";
import type { FlowControlOptions } from "./flow_control.ts";
import { StallProxy } from "./_stall_proxy.ts";

// ---------------------------------------------------------------------------
// The transports

/** What the suite saw after sending input the transport must refuse. */
interface Refusal {
  /** The ABORT the router sent back, when the transport can carry one. */
  abort?: Message;
  /** The connection ended. */
  closed: boolean;
}

/** Limits a behaviour asks the transport to be served with (defaults: the transport's). */
interface Limits {
  /** Largest message each way (RawSocket: announced by the server and by the suite's clients). */
  maxMessageSize?: number;
  /** Hard bound of a connection's outbound queue (long-poll: `queueLimitBytes`, no message bound). */
  maxOutboundBytes?: number;
  /** Flow control below that bound. */
  flowControl?: FlowControlOptions;
}

/** A client connection that can be made to stop reading. */
interface Stallable {
  /** The client transport (join a session over it). */
  transport: ClientTransport;
  /** From now on the client reads nothing more. */
  stall(): void;
}

/** A router served over one transport. */
interface Served {
  /** A new client connection. */
  connect(): Promise<ClientTransport>;
  /** A new client connection that can stop reading (absent for in-process transports). */
  connectStallable?(): Promise<Stallable>;
  /** Opens a connection and sends bytes the serializer cannot decode (absent for in-process transports). */
  sendUndecodable?(): Promise<Refusal>;
  /** Opens a connection and sends one message of about `bytes` octets, over the limit (absent in-process). */
  sendOversize?(bytes: number): Promise<Refusal>;
  /** Stops serving and frees everything. */
  stop(): Promise<void>;
}

/** One transport under test. */
interface TransportUnderTest {
  /** Shown in test names. */
  name: string;
  /** Flow control: the router can pause this transport's input. */
  pausable: boolean;
  /** Serves `acceptor` over the transport with `limits`. */
  serve(acceptor: SessionAcceptor, limits: Limits): Promise<Served>;
}

/** A JSON (text) or binary frame of about `bytes` octets that is a valid message for `serializer`. */
function bigMessage(serializer: SerializerName, bytes: number): string | Uint8Array {
  const msg = [1, "realm1", { roles: { caller: {} }, pad: "x".repeat(bytes) }];
  return serializers[serializer].encode(msg as unknown as Message);
}

/** A WebSocket that sends `data` and collects what comes back until the close. */
async function webSocketRefusal(
  url: string,
  serializer: SerializerName,
  data: string | Uint8Array,
): Promise<Refusal> {
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
  sock.send(data as string | Uint8Array<ArrayBuffer>);
  await closed;
  const first = got[0];
  const abort = first === undefined ? undefined : serializers[serializer].decode(
    typeof first === "string" ? first : new Uint8Array(first as ArrayBuffer),
  );
  return { abort: abort as Message | undefined, closed: true };
}

function local(): TransportUnderTest {
  return {
    name: "in-process localPair",
    pausable: false,
    serve(acceptor) {
      return Promise.resolve({
        connect: () => Promise.resolve(localPair(acceptor, { clone: true })),
        stop: () => Promise.resolve(),
      });
    },
  };
}

/** WebSocket on Deno's WebSocket (`createWebSocketHandler` on a Deno.serve): no flow control. */
function websocket(serializer: SerializerName): TransportUnderTest {
  return {
    name: `WebSocket (Deno.upgradeWebSocket) ${serializer}`,
    pausable: false,
    serve(acceptor, limits) {
      const ws = createWebSocketHandler(acceptor, {
        serializers: Object.values(serializers),
        maxMessageSize: limits.maxMessageSize,
        maxOutboundBytes: limits.maxOutboundBytes,
      });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ws);
      return Promise.resolve(webSocketServed(serializer, server.addr, () => server.shutdown()));
    },
  };
}

/** WebSocket on our own framing (`serveWebSocket`, the node's WebSocket transport). */
function websocketStream(serializer: SerializerName): TransportUnderTest {
  return {
    name: `WebSocket ${serializer}`,
    pausable: true,
    async serve(acceptor, limits) {
      const server = await serveWebSocket(acceptor, {
        hostname: "127.0.0.1",
        port: 0,
        path: "/",
        serializers: Object.values(serializers),
        maxMessageSize: limits.maxMessageSize,
        maxOutboundBytes: limits.maxOutboundBytes,
        flowControl: limits.flowControl,
      });
      return webSocketServed(serializer, server.addr, () => server.shutdown());
    },
  };
}

function webSocketServed(
  serializer: SerializerName,
  addr: Deno.NetAddr,
  shutdown: () => Promise<void>,
): Served {
  const url = `ws://127.0.0.1:${addr.port}/`;
  let proxy: StallProxy | undefined;
  return {
    connect: () => connectWebSocket(url, { serializer }),
    async connectStallable() {
      proxy ??= await StallProxy.start(addr);
      const p = proxy;
      const transport = await connectWebSocket(`ws://127.0.0.1:${(p.addr as Deno.NetAddr).port}/`, {
        serializer,
      });
      return { transport, stall: () => p.stall() };
    },
    sendUndecodable: () =>
      webSocketRefusal(
        url,
        serializer,
        serializer === "json" ? '[1, "realm1", {' : new Uint8Array([0xc1, 0xff, 0x00]),
      ),
    sendOversize: (bytes) => webSocketRefusal(url, serializer, bigMessage(serializer, bytes)),
    async stop() {
      await proxy?.close();
      await shutdown();
    },
  };
}

function longpoll(serializer: SerializerName, batched: boolean): TransportUnderTest {
  return {
    name: `long-poll ${serializer}${batched ? " batched" : ""}`,
    pausable: true,
    serve(acceptor, limits) {
      // The burst in "messages keep their order under load" (200 events in one
      // batched request) is over Crossbar's default bound of 100 queued
      // messages, which would (rightly) close the subscriber as a slow consumer.
      const handler = createLongPollHandler(acceptor, {
        basePath: "/lp",
        requestTimeout: 2,
        queueLimitMessages: limits.maxOutboundBytes !== undefined ? 0 : 1000,
        queueLimitBytes: limits.maxOutboundBytes ?? 1024 * 1024,
        maxMessageSize: limits.maxMessageSize,
        flowControl: limits.flowControl,
      });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
      const base = `http://127.0.0.1:${server.addr.port}/lp`;
      const clients: LongPollClientTransport[] = [];
      const protocol = `wamp.2.${serializer}${batched ? ".batched" : ""}`;
      const open = async () =>
        (await (await fetch(`${base}/open`, {
          method: "POST",
          body: JSON.stringify({ protocols: [protocol] }),
        })).json()).transport as string;
      /** Sends `body`, expects `status`, then reads the ABORT and the close. */
      const refusal = async (body: string | Uint8Array, status: number): Promise<Refusal> => {
        const id = await open();
        const sent = await fetch(`${base}/${id}/send`, {
          method: "POST",
          body: body as string | Uint8Array<ArrayBuffer>,
        });
        assert.equal(sent.status, status);
        await sent.body?.cancel();
        const res = await fetch(`${base}/${id}/receive`, { method: "POST" });
        const bytes = new Uint8Array(await res.arrayBuffer());
        let abort: Message | undefined;
        if (res.status === 200) {
          const one = batched
            ? bytes.subarray(serializer === "json" ? 0 : 4, serializer === "json" ? -1 : undefined)
            : bytes;
          abort = serializers[serializer].decode(one) as Message;
        }
        const after = await fetch(`${base}/${id}/receive`, { method: "POST" });
        await after.body?.cancel();
        return { abort, closed: after.status === 410 };
      };
      const frameOf = (payload: string | Uint8Array): string | Uint8Array => {
        if (!batched) return payload;
        if (typeof payload === "string") return payload + "\x1e";
        const out = new Uint8Array(4 + payload.length);
        new DataView(out.buffer).setUint32(0, payload.length);
        out.set(payload, 4);
        return out;
      };
      return Promise.resolve({
        async connect() {
          const t = await connectLongPoll(base, { serializer, batched });
          clients.push(t);
          return t;
        },
        async connectStallable() {
          const t = await connectLongPoll(base, { serializer, batched });
          clients.push(t);
          return { transport: t, stall: () => t.stopReceiving() };
        },
        sendUndecodable: () =>
          refusal(
            serializer === "json"
              ? '[1, "realm1", {'
              : new Uint8Array([0, 0, 0, 3, 0xc1, 0xff, 0x00]),
            400,
          ),
        sendOversize: (bytes) => refusal(frameOf(bigMessage(serializer, bytes)), 413),
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
    pausable: true,
    async serve(acceptor, limits) {
      const fixture = await startRawSocketFixture(acceptor, kind, {
        maxMessageSize: limits.maxMessageSize,
        maxOutboundBytes: limits.maxOutboundBytes,
        flowControl: limits.flowControl,
      });
      const addr = fixture.server.addr;
      // The suite's clients announce the same limit for what they receive.
      const maxLengthExponent = limits.maxMessageSize === undefined
        ? undefined
        : lengthExponentFor(limits.maxMessageSize);
      const connectTo = (a: Deno.NetAddr | Deno.UnixAddr) =>
        connectRawSocket(
          "path" in a
            ? { transport: "unix", path: a.path }
            : { transport: "tcp", hostname: "127.0.0.1", port: a.port },
          { serializer, maxLengthExponent },
        );
      let proxy: StallProxy | undefined;
      /** Shakes hands, sends `payload` as one WAMP frame, reads the ABORT and the close. */
      const refusal = async (payload: Uint8Array | string): Promise<Refusal> => {
        const c = await ByteClient.connect(addr);
        try {
          await c.write([0x7f, 0xf0 | serializers[serializer].rawsocketId, 0, 0]);
          const reply = await c.read(4);
          assert.equal(reply[0], 0x7f);
          await c.write(frame(0, payload)).catch(() => {}); // refused from its header: may be cut
          let abort: Message | undefined;
          try {
            const [type, body] = await c.readFrame();
            if (type === 0) abort = serializers[serializer].decode(body) as Message;
          } catch {
            // closed without an ABORT
          }
          await c.readToEnd();
          return { abort, closed: true };
        } finally {
          c.close();
        }
      };
      return {
        connect: () => connectTo(addr),
        async connectStallable() {
          proxy ??= await StallProxy.start(addr);
          const p = proxy;
          return { transport: await connectTo(p.addr), stall: () => p.stall() };
        },
        sendUndecodable: () =>
          refusal(serializer === "json" ? '[1, "realm1", {' : new Uint8Array([0xc1, 0xff, 0x00])),
        sendOversize: (bytes) => refusal(bigMessage(serializer, bytes)),
        async stop() {
          await proxy?.close();
          await fixture.close();
        },
      };
    },
  };
}

/** Every transport the suite runs against. Add a transport here. */
const TRANSPORTS: TransportUnderTest[] = [
  local(),
  websocketStream("json"),
  websocketStream("msgpack"),
  websocketStream("cbor"),
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

/**
 * The router behind a recorder: it notes when each session's queue first
 * went backlogged (flow control's `backlog(true)`), by session id.
 */
class Recorder implements SessionAcceptor {
  /** When (performance.now) a session was first backlogged, by session id. */
  readonly backlogAt = new Map<number, number>();
  #router: Router;

  constructor(router: Router) {
    this.#router = router;
  }

  attach(peer: Peer): SessionHandle {
    const inner = this.#router.attach(peer) as SessionHandle & { id: number };
    const backlogAt = this.backlogAt;
    return {
      receive: (v) => inner.receive(v),
      protocolViolation: (m, u) => inner.protocolViolation(m, u),
      overflow: (b, r) => inner.overflow(b, r),
      undeliverable: (m, u, t) => inner.undeliverable?.(m, u, t),
      closed: () => inner.closed(),
      backlog(on) {
        if (on && !backlogAt.has(inner.id)) backlogAt.set(inner.id, performance.now());
        inner.backlog?.(on);
      },
    };
  }
}

// ---------------------------------------------------------------------------
// The behaviours

interface Context {
  transport: TransportUnderTest;
  router: Router;
  recorder: Recorder;
  served: Served;
  join(): Promise<Session>;
  /** Joins over a connection that can stop reading; undefined for in-process transports. */
  joinStallable(): Promise<{ session: Session; stall(): void } | undefined>;
  /** Joins over an in-process pair: a party without size limits. */
  joinLocal(): Promise<Session>;
}

async function withTransport(
  t: TransportUnderTest,
  fn: (c: Context) => Promise<void>,
  limits: Limits = {},
): Promise<void> {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const recorder = new Recorder(router);
  const served = await t.serve(recorder, limits);
  const sessions: Session[] = [];
  const stallables: Session[] = [];
  const join = async (transport: ClientTransport) => {
    const s = await joinSession(transport, "realm1", { onerror: () => {} });
    sessions.push(s);
    return s;
  };
  try {
    await fn({
      transport: t,
      router,
      recorder,
      served,
      async join() {
        return await join(await served.connect());
      },
      async joinStallable() {
        if (served.connectStallable === undefined) return undefined;
        const s = await served.connectStallable();
        const session = await join(s.transport);
        stallables.push(session);
        return { session, stall: s.stall };
      },
      joinLocal: () => join(localPair(router, { clone: true })),
    });
  } finally {
    // A client that stopped reading may not know its connection is gone: it
    // hears it when the proxy in front of it closes (served.stop()).
    for (const s of stallables) s.transport.close();
    const others = sessions.filter((s) => !stallables.includes(s));
    await Promise.all(others.map((s) => s.isOpen ? s.leave().catch(() => {}) : s.closed));
    await served.stop();
    await Promise.all(stallables.map((s) => s.closed));
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

// ---------------------------------------------------------------------------
// Oversize, overflow and flow control (served with small limits)

const KiB = 1024;
const LIMIT = 64 * KiB;

/** Waits for the `wamp.session.on_leave` of session `id` seen by `watcher`'s log. */
function leaveOf(
  leaves: { args: unknown[]; details: Dict }[],
  id: number,
): { args: unknown[]; details: Dict } | undefined {
  return leaves.find((l) => l.args[0] === id);
}

async function watchLeaves(c: Context): Promise<{ args: unknown[]; details: Dict }[]> {
  const watcher = await c.join();
  const leaves: { args: unknown[]; details: Dict }[] = [];
  await watcher.subscribe("wamp.session.on_leave", (args, _kw, details) => {
    leaves.push({ args, details: details.raw });
  });
  return leaves;
}

/** Lets I/O run until `pred` holds, checking every few ms (bounded). */
async function settle(pred: () => boolean, what: string, ms = 20000): Promise<void> {
  await until(pred, what, ms);
}

const LIMITED: [string, (c: Context) => Promise<void>, Limits][] = [
  [
    "a message over the limit from the client gets ABORT protocol_violation and a close; others are unaffected",
    async (c) => {
      if (c.served.sendOversize === undefined) return; // no size limit in-process
      const other = await c.join();
      await other.register("com.example.ping", () => "pong");
      const refusal = await c.served.sendOversize(LIMIT + 16 * KiB);
      assert.ok(refusal.closed, "the connection was closed");
      assert.ok(refusal.abort !== undefined, "an ABORT came back before the close");
      assert.equal(refusal.abort[0], 3);
      assert.equal(refusal.abort[2], "wamp.error.protocol_violation");
      assert.deepEqual((await other.call("com.example.ping")).args, ["pong"]);
      await until(() => c.router.connectionCount === 1, "the bad connection to go");
    },
    { maxMessageSize: LIMIT },
  ],

  [
    "messages over the client's limit are never sent: RESULT -> ERROR payload_size_exceeded, INVOCATION answered to its caller, EVENT dropped for that subscriber only",
    async (c) => {
      if (c.served.sendOversize === undefined) return; // no size limit in-process
      const big = "x".repeat(LIMIT + 16 * KiB);
      const here = await c.join(); // over the transport under test: limited
      const far = await c.joinLocal(); // in-process: unlimited
      await far.register("com.example.big", () => big);
      await assert.rejects(
        here.call("com.example.big"),
        (e: ApplicationError) => e.uri === "wamp.error.payload_size_exceeded",
      );
      await here.register("com.example.echo", (args) => args[0]);
      await assert.rejects(
        far.call("com.example.echo", [big]),
        (e: ApplicationError) => e.uri === "wamp.error.payload_size_exceeded",
      );
      assert.deepEqual((await far.call("com.example.echo", ["small"])).args, ["small"]);
      const gotHere: unknown[] = [];
      const gotFar: unknown[] = [];
      await here.subscribe("com.example.ev", (args) => gotHere.push((args[0] as string).length));
      const watcher = await c.joinLocal();
      await watcher.subscribe("com.example.ev", (args) => gotFar.push((args[0] as string).length));
      await far.publish("com.example.ev", [big]);
      await far.publish("com.example.ev", ["tiny"], {}, { acknowledge: true });
      await until(() => gotHere.length === 1 && gotFar.length === 2, "the events");
      assert.deepEqual(gotHere, [4], "the big event is dropped for the limited subscriber");
      assert.deepEqual(gotFar, [big.length, 4]);
      assert.ok(here.isOpen, "the limited client stays connected");
    },
    { maxMessageSize: LIMIT },
  ],

  [
    "a subscriber that stops reading: the publisher is slowed, not disconnected; a fast subscriber gets every event in order; the slow one is closed only after the stuck timeout, with the reason in on_leave",
    async (c) => {
      if (!c.transport.pausable) return; // no flow control: see the hard-bound behaviour
      const stall = await c.joinStallable();
      if (stall === undefined) return;
      const leaves = await watchLeaves(c);
      const fast = await c.join();
      const got: number[] = [];
      await fast.subscribe("com.example.flow", (args) => got.push(args[0] as number));
      await stall.session.subscribe("com.example.flow", () => {});
      const slowId = stall.session.id;
      stall.stall();
      const publisher = await c.join();
      const payload = "p".repeat(1000);
      // Max rate: publish without acknowledgement, as fast as the client's own
      // transport takes it (the router pausing us shows there), until the
      // slow one is gone. A consumer is only stuck while events keep coming.
      const gone = () => leaveOf(leaves, slowId) !== undefined;
      let n = 0;
      let closedAt = 0;
      while (!gone()) {
        publisher.publish("com.example.flow", [n++, payload]);
        if (n % 50 === 0) {
          while ((publisher.transport.queuedBytes ?? 0) > 256 * KiB && !gone()) {
            await new Promise((r) => setTimeout(r, 1));
          }
          await new Promise((r) => setTimeout(r, 0));
        }
        assert.ok(n < 1_000_000, "the slow subscriber was never closed");
      }
      closedAt = performance.now();
      await publisher.publish("com.example.flow", [n++, "last"], {}, { acknowledge: true });
      await settle(
        () => got.length === n,
        `${n} events at the fast subscriber (has ${got.length})`,
      );
      assert.deepEqual(got, Array.from({ length: n }, (_, i) => i), "every event, in order");
      const leave = leaveOf(leaves, slowId)!;
      assert.equal(leave.details.x_reason, "xbar.close.slow_consumer");
      assert.match(
        String(leave.details.x_message),
        /stayed above its high-water mark for 1000 ms/,
      );
      const backlogAt = c.recorder.backlogAt.get(slowId)!;
      assert.ok(closedAt - backlogAt >= 999, `closed ${closedAt - backlogAt} ms after backlog`);
      assert.ok(c.router.flow.stats.pauses >= 1, "the publisher was paused");
      assert.ok(c.router.flow.stats.resumes >= 1, "and resumed");
      assert.ok(publisher.isOpen, "the publisher was not disconnected");
      assert.ok(fast.isOpen, "the fast subscriber was not disconnected");
      await publisher.publish("com.example.flow", [n], {}, { acknowledge: true });
      await settle(() => got.length === n + 1, "one more event");
    },
    {
      flowControl: { highWaterBytes: 64 * KiB, lowWaterBytes: 16 * KiB, stuckTimeoutMs: 1000 },
      maxOutboundBytes: 64 * 1024 * KiB,
    },
  ],

  [
    "a subscriber that stops reading is closed at the hard bound when what feeds it cannot be paused (router-made events), with the bound in on_leave",
    async (c) => {
      const stall = await c.joinStallable();
      if (stall === undefined) return;
      const leaves = await watchLeaves(c);
      const other = await c.join();
      let otherGot = 0;
      await other.subscribe("com.example.flood", () => otherGot++);
      await stall.session.subscribe("com.example.flood", () => {});
      const slowId = stall.session.id;
      stall.stall();
      const realm = c.router.realm("realm1")!;
      const payload = "f".repeat(1000);
      let n = 0;
      while (leaveOf(leaves, slowId) === undefined) {
        for (let i = 0; i < 50; i++) realm.publishMeta("com.example.flood", [n++, payload]);
        // Paced by the subscriber that reads, so only the stalled one falls behind.
        while (otherGot < n - 100) await new Promise((r) => setTimeout(r, 1));
        assert.ok(n < 1_000_000, "the slow subscriber was never closed");
      }
      const leave = leaveOf(leaves, slowId)!;
      assert.equal(leave.details.x_reason, "xbar.close.slow_consumer");
      assert.match(String(leave.details.x_message), /would pass its bound of 524288 bytes/);
      assert.equal(c.router.flow.stats.pauses, 0, "router-made events pause nobody");
      await settle(() => otherGot === n, "every event at the subscriber that reads");
      assert.ok(other.isOpen);
    },
    {
      flowControl: { highWaterBytes: 64 * KiB, lowWaterBytes: 16 * KiB, stuckTimeoutMs: 60_000 },
      maxOutboundBytes: 512 * KiB,
    },
  ],
];

for (const t of TRANSPORTS) {
  for (const [what, run] of BEHAVIOURS) {
    Deno.test(`transport contract [${t.name}]: ${what}`, () => withTransport(t, run));
  }
  for (const [what, run, limits] of LIMITED) {
    Deno.test(`transport contract [${t.name}]: ${what}`, () => withTransport(t, run, limits));
  }
}
