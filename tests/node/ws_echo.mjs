// The Node `ws` echo server: a baseline of `deno task bench` (scripts/bench.ts),
// beside the bare Deno WebSocket echo. Listens on 127.0.0.1 port 0, prints
// {"port": N} on stdout, exits when stdin closes. Never imported by the router.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("listening", () => {
  process.stdout.write(JSON.stringify({ port: wss.address().port }) + "\n");
});
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
