import assert from "node:assert/strict";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { SerializationError, type Serializer } from "../serializer/serializer.ts";
import { serializers } from "../serializer/mod.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { MemoryLogger } from "../log/logger.ts";
import { createWebSocketHandler, type WebSocketOptions } from "./websocket.ts";
import {
  serveWebSocket,
  type ServeWebSocketOptions,
  type WebSocketServer,
} from "./websocket_server.ts";
import { utf8Length } from "./websocket_connection.ts";

// ---------------------------------------------------------------------------
// Serializers: the real ones, plus one that cannot encode a marked RESULT

const { json, msgpack, cbor } = serializers;
/** JSON, except that a RESULT whose first argument is "unencodable" cannot be encoded. */
const pickyJson: Serializer = {
  ...json,
  encode(value) {
    const msg = value as unknown[];
    if (msg[0] === 50 && (msg[3] as unknown[] | undefined)?.[0] === "unencodable") {
      throw new SerializationError("cannot encode as JSON: test");
    }
    return json.encode(value);
  },
};
const all = [json, msgpack, cbor];

// ---------------------------------------------------------------------------
// Waiting for things without sleeping

/** Calls listeners when something changed; `until` waits for a condition, bounded in time. */
class Changes {
  #listeners = new Set<() => void>();
  notify(): void {
    for (const l of [...this.#listeners]) l();
  }
  until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.#listeners.add(check);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// A fake router

/** One session as the fake router sees it: records everything the transport reports. */
class FakeSession implements SessionHandle {
  readonly received: unknown[] = [];
  readonly violations: string[] = [];
  readonly overflows: number[] = [];
  closedCount = 0;
  /** Echo every received value back (default). */
  echo = true;
  /** Throw from receive() (simulates a router bug). */
  throwOnReceive = false;
  readonly changes = new Changes();
  constructor(readonly peer: Peer) {}
  receive(value: unknown): void {
    this.received.push(value);
    this.changes.notify();
    if (this.throwOnReceive) throw new Error("router bug");
    if (this.echo) this.peer.send(value as RouterMessage);
  }
  /** Like the router: ABORT, then close. */
  protocolViolation(message: string): void {
    this.violations.push(message);
    this.peer.send([3, { message }, "wamp.error.protocol_violation"]);
    this.peer.close();
    this.changes.notify();
  }
  overflow(queuedBytes: number): void {
    this.overflows.push(queuedBytes);
    this.changes.notify();
  }
  closed(): void {
    this.closedCount++;
    this.changes.notify();
  }
  until(pred: () => boolean, what: string, ms?: number): Promise<void> {
    return this.changes.until(pred, what, ms);
  }
}

class FakeAcceptor implements SessionAcceptor {
  readonly sessions: FakeSession[] = [];
  readonly changes = new Changes();
  #taken = 0;
  /** Called on every new session before it is returned to the transport. */
  configure: (s: FakeSession) => void = () => {};
  attach(peer: Peer): SessionHandle {
    const session = new FakeSession(peer);
    this.configure(session);
    this.sessions.push(session);
    this.changes.notify();
    return session;
  }
  /** The next session not yet taken by a test. */
  async next(): Promise<FakeSession> {
    await this.changes.until(() => this.sessions.length > this.#taken, "a session");
    return this.sessions[this.#taken++];
  }
}

// ---------------------------------------------------------------------------
// Clients

type Frame = string | ArrayBuffer;

/** Deno's WebSocket client with a message log. */
class TestClient {
  readonly messages: Frame[] = [];
  closeEvent: CloseEvent | undefined;
  readonly changes = new Changes();
  #read = 0;
  private constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.onmessage = (ev) => {
      this.messages.push(ev.data);
      this.changes.notify();
    };
    ws.onclose = (ev) => {
      this.closeEvent = ev;
      this.changes.notify();
    };
    ws.onerror = () => {};
  }
  static open(
    url: string,
    protocols?: string[],
    headers?: Record<string, string>,
  ): Promise<TestClient> {
    const ws = headers ? new WebSocket(url, { protocols, headers }) : new WebSocket(url, protocols);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(client);
      client.changes.until(() => client.closeEvent !== undefined, "close", 10_000).then(
        () => reject(new Error(`websocket closed before open: ${client.closeEvent?.code}`)),
        () => {},
      );
    });
  }
  async next(): Promise<Frame> {
    await this.changes.until(() => this.messages.length > this.#read, "a message");
    return this.messages[this.#read++];
  }
  async closed(): Promise<CloseEvent> {
    await this.changes.until(() => this.closeEvent !== undefined, "the client to close");
    return this.closeEvent!;
  }
  /** Closes from the client side (if still open) and waits for the close. */
  async shut(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    await this.closed();
  }
}

function decodeFrame(s: Serializer, frame: Frame): unknown {
  return s.decode(typeof frame === "string" ? frame : new Uint8Array(frame));
}

const encoder = new TextEncoder();

/** Reads from `conn` until `done(buffer)` says so or EOF. */
async function readUntil(
  conn: Deno.Conn,
  done: (data: Uint8Array) => boolean,
): Promise<Uint8Array> {
  let data = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  while (!done(data)) {
    const n = await conn.read(chunk);
    if (n === null) break;
    const next = new Uint8Array(data.length + n);
    next.set(data);
    next.set(chunk.subarray(0, n), data.length);
    data = next;
  }
  return data;
}

function headerEnd(data: Uint8Array): number {
  for (let i = 3; i < data.length; i++) {
    if (data[i - 3] === 13 && data[i - 2] === 10 && data[i - 1] === 13 && data[i] === 10) {
      return i + 1;
    }
  }
  return -1;
}

/** Sends a raw HTTP/1.1 request (Connection: close) and returns status, headers and body. */
async function rawHttp(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: string; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    await conn.write(encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
    const data = await readUntil(conn, () => false);
    const text = new TextDecoder().decode(data);
    const split = text.indexOf("\r\n\r\n");
    const head = text.slice(0, split);
    return {
      status: Number(head.split(" ")[1]),
      headers: head.toLowerCase(),
      body: text.slice(split + 4),
    };
  } finally {
    conn.close();
  }
}

/** A WebSocket upgrade written by hand over TCP: the client then does whatever the test wants. */
async function rawUpgrade(port: number, path: string, protocol: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  ));
  const head = await readUntil(conn, (d) => headerEnd(d) >= 0);
  const end = headerEnd(head);
  const status = new TextDecoder().decode(head.subarray(0, end)).split(" ")[1];
  assert.equal(status, "101");
  assert.equal(end, head.length, "no frame expected right after the handshake");
  return conn;
}

/** Parses unmasked server frames out of a byte stream. */
class FrameReader {
  #pending = new Uint8Array(0);
  readonly frames: { opcode: number; payload: Uint8Array }[] = [];
  push(chunk: Uint8Array): void {
    const buf = new Uint8Array(this.#pending.length + chunk.length);
    buf.set(this.#pending);
    buf.set(chunk, this.#pending.length);
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = buf[at] & 0x0f;
      let len = buf[at + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = (buf[at + 2] << 8) | buf[at + 3];
        head = 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = Number(new DataView(buf.buffer, buf.byteOffset + at + 2, 8).getBigUint64(0));
        head = 10;
      }
      if (buf.length - at < head + len) break;
      this.frames.push({ opcode, payload: buf.slice(at + head, at + head + len) });
      at += head + len;
    }
    this.#pending = buf.slice(at);
  }
}

/** A masked client frame (text = opcode 1, binary = 2, close = 8). */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = new Uint8Array([1, 2, 3, 4]);
  const len = payload.length;
  const head = len < 126 ? 2 : 4;
  const out = new Uint8Array(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else {
    out[1] = 0x80 | 126;
    out[2] = len >> 8;
    out[3] = len & 0xff;
  }
  out.set(mask, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i] ^ mask[i % 4];
  return out;
}

// ---------------------------------------------------------------------------
// Server fixture

interface Fixture {
  server: WebSocketServer;
  acceptor: FakeAcceptor;
  url: string;
  port: number;
  logger: MemoryLogger;
  connect(protocols?: string[], headers?: Record<string, string>): Promise<TestClient>;
}

/** Runs `fn` against a fresh server on 127.0.0.1:0; always shuts it down and closes clients. */
async function withServer(
  options: Partial<ServeWebSocketOptions>,
  fn: (f: Fixture) => Promise<void>,
): Promise<void> {
  const acceptor = new FakeAcceptor();
  const logger = new MemoryLogger();
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    serializers: all,
    logger,
    transportId: "ws-test",
    shutdownGraceMs: 1000,
    ...options,
  });
  const port = server.addr.port;
  const url = `ws://127.0.0.1:${port}${options.path ?? "/ws"}`;
  const clients: TestClient[] = [];
  try {
    await fn({
      server,
      acceptor,
      url,
      port,
      logger,
      async connect(protocols = ["wamp.2.json"], headers) {
        const c = await TestClient.open(url, protocols, headers);
        clients.push(c);
        return c;
      },
    });
  } finally {
    await server.shutdown();
    await Promise.all(clients.map((c) => c.closed()));
  }
}

const hello = [1, "realm1", { roles: { caller: {} } }];

// ---------------------------------------------------------------------------
// Tests

for (const s of all) {
  Deno.test(`createWebSocketHandler() negotiates wamp.2.${s.name} and frames it as ${s.binary ? "binary" : "text"}`, async () => {
    await withServer({}, async (f) => {
      const client = await f.connect([`wamp.2.${s.name}`]);
      assert.equal(client.ws.protocol, `wamp.2.${s.name}`);
      const session = await f.acceptor.next();
      assert.equal(session.peer.info.serializer, s.name);

      client.ws.send(s.encode(hello));
      await session.until(() => session.received.length === 1, "HELLO");
      assert.deepEqual(session.received[0], hello);

      const frame = await client.next(); // the echo
      assert.equal(typeof frame === "string", !s.binary, "frame kind");
      assert.deepEqual(decodeFrame(s, frame), hello);
      await client.shut();
      await session.until(() => session.closedCount === 1, "closed()");
    });
  });
}

Deno.test("serveWebSocket() speaks JSON, MessagePack and CBOR by default", async () => {
  const acceptor = new FakeAcceptor();
  const server = await serveWebSocket(acceptor, { hostname: "127.0.0.1", port: 0 });
  try {
    for (const s of all) {
      const c = await TestClient.open(`ws://127.0.0.1:${server.addr.port}/ws`, [
        `wamp.2.${s.name}`,
      ]);
      assert.equal(c.ws.protocol, `wamp.2.${s.name}`);
      await c.shut();
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("createWebSocketHandler() follows the client's order of preference", async () => {
  await withServer({}, async (f) => {
    const a = await f.connect(["wamp.2.cbor", "wamp.2.json"]);
    assert.equal(a.ws.protocol, "wamp.2.cbor");
    assert.equal((await f.acceptor.next()).peer.info.serializer, "cbor");
    const b = await f.connect(["mqtt", "wamp.2.msgpack", "wamp.2.json"]);
    assert.equal(b.ws.protocol, "wamp.2.msgpack");
    assert.equal((await f.acceptor.next()).peer.info.serializer, "msgpack");
    await a.shut();
    await b.shut();
  });
});

Deno.test("createWebSocketHandler() only offers the configured serializers", async () => {
  await withServer({ serializers: [msgpack] }, async (f) => {
    const res = await rawHttp(f.port, "/ws", {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": btoa("0123456789abcdef"),
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Protocol": "wamp.2.json",
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /wamp\.2\.msgpack/);
    const c = await f.connect(["wamp.2.json", "wamp.2.msgpack"]);
    assert.equal(c.ws.protocol, "wamp.2.msgpack");
    await c.shut();
  });
});

Deno.test("createWebSocketHandler() fills PeerInfo from the request", async () => {
  await withServer({}, async (f) => {
    const client = await f.connect(["wamp.2.json"], { "X-Custom-Thing": "yes" });
    const { info } = (await f.acceptor.next()).peer;
    assert.equal(info.type, "websocket");
    assert.match(info.peer, /^tcp4:127\.0\.0\.1:\d+$/);
    assert.notEqual(info.peer, `tcp4:127.0.0.1:${f.port}`, "the client's port, not ours");
    assert.equal(info.serializer, "json");
    assert.equal(info.transportId, "ws-test");
    const extra = info.extra as Record<string, unknown>;
    const headers = extra.http_headers_received as Record<string, string>;
    assert.equal(headers["x-custom-thing"], "yes");
    assert.equal(headers["sec-websocket-protocol"], "wamp.2.json");
    assert.equal(headers.host, `127.0.0.1:${f.port}`);
    assert.equal(extra.websocket_protocol, "wamp.2.json");
    assert.equal(extra.http_request_path, "/ws");
    assert.equal(extra.is_secure, false);
    await client.shut();
  });
});

Deno.test("createWebSocketHandler() shows IPv6 peers as tcp6:[addr]:port", async (t) => {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname: "::1", port: 0, onListen() {} }, () => new Response());
  } catch {
    t.step({ name: "no IPv6 loopback here", ignore: true, fn() {} });
    return;
  }
  await server.shutdown();
  const acceptor = new FakeAcceptor();
  const ipv6 = await serveWebSocket(acceptor, { hostname: "::1", port: 0, serializers: all });
  try {
    const c = await TestClient.open(`ws://[::1]:${ipv6.addr.port}/ws`, ["wamp.2.json"]);
    assert.match((await acceptor.next()).peer.info.peer, /^tcp6:\[::1\]:\d+$/);
    await c.shut();
  } finally {
    await ipv6.shutdown();
  }
});

Deno.test("createWebSocketHandler() answers 426 to a plain HTTP request, serveWebSocket() 404 off its path", async () => {
  await withServer({}, async (f) => {
    const res = await fetch(`http://127.0.0.1:${f.port}/ws`);
    assert.equal(res.status, 426);
    assert.equal(res.headers.get("upgrade"), "websocket");
    const body = await res.text();
    assert.match(body, /WAMP WebSocket endpoint/);
    assert.match(body, /wamp\.2\.json, wamp\.2\.msgpack, wamp\.2\.cbor/);
    const other = await fetch(`http://127.0.0.1:${f.port}/other`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
    assert.equal(f.acceptor.sessions.length, 0);
  });
});

Deno.test("createWebSocketHandler() answers 400 when no offered subprotocol is supported", async () => {
  await withServer({}, async (f) => {
    const upgrade = {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": btoa("0123456789abcdef"),
      "Sec-WebSocket-Version": "13",
    };
    const bad = await rawHttp(f.port, "/ws", {
      ...upgrade,
      "Sec-WebSocket-Protocol": "mqtt, wamp.1.json",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /mqtt, wamp\.1\.json/);
    assert.match(bad.body, /wamp\.2\.json/);

    const none = await rawHttp(f.port, "/ws", upgrade);
    assert.equal(none.status, 400);
    assert.match(none.body, /no WebSocket subprotocol offered/);

    // Deno's own client sees a failed handshake, and the server is fine.
    await assert.rejects(TestClient.open(f.url, ["mqtt"]));
    const ok = await f.connect(["wamp.2.json"]);
    await ok.shut();
    assert.equal(f.acceptor.sessions.length, 1);
  });
});

Deno.test("createWebSocketHandler() answers 400 to a broken upgrade instead of throwing", async () => {
  await withServer({}, async (f) => {
    const res = await rawHttp(f.port, "/ws", {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Protocol": "wamp.2.json",
      // no Sec-WebSocket-Key / Version
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /invalid WebSocket upgrade request/);
  });
});

Deno.test("createWebSocketHandler() with requireSubprotocol: false speaks JSON to clients that offer none", async () => {
  await withServer({ requireSubprotocol: false }, async (f) => {
    const client = await f.connect([]);
    assert.equal(client.ws.protocol, "");
    const session = await f.acceptor.next();
    assert.equal(session.peer.info.serializer, "json");
    assert.equal((session.peer.info.extra as Record<string, unknown>).websocket_protocol, null);
    client.ws.send(JSON.stringify(hello));
    assert.deepEqual(JSON.parse(await client.next() as string), hello);
    await client.shut();
  });
});

Deno.test("createWebSocketHandler() rejects invalid options with what and the value", () => {
  const acceptor = new FakeAcceptor();
  const base: WebSocketOptions = { serializers: all };
  assert.throws(
    () => createWebSocketHandler(acceptor, { ...base, maxMessageSize: 0 }),
    /maxMessageSize: .* got 0/,
  );
  assert.throws(
    () => createWebSocketHandler(acceptor, { ...base, maxOutboundBytes: 1.5 }),
    /maxOutboundBytes: .* got 1.5/,
  );
  assert.throws(
    () => createWebSocketHandler(acceptor, { ...base, idleTimeout: -1 }),
    /idleTimeout: .* got -1/,
  );
  assert.throws(() => createWebSocketHandler(acceptor, { serializers: [] }), /serializers: /);
});

Deno.test("WebSocketConnection: an oversize message is a protocol violation and closes with 1009", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.echo = false;
    const exact = JSON.stringify(["x".repeat(1024 - 4)]);
    assert.equal(exact.length, 1024);
    client.ws.send(exact); // exactly at the limit: accepted
    await session.until(() => session.received.length === 1, "the message at the limit");
    client.ws.send(JSON.stringify(["x".repeat(2000)]));
    const closed = await client.closed();
    assert.equal(closed.code, 1009);
    assert.equal(session.violations.length, 1);
    assert.match(session.violations[0], /exceeds the limit of 1024 bytes/);
    // The router's ABORT went out before the close.
    const abort = JSON.parse(client.messages.at(-1) as string);
    assert.equal(abort[0], 3);
    assert.equal(abort[2], "wamp.error.protocol_violation");
    await session.until(() => session.closedCount === 1, "closed()");
    assert.equal(session.received.length, 1);
  });
});

Deno.test("WebSocketConnection: counts UTF-8 bytes, not UTF-16 units, against maxMessageSize", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    const text = JSON.stringify(["é".repeat(600)]); // 604 UTF-16 units, 1204 UTF-8 bytes
    assert.ok(text.length < 1024);
    client.ws.send(text);
    assert.equal((await client.closed()).code, 1009);
    assert.match(session.violations[0], /message of 1204 bytes/);
  });
});

Deno.test("WebSocketConnection: an oversize binary message closes with 1009", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.msgpack"]);
    const session = await f.acceptor.next();
    client.ws.send(msgpack.encode([16, 1, {}, "a.topic", [new Uint8Array(4096)]]));
    assert.equal((await client.closed()).code, 1009);
    assert.equal(session.violations.length, 1);
  });
});

