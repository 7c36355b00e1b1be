import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import type { SerializerName } from "../serializer/serializer.ts";
import { cborSerializer } from "../serializer/cbor.ts";
import { serveRawSocket, type ServeRawSocketOptions } from "../transport/rawsocket_server.ts";
import { makeTestCertificate, startRawSocketFixture } from "../transport/rawsocket_test_kit.ts";
import { joinSession } from "./join_session.ts";
import type { Session } from "./session.ts";
import {
  connectRawSocket,
  RawSocketHandshakeError,
  type RawSocketTarget,
} from "./rawsocket_transport.ts";

function newRouter(): Router {
  return new Router({ realms: [{ name: "realm1" }] });
}

async function serveTcp(router: Router, options: Partial<ServeRawSocketOptions> = {}) {
  const server = await serveRawSocket(router, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    ...options,
  });
  const target: RawSocketTarget = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: (server.addr as Deno.NetAddr).port,
  };
  return { server, target };
}

/** A callee and a subscriber on one session, a caller and a publisher on another. */
async function exercise(callee: Session, caller: Session): Promise<void> {
  await callee.register("com.example.add", (args) => (args[0] as number) + (args[1] as number));
  const result = await caller.call("com.example.add", [2, 3]);
  assert.deepEqual(result.args, [5]);

  const events: unknown[] = [];
  const got = Promise.withResolvers<void>();
  await callee.subscribe("com.example.topic", (args) => {
    events.push(args[0]);
    if (events.length === 3) got.resolve();
  });
  for (let i = 0; i < 3; i++) {
    await caller.publish("com.example.topic", [{ n: i, bytes: new Uint8Array([i, 255]) }], {}, {
      acknowledge: true,
    });
  }
  await got.promise;
  assert.deepEqual(events, [0, 1, 2].map((n) => ({ n, bytes: new Uint8Array([n, 255]) })));
}

for (const serializer of ["json", "msgpack", "cbor"] as SerializerName[]) {
  Deno.test(`connectRawSocket() over TCP with ${serializer}: call and pub/sub through the real router`, async () => {
    const { server, target } = await serveTcp(newRouter());
    const a = await joinSession(await connectRawSocket(target, { serializer }), "realm1");
    const b = await joinSession(await connectRawSocket(target, { serializer }), "realm1");
    assert.equal(a.transport.info.type, "rawsocket");
    assert.equal(a.transport.info.serializer, serializer);
    assert.equal(
      a.transport.info.url,
      target.transport === "tcp" ? `rs://127.0.0.1:${target.port}` : "",
    );
    await exercise(a, b);
    await a.leave();
    await b.leave();
    await server.shutdown();
  });
}

Deno.test("connectRawSocket() over a Unix socket: call and pub/sub through the real router", async () => {
  const fixture = await startRawSocketFixture(newRouter(), "unix");
  try {
    const a = await joinSession(await fixture.connect("cbor"), "realm1");
    const b = await joinSession(await fixture.connect("msgpack"), "realm1");
    assert.match(a.transport.info.url ?? "", /^unix:\/.*rs\.sock$/);
    await exercise(a, b);
    await a.leave();
    await b.leave();
  } finally {
    await fixture.close();
  }
});

Deno.test("connectRawSocket({tls}) over TLS: call and pub/sub through the real router", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xbar-tls-" });
  try {
    const cert = await makeTestCertificate(dir);
    const { server, target } = await serveTcp(newRouter(), {
      endpoint: {
        type: "tcp",
        hostname: "127.0.0.1",
        port: 0,
        tls: { key: "server.key", certificate: "server.crt" },
      },
      baseDir: dir,
    });
    const tls = { caCerts: [cert.certPem] };
    const a = await joinSession(
      await connectRawSocket(target, { serializer: "msgpack", tls }),
      "realm1",
    );
    const b = await joinSession(
      await connectRawSocket(target, { serializer: "json", tls }),
      "realm1",
    );
    assert.match(a.transport.info.url ?? "", /^rss:\/\/127\.0\.0\.1:\d+$/);
    await exercise(a, b);
    await a.leave();
    await b.leave();
    // A plain client on the TLS port fails (no handshake reply), and does not hurt the server.
    await assert.rejects(
      connectRawSocket(target, { handshakeTimeoutMs: 2000 }),
      /connectRawSocket\(rs:\/\/127\.0\.0\.1:\d+\)/,
    );
    await server.shutdown();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("connectRawSocket() rejects with RawSocketHandshakeError code 1 when the router does not speak the serializer", async () => {
  const { server, target } = await serveTcp(newRouter(), { serializers: [cborSerializer] });
  await assert.rejects(
    connectRawSocket(target, { serializer: "json" }),
    (e) =>
      e instanceof RawSocketHandshakeError && e.code === 1 &&
      /serializer unsupported \(error 1\)/.test(e.message),
  );
  await server.shutdown();
});

Deno.test("connectRawSocket() rejects with RawSocketHandshakeError code 4 at the router's connection limit", async () => {
  const { server, target } = await serveTcp(newRouter(), { maxConnections: 1 });
  const first = await connectRawSocket(target);
  await assert.rejects(
    connectRawSocket(target),
    (e) => e instanceof RawSocketHandshakeError && e.code === 4,
  );
  first.close();
  await server.shutdown();
});

Deno.test("connectRawSocket() rejects naming the target when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assert.rejects(
    connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port }),
    new RegExp(`connectRawSocket\\(rs://127.0.0.1:${port}\\): .*refused`, "i"),
  );
});

