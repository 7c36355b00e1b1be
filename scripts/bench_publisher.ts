/**
 * Benchmark publisher process (`bench.ts`'s max-rate fan-out): joins realm1
 * over WebSocket (`ws`) or RawSocket TCP (`tcp`) with a serializer, publishes
 * 100 B events to `bench.flow` without acknowledgement as fast as its
 * transport takes them (it waits only while its own queue is over 1 MiB: a
 * router that stops reading it shows there) for the given seconds, then one
 * acknowledged event (`"last"`), and prints one JSON line: events published,
 * milliseconds spent waiting, whether its connection survived.
 *
 * Usage: bench_publisher.ts <ws|tcp> <port> <json|msgpack|cbor> <seconds>
 *
 * @module
 */

import { connectWebSocket } from "../src/client/websocket_transport.ts";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import type { ClientTransport } from "../src/client/client_transport.ts";
import type { Message } from "../src/wamp/messages.ts";
import type { SerializerName } from "../src/serializer/serializer.ts";

const [link, portText, serializer, secondsText] = Deno.args;
const port = Number(portText);
const t: ClientTransport = link === "tcp"
  ? await connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port }, {
    serializer: serializer as SerializerName,
  })
  : await connectWebSocket(`ws://127.0.0.1:${port}/ws`, {
    serializer: serializer as SerializerName,
  });
let open = true;
t.onclose = () => (open = false);
await new Promise<void>((resolve) => {
  t.onmessage = (m) => {
    if (m[0] === 2) resolve();
  };
  t.send([1, "realm1", { roles: { publisher: {} } }] as Message);
});
const payload = "x".repeat(100);
let n = 0;
let waited = 0;
const end = performance.now() + Number(secondsText) * 1000;
while (performance.now() < end && open) {
  for (let i = 0; i < 1000; i++) {
    t.send([16, n + 2, {}, "bench.flow", [n, payload]] as Message);
    n++;
  }
  if ((t.queuedBytes ?? 0) > 1024 * 1024) {
    const w0 = performance.now();
    while ((t.queuedBytes ?? 0) > 1024 * 1024 && open && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 1));
    }
    waited += performance.now() - w0;
  } else {
    await new Promise((r) => setTimeout(r, 0));
  }
}
const acked = new Promise<void>((resolve) => {
  t.onmessage = (m) => {
    if (m[0] === 17) resolve();
  };
});
t.send([16, 1, { acknowledge: true }, "bench.flow", [n, "last"]] as Message);
n++;
await Promise.race([acked, new Promise((r) => setTimeout(r, 60_000))]);
console.log(JSON.stringify({ published: n, waitedMs: Math.round(waited), open }));
t.close();
Deno.exit(0);