Deno.test("WebSocketConnection: an undecodable message is a protocol violation (1007), later input is ignored", async () => {
  await withServer({}, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.echo = false;
    client.ws.send('[1, "realm1", {');
    client.ws.send(JSON.stringify(hello));
    assert.equal((await client.closed()).code, 1007);
    assert.equal(session.violations.length, 1);
    assert.match(session.violations[0], /cannot decode json message/);
    assert.equal(session.received.length, 0);
  });
});

Deno.test("WebSocketConnection: a binary message on JSON, or text on msgpack, is a protocol violation (1003)", async () => {
  await withServer({}, async (f) => {
    const j = await f.connect(["wamp.2.json"]);
    const js = await f.acceptor.next();
    j.ws.send(encoder.encode(JSON.stringify(hello)));
    assert.equal((await j.closed()).code, 1003);
    assert.match(js.violations[0], /binary WebSocket message on wamp\.2\.json/);

    const m = await f.connect(["wamp.2.msgpack"]);
    const ms = await f.acceptor.next();
    m.ws.send(JSON.stringify(hello));
    assert.equal((await m.closed()).code, 1003);
    assert.match(ms.violations[0], /text WebSocket message on wamp\.2\.msgpack/);
    assert.equal(js.received.length + ms.received.length, 0);
  });
});

