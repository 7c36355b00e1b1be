/**
 * `allowed_origins` and `allow_null_origin` from the node config are enforced
 * (issue 9, item 8; they were accepted and ignored): on a WebSocket
 * transport, on a Web transport's WebSocket path and on its long-poll path,
 * a browser origin the config does not allow is refused with 403, an
 * allowed one and a client without `Origin` get in.
 */

import { deepStrictEqual, equal, match } from "node:assert/strict";
import { freePort, routerWorker, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";

const enc = new TextEncoder();

/** Sends a WebSocket upgrade with `origin` (none when undefined); resolves with the status line. */
async function upgradeStatus(port: number, path: string, origin?: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: wamp.2.json\r\n` +
        (origin === undefined ? "" : `Origin: ${origin}\r\n`) + "\r\n",
    ));
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

Deno.test("the node enforces allowed_origins and allow_null_origin on WebSocket and long-poll", async () => {
  const dir = await tempNodeDir();
  const [wsPort, webPort] = [freePort(), freePort()];
  const origins = { allowed_origins: ["https://app.example.com"], allow_null_origin: false };
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(wsPort, {
      transports: [
        {
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: wsPort },
          options: origins,
        },
        {
          type: "web",
          id: "web1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: webPort },
          paths: {
            ws: { type: "websocket", options: origins },
            lp: { type: "longpoll", options: origins },
          },
        },
      ],
    })],
  });
  const node = await startNode(dir);
  try {
    for (const [port, path] of [[wsPort, "/ws"], [webPort, "/ws"]] as const) {
      deepStrictEqual(
        await Promise.all([
          upgradeStatus(port, path, "http://evil.example"),
          upgradeStatus(port, path, "null"),
          upgradeStatus(port, path, "https://app.example.com"),
          upgradeStatus(port, path),
        ]),
        [
          "HTTP/1.1 403 Forbidden",
          "HTTP/1.1 403 Forbidden",
          "HTTP/1.1 101 Switching Protocols",
          "HTTP/1.1 101 Switching Protocols",
        ],
        `port ${port}`,
      );
    }
    const open = (origin?: string) =>
      fetch(`http://127.0.0.1:${webPort}/lp/open`, {
        method: "POST",
        headers: origin === undefined ? {} : { origin },
        body: JSON.stringify({ protocols: ["wamp.2.json"] }),
      });
    const evil = await open("http://evil.example");
    equal(evil.status, 403);
    match(await evil.text(), /origin "http:\/\/evil.example" not allowed/);
    const ok = await open("https://app.example.com");
    equal(ok.status, 200);
    equal(ok.headers.get("access-control-allow-credentials"), "true");
    await ok.body?.cancel();
    await node.waitFor(/websocket upgrade refused .*not allowed/);
  } finally {
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
