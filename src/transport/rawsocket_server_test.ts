import assert from "node:assert/strict";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { Router } from "../router/router.ts";
import { jsonSerializer } from "../serializer/json.ts";
import { msgpackSerializer } from "../serializer/msgpack.ts";
import { cborSerializer } from "../serializer/cbor.ts";
import { MemoryLogger } from "../log/logger.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { serveRawSocket, type ServeRawSocketOptions } from "./rawsocket_server.ts";
import { ByteClient, frame } from "./rawsocket_test_kit.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** An acceptor that records what the transport tells it, and exposes the peers. */
function recorder() {
  const peers: Peer[] = [];
  const received: unknown[][] = [];
  const violations: string[] = [];
  const overflows: number[] = [];
  const closed: number[] = [];
  const closedWaiters: (() => void)[] = [];
  const acceptor: SessionAcceptor = {
    attach(peer: Peer): SessionHandle {
      const i = peers.length;
      peers.push(peer);
      received.push([]);
      closed.push(0);
      return {
        receive: (v) => received[i].push(v),
        protocolViolation: (text) => {
          violations.push(text);
          peer.close();
        },
        overflow: (bytes) => {
          overflows.push(bytes);
          peer.close();
        },
        closed: () => {
          closed[i]++;
          for (const w of closedWaiters.splice(0)) w();
        },
      };
    },
  };
  const untilClosed = async (i: number) => {
    while (closed[i] === undefined || closed[i] === 0) {
      await new Promise<void>((r) => closedWaiters.push(r));
    }
  };
  return { acceptor, peers, received, violations, overflows, closed, untilClosed };
}

async function serve(acceptor: SessionAcceptor, options: Partial<ServeRawSocketOptions> = {}) {
  const server = await serveRawSocket(acceptor, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    ...options,
  });
  return { server, addr: server.addr as Deno.NetAddr };
}

async function open(addr: Deno.NetAddr, second = 0xf1): Promise<ByteClient> {
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, second, 0, 0]);
  const reply = await c.read(4);
  assert.equal(reply[0], 0x7f);
  assert.equal(reply[1] & 0x0f, second & 0x0f, `handshake refused: ${[...reply]}`);
  return c;
}

const ticks = (n = 5) => new Promise((r) => setTimeout(r, n));

for (
  const [id, serializer] of [[1, jsonSerializer], [2, msgpackSerializer], [
    3,
    cborSerializer,
  ]] as const
) {
  Deno.test(`serveRawSocket() completes the handshake for ${serializer.name} (id ${id}) and decodes its frames`, async () => {
    const r = recorder();
    const { server, addr } = await serve(r.acceptor, { maxMessageSize: 65536 });
    const c = await ByteClient.connect(addr);
    await c.write([0x7f, 0xf0 | id, 0, 0]);
    assert.deepEqual(
      [...await c.read(4)],
      [0x7f, 0x70 | id, 0, 0],
      "announces 2^16 and echoes the serializer",
    );
    const hello = [1, "realm1", { roles: {} }];
    const encoded = serializer.encode(hello);
    await c.write(frame(0, typeof encoded === "string" ? enc(encoded) : encoded));
    while (r.received[0]?.length !== 1) await ticks();
    assert.deepEqual(r.received[0][0], hello);
    const info = r.peers[0].info;
    assert.equal(info.type, "rawsocket");
    assert.equal(info.serializer, serializer.name);
    assert.equal(info.peer, `tcp4:127.0.0.1:${(c.conn.localAddr as Deno.NetAddr).port}`);
    r.peers[0].send([2, 123, {}] as RouterMessage);
    const [type, payload] = await c.readFrame();
    assert.equal(type, 0);
    assert.deepEqual(serializer.decode(serializer.binary ? payload : dec(payload)), [2, 123, {}]);
    c.close();
    await r.untilClosed(0);
    await server.shutdown();
  });
}

Deno.test("serveRawSocket() answers an unsupported serializer (nibble 0xF) with error 1 and closes", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xff, 0, 0]);
  assert.deepEqual([...await c.readToEnd()], [0x7f, 0x10, 0, 0]);
  c.close();
  assert.equal(r.peers.length, 0, "no session attached");
  await server.shutdown();
});

Deno.test("serveRawSocket({serializers}) refuses a serializer it was not given with error 1", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor, { serializers: [cborSerializer] });
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xf1, 0, 0]);
  assert.deepEqual([...await c.readToEnd()], [0x7f, 0x10, 0, 0]);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket() answers reserved handshake bits with error 3", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xf1, 0x01, 0]);
  assert.deepEqual([...await c.readToEnd()], [0x7f, 0x30, 0, 0]);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket({maxConnections}) refuses one connection too many with error 4, then admits again", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor, { maxConnections: 1 });
  const first = await open(addr);
  const second = await ByteClient.connect(addr);
  await second.write([0x7f, 0xf1, 0, 0]);
  assert.deepEqual([...await second.readToEnd()], [0x7f, 0x40, 0, 0]);
  second.close();
  first.close();
  await r.untilClosed(0);
  const third = await open(addr);
  third.close();
  await r.untilClosed(1);
  await server.shutdown();
});

