import assert from "node:assert/strict";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { jsonSerializer, serializerForSubprotocol } from "../serializer/mod.ts";
import { FakeRouter } from "./_fake_router.ts";
import { joinSession } from "./join_session.ts";
import { connectWebSocket } from "./websocket_transport.ts";

/** A WebSocket server feeding `router`; `pick` chooses the subprotocol from those offered. */
function serve(
  router: SessionAcceptor,
  pick: (offered: string[]) => string | undefined = (o) => o[0],
) {
  const sockets: WebSocket[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((s) =>
      s.trim()
    )
      .filter((s) => s !== "");
    const protocol = pick(offered);
    const { socket, response } = Deno.upgradeWebSocket(req, protocol ? { protocol } : {});
    sockets.push(socket);
    socket.binaryType = "arraybuffer";
    const ser = (protocol && serializerForSubprotocol(protocol)) || jsonSerializer;
    let handle: SessionHandle | undefined;
    socket.onopen = () => {
      const peer: Peer = {
        info: { type: "websocket", peer: "test", serializer: ser.name },
        send: (m) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(ser.encode(m));
        },
        close: () => socket.close(),
      };
      handle = router.attach(peer);
    };
    socket.onmessage = (ev) => {
      handle?.receive(ser.decode(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data)));
    };
    socket.onclose = () => handle?.closed();
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/ws`, server, sockets };
}

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`connectWebSocket({serializer: "${serializer}"}) negotiates wamp.2.${serializer} and carries a session`, async () => {
    const router = new FakeRouter();
    const { url, server } = serve(router);
    try {
      const transport = await connectWebSocket(url, { serializer });
      assert.equal(transport.info.serializer, serializer);
      assert.equal(transport.info.protocol, `wamp.2.${serializer}`);
      const session = await joinSession(transport, "realm1");
      const conn = router.last;
      assert.equal((conn.hello as unknown[])[1], "realm1");
      const bytes = new Uint8Array([0, 1, 255]);
      const p = session.call("com.x.echo", [1, "two", { three: 3 }, bytes]);
      const call = await conn.next();
      assert.deepEqual(call.slice(3), ["com.x.echo", [1, "two", { three: 3 }, bytes]]);
      conn.send([50, call[1] as number, {}, call[4] as unknown[]]);
      const r = await p;
      assert.deepEqual(r.args, [1, "two", { three: 3 }, bytes]);
      await session.leave();
      await conn.whenClosed();
    } finally {
      await server.shutdown();
    }
  });
}

Deno.test("connectWebSocket({protocols}) uses the serializer of the subprotocol the server picks", async () => {
  const router = new FakeRouter();
  const { url, server } = serve(
    router,
    (offered) => offered.includes("wamp.2.json") ? "wamp.2.json" : undefined,
  );
  try {
    const transport = await connectWebSocket(url, { protocols: ["wamp.2.cbor", "wamp.2.json"] });
    assert.equal(transport.info.serializer, "json");
    const session = await joinSession(transport, "realm1");
    await session.leave();
    await router.last.whenClosed();
  } finally {
    await server.shutdown();
  }
});

Deno.test("connectWebSocket() rejects clearly when the server selects no subprotocol", async () => {
  const router = new FakeRouter();
  const { url, server } = serve(router, () => undefined);
  try {
    await assert.rejects(connectWebSocket(url), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /connectWebSocket\(ws:\/\/127\.0\.0\.1:\d+\/ws\)/);
      assert.match(err.message, /wamp\.2\.json/);
      return true;
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("connectWebSocket() rejects naming the URL when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(connectWebSocket(`ws://127.0.0.1:${port}/ws`), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(
      err.message,
      new RegExp(`connectWebSocket\\(ws://127\\.0\\.0\\.1:${port}/ws\\): connection failed`),
    );
    return true;
  });
});

Deno.test("An invalid frame from the router makes the client send ABORT protocol_violation and close", async () => {
  const router = new FakeRouter();
  const { url, server, sockets } = serve(router);
  try {
    const session = await joinSession(await connectWebSocket(url), "realm1");
    const conn = router.last;
    sockets[0].send(JSON.stringify([50, "not-an-id", {}]));
    const abort = await conn.next();
    assert.equal(abort[0], 3);
    assert.equal(abort[2], "wamp.error.protocol_violation");
    const info = await session.closed;
    assert.equal(info.reason, "xbar.close.transport_lost");
    assert.match(String(info.details.message), /protocol violation/);
    await conn.whenClosed();
  } finally {
    await server.shutdown();
  }
});

Deno.test("When the server closes the socket, the session ends and pending calls reject", async () => {
  const router = new FakeRouter();
  const { url, server } = serve(router);
  try {
    const session = await joinSession(await connectWebSocket(url), "realm1");
    const conn = router.last;
    const p = session.call("a");
    await conn.next();
    conn.peer.close();
    await assert.rejects(p, /session closed: xbar\.close\.transport_lost/);
    assert.equal((await session.closed).reason, "xbar.close.transport_lost");
    await conn.whenClosed();
  } finally {
    await server.shutdown();
  }
});
