import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { serveWeb } from "./web.ts";

Deno.test("serveWeb() nodeinfo answers / with an HTML page naming the WebSocket URL, json serves its value, other paths 404", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: {
      "/": { type: "nodeinfo", info: { node: "n1" } },
      ws: { type: "websocket" },
      info: { type: "json", value: { a: [1, 2] }, options: { allowCrossOrigin: true } },
    },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    const html = await page.text();
    assert.match(html, new RegExp(`ws://127\\.0\\.0\\.1:${server.port}/ws`));
    assert.match(html, /n1/);
    const json = await fetch(`${base}/info`);
    assert.equal(json.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(await json.json(), { a: [1, 2] });
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    router.shutdown();
    await server.shutdown();
  }
});