Deno.test("serveRawSocket() closes without a reply when the first octet is not 0x7F (an HTTP request)", async () => {
  const logger = new MemoryLogger();
  const r = recorder();
  const { server, addr } = await serve(r.acceptor, { logger });
  const c = await ByteClient.connect(addr);
  await c.write(enc("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.equal((await c.readToEnd()).length, 0);
  c.close();
  assert.equal(r.peers.length, 0);
  assert.ok(logger.lines.some((l) => /not a RawSocket client/.test(l.msg)));
  await server.shutdown();
});

Deno.test("serveRawSocket() drops a client that sends no handshake within handshakeTimeoutMs", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor, { handshakeTimeoutMs: 100 });
  const c = await ByteClient.connect(addr);
  await c.write([0x7f]);
  const t0 = Date.now();
  assert.equal((await c.readToEnd(3000)).length, 0);
  assert.ok(Date.now() - t0 < 2000);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket() takes the first frame pipelined with the handshake, two frames in one segment, and one frame split across segments", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await ByteClient.connect(addr);
  const hs = new Uint8Array([0x7f, 0xf1, 0, 0]);
  const f1 = frame(0, "[1]");
  await c.write(new Uint8Array([...hs, ...f1]));
  await c.read(4);
  await c.write(new Uint8Array([...frame(0, "[2]"), ...frame(0, "[3]")]));
  const split = frame(0, '["four",{"x":1}]');
  await c.write(split.subarray(0, 2));
  await ticks(20);
  await c.write(split.subarray(2, 9));
  await ticks(20);
  await c.write(split.subarray(9));
  while (r.received[0]?.length !== 4) await ticks();
  assert.deepEqual(r.received[0], [[1], [2], [3], ["four", { x: 1 }]]);
  c.close();
  await r.untilClosed(0);
  await server.shutdown();
});

Deno.test("serveRawSocket() answers PING with a PONG carrying the same payload, and accepts PONG", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await open(addr);
  const payload = new Uint8Array([0, 1, 2, 0xff, 42]);
  await c.write(frame(1, payload));
  assert.deepEqual(await c.readFrame(), [2, payload]);
  await c.write(new Uint8Array([...frame(2, "unsolicited"), ...frame(0, "[7]")]));
  while (r.received[0]?.length !== 1) await ticks();
  assert.deepEqual(r.received[0], [[7]]);
  assert.deepEqual(r.violations, []);
  c.close();
  await r.untilClosed(0);
  await server.shutdown();
});

Deno.test("serveRawSocket() treats a frame over its announced limit as a protocol violation: ABORT, then close", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const { server, addr } = await serve(router, { maxMessageSize: 1024 });
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xf1, 0, 0]);
  assert.deepEqual([...await c.read(4)], [0x7f, 0x11, 0, 0], "announces 2^10");
  await c.write(frame(0, "x".repeat(1025)));
  const [type, payload] = await c.readFrame();
  assert.equal(type, 0);
  const abort = JSON.parse(dec(payload));
  assert.equal(abort[0], 3);
  assert.equal(abort[2], "wamp.error.protocol_violation");
  assert.match(abort[1].message, /1025 bytes exceeds the announced limit of 1024/);
  assert.equal((await c.readToEnd()).length, 0);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket() treats a reserved frame type as a protocol violation and stops delivering", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await open(addr);
  await c.write(new Uint8Array([...frame(5, "?"), ...frame(0, "[1]")]));
  await c.readToEnd();
  c.close();
  await r.untilClosed(0);
  assert.equal(r.violations.length, 1);
  assert.match(r.violations[0], /reserved RawSocket frame type 5/);
  assert.deepEqual(r.received[0], []);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket() treats an undecodable payload as a protocol violation", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await open(addr);
  await c.write(frame(0, "{not json"));
  await c.readToEnd();
  c.close();
  await r.untilClosed(0);
  assert.match(r.violations[0], /cannot decode json message/);
  c.close();
  await server.shutdown();
});

Deno.test("serveRawSocket() closes cleanly on a frame truncated by EOF: closed() once, nothing delivered", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await open(addr);
  await c.write(frame(0, "[1,2,3]").subarray(0, 6));
  await c.conn.closeWrite();
  await c.readToEnd();
  await r.untilClosed(0);
  await ticks(20);
  assert.equal(r.closed[0], 1);
  assert.deepEqual(r.received[0], []);
  assert.deepEqual(r.violations, []);
  c.close();
  await server.shutdown();
});

