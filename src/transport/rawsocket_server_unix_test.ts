import assert from "node:assert/strict";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { MemoryLogger } from "../log/logger.ts";
import { serveRawSocket } from "./rawsocket_server.ts";
import { ByteClient, frame, leaveStaleSocket } from "./rawsocket_test_kit.ts";

function echoAcceptor(): { acceptor: SessionAcceptor; peers: Peer[] } {
  const peers: Peer[] = [];
  return {
    peers,
    acceptor: {
      attach(peer: Peer): SessionHandle {
        peers.push(peer);
        return {
          receive: (v) => peer.send(v as never),
          protocolViolation: () => peer.close(),
          overflow: () => peer.close(),
          closed: () => {},
        };
      },
    },
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xbar-rs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function roundTrip(addr: Deno.UnixAddr): Promise<void> {
  const c = await ByteClient.connect(addr);
  await c.write([0x7f, 0xf1, 0, 0]);
  assert.deepEqual([...await c.read(4)], [0x7f, 0xf1, 0, 0]);
  await c.write(frame(0, "[17,1,2]"));
  const [type, payload] = await c.readFrame();
  assert.equal(type, 0);
  assert.equal(new TextDecoder().decode(payload), "[17,1,2]");
  c.close();
}

Deno.test("serveRawSocket() on a unix socket: path relative to baseDir, mode applied, file removed on shutdown", async () => {
  await withDir(async (dir) => {
    const { acceptor, peers } = echoAcceptor();
    const server = await serveRawSocket(acceptor, {
      endpoint: { type: "unix", path: "router.sock", mode: 0o600 },
      baseDir: dir,
    });
    const path = `${dir}/router.sock`;
    assert.equal((server.addr as Deno.UnixAddr).path, path);
    const info = await Deno.lstat(path);
    assert.ok(info.isSocket);
    assert.equal(info.mode! & 0o777, 0o600);
    await roundTrip(server.addr as Deno.UnixAddr);
    assert.match(peers[0].info.peer, /^unix:/);
    assert.equal(peers[0].info.type, "rawsocket");
    await server.shutdown();
    await assert.rejects(Deno.lstat(path), Deno.errors.NotFound);
  });
});

Deno.test("serveRawSocket() replaces the stale socket file of a killed process, and logs it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/router.sock`;
    await leaveStaleSocket(path);
    const logger = new MemoryLogger();
    const server = await serveRawSocket(echoAcceptor().acceptor, {
      endpoint: { type: "unix", path },
      logger,
    });
    await roundTrip(server.addr as Deno.UnixAddr);
    assert.ok(logger.lines.some((l) => /stale unix socket/.test(l.msg) && l.fields?.path === path));
    await server.shutdown();
  });
});

Deno.test("serveRawSocket() refuses a unix socket a live server uses: already in use, and leaves it working", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/router.sock`;
    const first = await serveRawSocket(echoAcceptor().acceptor, {
      endpoint: { type: "unix", path },
    });
    await assert.rejects(
      serveRawSocket(echoAcceptor().acceptor, { endpoint: { type: "unix", path } }),
      (e) =>
        e instanceof Deno.errors.AddrInUse && e.message.includes(path) &&
        /already in use/.test(e.message),
    );
    await roundTrip(first.addr as Deno.UnixAddr);
    await first.shutdown();
  });
});

Deno.test("serveRawSocket() rejects a unix socket path over 107 bytes with a clear error", async () => {
  await assert.rejects(
    serveRawSocket(echoAcceptor().acceptor, {
      endpoint: { type: "unix", path: "s".repeat(120) },
      baseDir: "/tmp",
    }),
    /unix socket path .* is 125 bytes long; the system limit is 107 bytes/,
  );
});
