/**
 * Crossbar's universal transport on a Unix socket, in a real node: one
 * socket file serves RawSocket, WebSocket upgrades and Web paths, chosen by
 * the first bytes of each connection; `xbar check` accepts the config.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import { openRealm, startNode, tempNodeDir, writeConfig, xbar } from "./_node_kit.ts";

/** Sends `request` over a new connection to the Unix socket at `path`; the answer's head (and body, when it has a length). */
async function unixHttp(path: string, request: string): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(4096);
    let text = "";
    const deadline = Date.now() + 5000;
    const complete = () => {
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const length = /content-length: (\d+)/i.exec(text.slice(0, end));
      return !length || text.length - end - 4 >= Number(length[1]);
    };
    while (!complete()) {
      if (Date.now() > deadline) throw new Error(`no complete answer: ${JSON.stringify(text)}`);
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return text;
  } finally {
    conn.close();
  }
}

Deno.test("a universal transport on a Unix socket serves RawSocket, WebSocket and Web on one socket file", async () => {
  const dir = await tempNodeDir();
  try {
    await writeConfig(dir, {
      version: 2,
      workers: [{
        type: "router",
        id: "router1",
        realms: [openRealm("realm1")],
        transports: [{
          type: "universal",
          endpoint: { type: "unix", path: "universal.sock" },
          rawsocket: { serializers: ["json", "msgpack"] },
          websocket: { ws: { type: "websocket", serializers: ["json"] } },
          web: { paths: { "/": { type: "json", value: { hello: "universal" } } } },
        }],
      }],
    });
    const check = await xbar(["check", "--dir", dir]);
    assert.equal(check.code, 0, check.stderr);
    const node = await startNode(dir);
    try {
      const path = join(dir, "universal.sock");
      const s = await joinSession(
        await connectRawSocket({ transport: "unix", path }, { serializer: "msgpack" }),
        "realm1",
      );
      await s.register("com.example.add2", ([a, b]) => (a as number) + (b as number));
      assert.deepEqual((await s.call("com.example.add2", [20, 22])).args, [42]);
      const page = await unixHttp(
        path,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
      );
      assert.match(page, /^HTTP\/1\.1 200 /);
      assert.deepEqual(JSON.parse(page.slice(page.indexOf("\r\n\r\n") + 4)), {
        hello: "universal",
      });
      const upgrade = await unixHttp(
        path,
        "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
      );
      assert.match(upgrade, /^HTTP\/1\.1 101 /);
      assert.match(upgrade, /sec-websocket-protocol: wamp\.2\.json/i);
      await s.leave();
    } finally {
      await node.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