Deno.test("RawSocketConnection.close() writes what is queued before closing", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const c = await open(addr);
  while (r.peers.length === 0) await ticks();
  for (let i = 0; i < 100; i++) r.peers[0].send([17, i, i] as RouterMessage);
  r.peers[0].close();
  r.peers[0].close();
  const rest = await c.readToEnd();
  let count = 0;
  for (let off = 0; off < rest.length; count++) {
    off += 4 + ((rest[off + 1] << 16) | (rest[off + 2] << 8) | rest[off + 3]);
  }
  assert.equal(count, 100);
  c.close();
  await r.untilClosed(0);
  assert.equal(r.closed[0], 1);
  await server.shutdown();
});

Deno.test("serveRawSocket() never sends a message over the client's limit: a RESULT becomes an ERROR, an EVENT is dropped and logged", async () => {
  const logger = new MemoryLogger();
  const r = recorder();
  const { server, addr } = await serve(r.acceptor, { logger });
  const c = await open(addr, 0x01); // the client accepts 512 bytes
  while (r.peers.length === 0) await ticks();
  const big = "y".repeat(600);
  r.peers[0].send([36, 1, 2, {}, [big]] as RouterMessage); // EVENT: dropped
  r.peers[0].send([50, 7, {}, [big]] as RouterMessage); // RESULT: replaced
  const [, payload] = await c.readFrame();
  const err = JSON.parse(dec(payload));
  assert.deepEqual(err.slice(0, 5), [8, 48, 7, {}, "wamp.error.payload_size_exceeded"]);
  assert.match(err[5][0], /exceeds the peer's RawSocket limit of 512 bytes/);
  assert.ok(
    logger.lines.some((l) =>
      l.msg === "rawsocket message not delivered" && l.fields?.action === "drop"
    ),
  );
  c.close();
  await r.untilClosed(0);
  await server.shutdown();
});

Deno.test("serveRawSocket() closes a slow reader at maxOutboundBytes (overflow once, bounded queue) while other connections go on", async () => {
  const r = recorder();
  const maxOutboundBytes = 1024 * 1024;
  const { server, addr } = await serve(r.acceptor, {
    maxOutboundBytes,
    serializers: [msgpackSerializer],
  });
  const slow = await open(addr, 0xf2);
  const fast = await open(addr, 0xf2);
  while (r.peers.length < 2) await ticks();
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  for (let i = 0; i < 4000 && r.overflows.length === 0; i++) {
    r.peers[0].send([36, 1, i, {}, [chunk]] as RouterMessage);
    sent++;
    if (i % 8 === 0) await ticks(0);
  }
  assert.equal(r.overflows.length, 1, `no overflow after ${sent} messages`);
  assert.ok(
    r.overflows[0] <= maxOutboundBytes + chunk.length + 64,
    `queue grew to ${r.overflows[0]}`,
  );
  await r.untilClosed(0);
  // The other connection is unaffected.
  await fast.write(frame(1, "still here"));
  assert.deepEqual(await fast.readFrame(), [2, enc("still here")]);
  slow.close();
  fast.close();
  await r.untilClosed(1);
  await server.shutdown();
});

Deno.test("RawSocketServer.shutdown() closes every connection (the router hears closed()) and stops listening", async () => {
  const r = recorder();
  const { server, addr } = await serve(r.acceptor);
  const a = await open(addr);
  const b = await open(addr);
  while (r.peers.length < 2) await ticks();
  assert.equal(server.connections, 2);
  const ends = [a, b].map(async (c) => {
    const rest = await c.readToEnd();
    c.close();
    return rest.length;
  });
  await server.shutdown();
  assert.deepEqual(r.closed, [1, 1]);
  assert.deepEqual(await Promise.all(ends), [0, 0]);
  assert.equal(server.connections, 0);
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: addr.port }));
  await server.shutdown();
});

Deno.test("serveRawSocket() rejects invalid options with what and the value", async () => {
  const r = recorder();
  await assert.rejects(
    serveRawSocket(r.acceptor, { endpoint: { type: "tcp", port: 0 }, maxMessageSize: 100 }),
    /maxMessageSize: .*got 100/,
  );
  await assert.rejects(
    serveRawSocket(r.acceptor, { endpoint: { type: "tcp", port: 70000 } }),
    /endpoint.port: .*got 70000/,
  );
  await assert.rejects(
    serveRawSocket(r.acceptor, { endpoint: { type: "tcp", port: 0 }, maxConnections: -1 }),
    /maxConnections/,
  );
  await assert.rejects(
    serveRawSocket(r.acceptor, { endpoint: { type: "tcp", port: 0 }, serializers: [] }),
    /serializers/,
  );
});

Deno.test("serveRawSocket({signal}) shuts the server down when the signal aborts", async () => {
  const r = recorder();
  const controller = new AbortController();
  const { server, addr } = await serve(r.acceptor, { signal: controller.signal });
  const c = await open(addr);
  while (r.peers.length === 0) await ticks();
  const end = c.readToEnd().then((rest) => {
    c.close();
    return rest.length;
  });
  controller.abort();
  await server.shutdown();
  assert.equal(await end, 0);
  assert.deepEqual(r.closed, [1]);
});
