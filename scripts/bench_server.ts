/**
 * Benchmark server process: `router` (xbar Router + WebSocket transport) or
 * `echo` (a bare Deno WebSocket echo, the baseline). Listens on 127.0.0.1 port
 * 0, prints `{"port": N}` on stdout, exits when stdin closes.
 *
 * @module
 */

import { Router } from "../src/router/router.ts";
import { serveWebSocket } from "../src/transport/websocket_server.ts";

const kind = Deno.args[0];
let port: number;
if (kind === "router") {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  port = server.addr.port;
} else if (kind === "echo") {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  });
  port = server.addr.port;
} else {
  console.error("usage: bench_server.ts router|echo");
  Deno.exit(2);
}
console.log(JSON.stringify({ port }));
// Exit when the parent goes away.
for await (const _ of Deno.stdin.readable) { /* drain */ }
Deno.exit(0);