Deno.test("WebSocketConnection: a client disconnect calls closed() exactly once", async () => {
  await withServer({}, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    await client.shut();
    await session.until(() => session.closedCount === 1, "closed()");
    session.peer.send([36, 1, 2, {}]); // after close: dropped, no throw
    session.peer.close(); // idempotent
    await delay(50);
    assert.equal(session.closedCount, 1);
  });
});

Deno.test("WebSocketConnection: closed() once even when Deno fires close twice (server close, then TCP drop)", async () => {
  await withServer({}, async (f) => {
    const conn = await rawUpgrade(f.port, "/ws", "wamp.2.json");
    const session = await f.acceptor.next();
    session.peer.close(); // our close frame; this client never answers it
    const reader = new FrameReader();
    const buf = new Uint8Array(1024);
    while (!reader.frames.some((fr) => fr.opcode === 8)) {
      const n = await conn.read(buf);
      assert.notEqual(n, null);
      reader.push(buf.subarray(0, n!));
    }
    const close = reader.frames.find((fr) => fr.opcode === 8)!;
    assert.equal((close.payload[0] << 8) | close.payload[1], 1000);
    conn.close(); // drop TCP without a close reply
    await session.until(() => session.closedCount >= 1, "closed()");
    await delay(100);
    assert.equal(session.closedCount, 1);
  });
});

