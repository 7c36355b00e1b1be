import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { connect } from "../client/connect.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { joinSession } from "../client/join_session.ts";
import { jsonSerializer, msgpackSerializer } from "../serializer/mod.ts";
import { rewriteHead, serveUniversal, UNIVERSAL_PEER_HEADER } from "./universal.ts";

Deno.test("rewriteHead() sets the peer header (dropping the client's), and Connection: close unless upgrading", () => {
  const plain = rewriteHead(
    `GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n${UNIVERSAL_PEER_HEADER}: tcp4:6.6.6.6:1\r\n\r\n`,
    "tcp4:127.0.0.1:5000",
  );
  assert.equal(
    plain,
    `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${UNIVERSAL_PEER_HEADER}: tcp4:127.0.0.1:5000\r\n\r\n`,
  );
  const ws = rewriteHead(
    "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    "tcp4:127.0.0.1:5000",
  );
  assert.match(ws, /Connection: Upgrade\r\n/);
  assert.doesNotMatch(ws, /Connection: close/);
});

Deno.test("serveUniversal() serves RawSocket, WebSocket and Web on one port, with the clients' real addresses", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveUniversal(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    rawsocket: { serializers: [msgpackSerializer, jsonSerializer], maxMessageSize: 1 << 20 },
    web: {
      paths: {
        "/": { type: "json", value: { hello: "web" } },
        ws: { type: "websocket" },
      },
    },
  });
  const port = server.addr.port;
  try {
    const raw = await joinSession(
      await connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port }, {
        serializer: "msgpack",
      }),
      "realm1",
    );
    const ws = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
    await ws.register("com.example.add2", ([a, b]) => (a as number) + (b as number));
    assert.deepEqual((await raw.call("com.example.add2", [2, 3])).args, [5]);
    for (const s of [raw, ws]) {
      const details = (await s.call("wamp.session.get", [s.id])).args[0] as {
        transport: { peer: string };
      };
      assert.match(details.transport.peer, /^tcp4:127\.0\.0\.1:\d+$/);
    }
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { hello: "web" });
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    await raw.leave();
    await ws.leave();
  } finally {
    router.shutdown();
    await server.shutdown();
  }
});
