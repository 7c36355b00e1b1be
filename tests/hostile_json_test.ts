/**
 * One deeply nested JSON frame (16 MiB of `[`) before HELLO, over real
 * RawSocket and long-poll connections to a real router (issue 9, item 3):
 * refused as too deeply nested before `JSON.parse` runs (it used to stall
 * every session of the worker for seconds and take hundreds of MiB), the
 * sender's session is aborted with a protocol violation, and a session on
 * the same router keeps working.
 */

import assert from "node:assert/strict";
import { Router } from "../src/router/router.ts";
import { serveRawSocket } from "../src/transport/rawsocket_server.ts";
import { ByteClient, frame } from "../src/transport/rawsocket_test_kit.ts";
import { serveWeb } from "../src/transport/web.ts";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import { jsonSerializer } from "../src/serializer/json.ts";

const BOMB_LENGTH = 16 * 1024 * 1024 - 1;

function bomb(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(BOMB_LENGTH).fill(0x5b); // "["
}

Deno.test("a 16 MiB [[[[... frame before HELLO over RawSocket is refused as too deep; another session keeps working", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveRawSocket(router, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    serializers: [jsonSerializer],
  });
  const addr = server.addr as Deno.NetAddr;
  const control = await joinSession(
    await connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port: addr.port }, {
      serializer: "json",
    }),
    "realm1",
  );
  const attacker = await ByteClient.connect(addr);
  try {
    await control.register("com.example.echo", (args) => args[0]);
    await attacker.write([0x7f, 0xf1, 0, 0]); // 16 MiB, JSON
    assert.deepEqual([...await attacker.read(4)], [0x7f, 0xf1, 0, 0]);
    await attacker.write(frame(0, bomb()));
    const [type, payload] = await attacker.readFrame(10_000);
    assert.equal(type, 0);
    const abort = JSON.parse(new TextDecoder().decode(payload));
    assert.equal(abort[0], 3);
    assert.equal(abort[2], "wamp.error.protocol_violation");
    assert.match(abort[1].message, /nesting deeper than 1000 levels/);
    assert.deepEqual((await control.call("com.example.echo", ["still here"])).args, ["still here"]);
  } finally {
    attacker.close();
    await control.leave();
    await server.shutdown();
  }
});

Deno.test("a 16 MiB [[[[... long-poll send is refused as too deep (400, session aborted)", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const web = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: { lp: { type: "longpoll" } },
  });
  const base = `http://127.0.0.1:${web.port}/lp`;
  try {
    const open = await fetch(`${base}/open`, {
      method: "POST",
      body: JSON.stringify({ protocols: ["wamp.2.json"] }),
    });
    const { transport } = await open.json();
    const res = await fetch(`${base}/${transport}/send`, { method: "POST", body: bomb() });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /nesting deeper than 1000 levels.*the session is aborted/);
    const abort = await (await fetch(`${base}/${transport}/receive`, { method: "POST" })).json();
    assert.equal(abort[2], "wamp.error.protocol_violation");
  } finally {
    await web.shutdown();
  }
});