Deno.test("Peer.close() sends what is queued first, then closes with 1000", async () => {
  await withServer({}, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    for (let i = 0; i < 500; i++) session.peer.send([36, 1, i, {}, ["x".repeat(100)]]);
    session.peer.close();
    const closed = await client.closed();
    assert.equal(closed.code, 1000);
    assert.equal(client.messages.length, 500);
    assert.equal(JSON.parse(client.messages[499] as string)[2], 499);
    await session.until(() => session.closedCount === 1, "closed()");
  });
});

Deno.test("Peer.send() replaces a too-big RESULT with ERROR wamp.error.payload_size_exceeded", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.peer.send([50, 7, {}, ["x".repeat(2000)]]);
    const error = JSON.parse(await client.next() as string);
    assert.deepEqual(error.slice(0, 5), [8, 48, 7, {}, "wamp.error.payload_size_exceeded"]);
    assert.match(error[5][0], /exceeds the transport limit of 1024 bytes/);
    // A too-big ERROR (e.g. forwarded from a callee) is replaced the same way.
    session.peer.send([8, 48, 8, {}, "app.error", ["y".repeat(2000)]]);
    assert.deepEqual(JSON.parse(await client.next() as string).slice(0, 5), [
      8,
      48,
      8,
      {},
      "wamp.error.payload_size_exceeded",
    ]);
    assert.equal(client.ws.readyState, WebSocket.OPEN);
    assert.ok(f.logger.lines.some((l) => l.msg === "websocket message not delivered"));
    await client.shut();
  });
});

