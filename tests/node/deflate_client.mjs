// A Node `ws` client that compresses with permessage-deflate and keeps its
// context between messages (ws keeps a real zlib stream per connection):
// sends `count` JSON messages of `size` similar octets to a WAMP WebSocket
// echo endpoint and checks each echo. Usage:
// node deflate_client.mjs <url> <count> <size>
// Prints one JSON line: {ok, extensions (the 101's header), echoed} or {ok: false, error}.
import WebSocket from "ws";

const [url, count, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const ws = new WebSocket(url, ["wamp.2.json"], {
  perMessageDeflate: { threshold: 0, clientNoContextTakeover: false, clientMaxWindowBits: true },
});
const done = (r) => {
  process.stdout.write(JSON.stringify(r) + "\n");
  process.exit(0);
};
setTimeout(() => done({ ok: false, error: "timeout" }), 20000);
let extensions = "";
ws.on("upgrade", (res) => (extensions = res.headers["sec-websocket-extensions"] ?? ""));
const sent = [];
let echoed = 0;
ws.on("open", () => {
  for (let i = 0; i < count; i++) {
    const text = JSON.stringify([i, "abcdefghij".repeat(Math.ceil(size / 10)).slice(0, size), i * 7]);
    sent.push(text);
    ws.send(text);
  }
});
ws.on("message", (data, isBinary) => {
  const text = data.toString();
  if (isBinary || text !== sent[echoed]) {
    done({ ok: false, error: `echo ${echoed} differs: ${text.slice(0, 80)}` });
  }
  if (++echoed === count) done({ ok: true, extensions, echoed });
});
ws.on("error", (err) => done({ ok: false, error: String(err) }));
ws.on("close", (code, reason) =>
  done({ ok: false, error: `closed with ${code} ${reason} after ${echoed} echoes` })
);
