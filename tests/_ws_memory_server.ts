/**
 * A router worker stand-in for `websocket_memory_test.ts`: the real Router
 * behind `serveWebSocket` (16 MiB limit), on 127.0.0.1 port 0; prints
 * `{"port": N}` and exits when stdin closes.
 *
 * @module
 */

import { Router } from "../src/router/router.ts";
import { serveWebSocket } from "../src/transport/websocket_server.ts";

const router = new Router({ realms: [{ name: "realm1" }] });
const server = await serveWebSocket(router, {
  hostname: "127.0.0.1",
  port: 0,
  maxMessageSize: 16 * 1024 * 1024,
});
console.log(JSON.stringify({ port: server.addr.port }));
for await (const _ of Deno.stdin.readable) { /* until the parent goes */ }
Deno.exit(0);