Deno.test("Peer.send() answers a too-big INVOCATION to the router as the callee's ERROR", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.echo = false;
    session.peer.send([68, 5, 99, {}, ["x".repeat(2000)]]);
    assert.equal(session.received.length, 0, "not re-entering the router from inside send()");
    await session.until(() => session.received.length === 1, "the injected ERROR");
    const error = session.received[0] as unknown[];
    assert.deepEqual(error.slice(0, 5), [8, 68, 5, {}, "wamp.error.payload_size_exceeded"]);
    assert.equal(client.messages.length, 0);
    await client.shut();
  });
});

Deno.test("Peer.send() drops a too-big EVENT and keeps the connection", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.peer.send([36, 1, 2, {}, ["x".repeat(2000)]]);
    session.peer.send([36, 1, 3, {}, ["small"]]);
    assert.deepEqual(JSON.parse(await client.next() as string), [36, 1, 3, {}, ["small"]]);
    await client.shut();
  });
});

Deno.test("Peer.send() closes with 1011 when a router-made message cannot be sent", async () => {
  await withServer({ maxMessageSize: 1024 }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.peer.send([2, 1, { authid: "x".repeat(2000) }]);
    assert.equal((await client.closed()).code, 1011);
    assert.equal(client.messages.length, 0);
  });
});

