import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { connect } from "../client/connect.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { joinSession } from "../client/join_session.ts";
import { jsonSerializer, msgpackSerializer } from "../serializer/mod.ts";
import { serveWeb } from "./web.ts";

Deno.test("serveWeb() with rawsocket serves RawSocket, WebSocket and HTTP on one port (Crossbar's universal transport), with the clients' addresses", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: {
      "/": { type: "json", value: { hello: "web" } },
      ws: { type: "websocket" },
    },
    rawsocket: { serializers: [msgpackSerializer, jsonSerializer], maxMessageSize: 1 << 20 },
  });
  const port = server.port;
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
    await raw.leave();
    await ws.leave();
  } finally {
    router.shutdown();
    await server.shutdown();
  }
});