Deno.test("RawSocket client send() throws for a message over the router's limit: the call rejects, the session goes on", async () => {
  const { server, target } = await serveTcp(newRouter(), { maxMessageSize: 1024 });
  const s = await joinSession(await connectRawSocket(target), "realm1");
  await s.register("echo", (args) => args[0]);
  await assert.rejects(
    s.call("echo", ["z".repeat(2000)]),
    (e) => e instanceof RangeError && /router's RawSocket limit of 1024 bytes/.test(e.message),
  );
  assert.deepEqual((await s.call("echo", ["small"])).args, ["small"]);
  await s.leave();
  await server.shutdown();
});

Deno.test("RawSocket client announces its limit: a result over it comes back as wamp.error.payload_size_exceeded", async () => {
  const { server, target } = await serveTcp(newRouter());
  const callee = await joinSession(await connectRawSocket(target), "realm1");
  const caller = await joinSession(
    await connectRawSocket(target, { maxLengthExponent: 1 }),
    "realm1",
  ); // 1 KiB
  await callee.register("big", () => "b".repeat(5000));
  await assert.rejects(
    caller.call("big"),
    (e) => (e as { uri?: string }).uri === "wamp.error.payload_size_exceeded",
  );
  await callee.leave();
  await caller.leave();
  await server.shutdown();
});

Deno.test("RawSocket client transport: onclose fires once with a reason when the router shuts down", async () => {
  const { server, target } = await serveTcp(newRouter());
  const t = await connectRawSocket(target);
  const reasons: (string | undefined)[] = [];
  const closed = Promise.withResolvers<void>();
  t.onclose = (reason) => {
    reasons.push(reason);
    closed.resolve();
  };
  assert.equal(t.isOpen, true);
  await server.shutdown();
  await closed.promise;
  assert.equal(t.isOpen, false);
  assert.deepEqual(reasons, ["RawSocket closed by the router"]);
  t.close();
  t.send([1, "realm1", {}]);
  assert.equal(reasons.length, 1);
});

Deno.test("RawSocket client transport: close() is idempotent and onclose follows once", async () => {
  const { server, target } = await serveTcp(newRouter());
  const t = await connectRawSocket(target, { serializer: "cbor" });
  let n = 0;
  const closed = Promise.withResolvers<string | undefined>();
  t.onclose = (reason) => {
    n++;
    closed.resolve(reason);
  };
  t.close();
  t.close();
  assert.equal(t.isOpen, false);
  assert.equal(await closed.promise, "RawSocket closed by the client");
  assert.equal(n, 1);
  await server.shutdown();
});

Deno.test("RawSocket client pipelines many calls in one turn and gets every result in order", async () => {
  const { server, target } = await serveTcp(newRouter());
  const callee = await joinSession(
    await connectRawSocket(target, { serializer: "msgpack" }),
    "realm1",
  );
  const caller = await joinSession(
    await connectRawSocket(target, { serializer: "msgpack" }),
    "realm1",
  );
  await callee.register("inc", (args) => (args[0] as number) + 1);
  const results = await Promise.all(
    Array.from({ length: 2000 }, (_, i) => caller.call("inc", [i])),
  );
  assert.deepEqual(results.map((r) => r.args?.[0]), Array.from({ length: 2000 }, (_, i) => i + 1));
  await callee.leave();
  await caller.leave();
  await server.shutdown();
});