Deno.test("Peer.send() replaces a RESULT the serializer cannot encode with an ERROR", async () => {
  await withServer({ serializers: [pickyJson] }, async (f) => {
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    session.peer.send([50, 3, {}, ["unencodable"]]);
    const error = JSON.parse(await client.next() as string);
    assert.deepEqual(error.slice(0, 5), [8, 48, 3, {}, "wamp.error.runtime_error"]);
    assert.match(error[5][0], /json serializer cannot encode/);
    await client.shut();
  });
});

Deno.test("WebSocketConnection: a router that throws in receive() costs the connection (1011), not the process", async () => {
  await withServer({}, async (f) => {
    f.acceptor.configure = (s) => {
      s.throwOnReceive = true;
    };
    const client = await f.connect(["wamp.2.json"]);
    const session = await f.acceptor.next();
    client.ws.send(JSON.stringify(hello));
    assert.equal((await client.closed()).code, 1011);
    await session.until(() => session.closedCount === 1, "closed()");
    assert.ok(
      f.logger.lines.some((l) => l.level === "error" && /router failed in receive/.test(l.msg)),
    );
    const again = await f.connect(["wamp.2.json"]);
    await again.shut();
  });
});

Deno.test("WebSocketConnection: idleTimeout closes a peer that does not answer pings", async () => {
  await withServer({ idleTimeout: 1 }, async (f) => {
    const conn = await rawUpgrade(f.port, "/ws", "wamp.2.json");
    try {
      const session = await f.acceptor.next();
      await session.until(() => session.closedCount === 1, "the idle timeout", 5000);
    } finally {
      conn.close();
    }
  });
});

Deno.test("WebSocketConnection: a peer that does not read gets overflow() once, memory stays bounded, others go on", async () => {
  const maxOutboundBytes = 256 * 1024;
  await withServer({ maxOutboundBytes, maxMessageSize: 64 * 1024 }, async (f) => {
    const other = await f.connect(["wamp.2.json"]);
    const otherSession = await f.acceptor.next();

    const conn = await rawUpgrade(f.port, "/ws", "wamp.2.json");
    try {
      const slow = await f.acceptor.next();
      const event: RouterMessage = [36, 1, 2, {}, ["x".repeat(1000)]];
      const size = JSON.stringify(event).length;
      let sent = 0;
      // Flood in batches, letting I/O run in between, until the router is told.
      while (slow.overflows.length === 0 && sent < 100_000) {
        for (let i = 0; i < 200; i++) slow.peer.send(event);
        sent += 200;
        await delay(0);
      }
      assert.equal(slow.overflows.length, 1, `overflow after ${sent} sends`);
      const queued = slow.overflows[0];
      assert.ok(queued > maxOutboundBytes && queued <= maxOutboundBytes + size, `queued ${queued}`);

      // Keep flooding: everything is dropped now, so memory does not grow.
      const rssBefore = Deno.memoryUsage().rss;
      for (let i = 0; i < 50_000; i++) slow.peer.send(event); // ~50 MB if it were queued
      const growth = Deno.memoryUsage().rss - rssBefore;
      assert.ok(growth < 40 * 1024 * 1024, `rss grew by ${growth} bytes`);
      assert.equal(slow.overflows.length, 1, "overflow() is called once");

      // The other connection is unaffected.
      other.ws.send(JSON.stringify(hello));
      assert.deepEqual(JSON.parse(await other.next() as string), hello);
      assert.equal(otherSession.violations.length + otherSession.overflows.length, 0);

      // The slow peer, when it finally reads, finds whole frames and then a close (1008).
      const reader = new FrameReader();
      const buf = new Uint8Array(256 * 1024);
      let bytes = 0;
      while (!reader.frames.some((fr) => fr.opcode === 8)) {
        const n = await conn.read(buf);
        assert.notEqual(n, null);
        bytes += n!;
        reader.push(buf.subarray(0, n!));
      }
      const close = reader.frames.at(-1)!;
      assert.equal(close.opcode, 8);
      assert.equal((close.payload[0] << 8) | close.payload[1], 1008);
      assert.equal(new TextDecoder().decode(close.payload.subarray(2)), "slow consumer");
      assert.ok(
        reader.frames.length - 1 < sent,
        `${reader.frames.length - 1} of ${sent} delivered`,
      );
      // Each frame of `size` has a 4-octet header (payload 126-65535 octets).
      assert.ok(bytes < sent * (size + 4), `${bytes} octets read, ${sent} messages sent`);
      // Answer the close like a real client; the router hears closed() once.
      await conn.write(clientFrame(8, close.payload));
      await slow.until(() => slow.closedCount === 1, "closed()");
    } finally {
      conn.close();
    }
    await other.shut();
  });
});

Deno.test("serveWebSocket() shutdown() closes every client with 1001 and stops listening", async () => {
  const acceptor = new FakeAcceptor();
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    serializers: all,
  });
  const url = `ws://127.0.0.1:${server.addr.port}/ws`;
  const a = await TestClient.open(url, ["wamp.2.json"]);
  const b = await TestClient.open(url, ["wamp.2.cbor"]);
  const sa = await acceptor.next();
  const sb = await acceptor.next();
  await server.shutdown();
  assert.equal((await a.closed()).code, 1001);
  assert.equal((await b.closed()).code, 1001);
  assert.equal(sa.closedCount, 1);
  assert.equal(sb.closedCount, 1);
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }));
  await server.shutdown(); // idempotent
});

Deno.test("serveWebSocket() shutdown() finishes within the grace period when a peer does not read", async () => {
  const acceptor = new FakeAcceptor();
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    serializers: all,
    shutdownGraceMs: 200,
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  const conn = await rawUpgrade(server.addr.port, "/ws", "wamp.2.json");
  try {
    const session = await acceptor.next();
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 100; j++) session.peer.send([36, 1, 2, {}, ["x".repeat(1000)]]);
      await delay(0);
    }
    const started = performance.now();
    await server.shutdown();
    assert.ok(performance.now() - started < 2000, "bounded by the grace period");
    await session.until(() => session.closedCount === 1, "closed()");
    // Let Deno finish its pending writes (else the op sanitizer sees them): drain to EOF.
    await readUntil(conn, () => false);
  } finally {
    conn.close();
  }
});

Deno.test("serveWebSocket() shuts down when its signal is aborted", async () => {
  const acceptor = new FakeAcceptor();
  const abort = new AbortController();
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/wamp",
    serializers: all,
    signal: abort.signal,
  });
  const client = await TestClient.open(`ws://127.0.0.1:${server.addr.port}/wamp`, [
    "wamp.2.msgpack",
  ]);
  abort.abort();
  assert.equal((await client.closed()).code, 1001);
  await server.shutdown();
});

Deno.test("serveWebSocket() rejects when the port is taken", async () => {
  const acceptor = new FakeAcceptor();
  const first = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    serializers: all,
  });
  try {
    await assert.rejects(
      serveWebSocket(acceptor, { hostname: "127.0.0.1", port: first.addr.port, serializers: all }),
      Deno.errors.AddrInUse,
    );
  } finally {
    await first.shutdown();
  }
});

Deno.test("createWebSocketHandler() mounts on a caller's Deno.serve next to other routes", async () => {
  const acceptor = new FakeAcceptor();
  const ws = createWebSocketHandler(acceptor, { serializers: [json] });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => new URL(req.url).pathname === "/a" ? ws(req, info) : new Response("static"),
  );
  try {
    assert.equal(
      await (await fetch(`http://127.0.0.1:${server.addr.port}/index.html`)).text(),
      "static",
    );
    const c = await TestClient.open(`ws://127.0.0.1:${server.addr.port}/a`, ["wamp.2.json"]);
    const s = await acceptor.next();
    c.ws.send(JSON.stringify(hello));
    assert.deepEqual(JSON.parse(await c.next() as string), hello);
    await c.shut();
    await s.until(() => s.closedCount === 1, "closed()");
  } finally {
    await server.shutdown();
  }
});

Deno.test("utf8Length() counts UTF-8 bytes", () => {
  assert.equal(utf8Length(""), 0);
  assert.equal(utf8Length("abc"), 3);
  assert.equal(utf8Length("é"), 2);
  assert.equal(utf8Length("€"), 3);
  assert.equal(utf8Length("😀"), 4);
  assert.equal(utf8Length("\ud800x"), 4); // lone surrogate -> U+FFFD
  const mixed = "aé€😀\udc00";
  assert.equal(utf8Length(mixed), encoder.encode(mixed).length);
});

Deno.test("createWebSocketHandler accepts an offer list without spaces (Node ws / AutobahnJS style)", async () => {
  const acceptor: SessionAcceptor = {
    attach: () => ({ receive() {}, protocolViolation() {}, overflow() {}, closed() {} }),
  };
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    shutdownGraceMs: 100,
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/ws`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-protocol": "wamp.2.cbor,wamp.2.msgpack,wamp.2.json",
      },
    });
    assert.equal(res.status, 101);
    assert.equal(res.headers.get("sec-websocket-protocol"), "wamp.2.cbor");
    await res.body?.cancel();
  } finally {
    await server.shutdown();
  }
});
