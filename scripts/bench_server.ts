/**
 * Benchmark server process: `router` (xbar Router + WebSocket transport on
 * our framing, the same on Deno.serve + Deno.upgradeWebSocket as the
 * "before", RawSocket TCP and Unix), `fanout flow|noflow` (WebSocket and
 * RawSocket TCP with the default outbound bound, with or without flow
 * control), `echo` (a bare Deno WebSocket echo, the
 * baseline), `memory` (idle memory: see below), `tcpecho`, `http` (a Web transport's JSON path, and a bare
 * Deno.serve with the same answer as its baseline), or `linked <a|b> <dir>` (a router worker's Router
 * with links, as a router worker runs it: link socket `<dir>/link-<a|b>.sock`,
 * clients on `<dir>/<a|b>.sock`; `b` dials `a` and reports ready once the link
 * is synced; the node key comes in `XBAR_BENCH_KEY` as
 * `<public hex>:<private hex>`). Listens on 127.0.0.1 port 0, prints
 * `{"port": N, ...}` on stdout, exits when stdin closes.
 *
 * @module
 */

import { Router } from "../src/router/router.ts";
import { serveWebSocket } from "../src/transport/websocket_server.ts";
import { serveRawSocket } from "../src/transport/rawsocket_server.ts";
import { dirname, join } from "node:path";
import { linkIdentity } from "../src/router/link/link_identity.ts";
import { routerLinks } from "../src/router/link/link_manager.ts";
import { RouterLinks } from "../src/worker/router_links.ts";
import { nullLogger } from "../src/log/logger.ts";
import { createWebSocketHandler } from "../src/transport/websocket.ts";
import { serveWeb } from "../src/transport/web.ts";
import { startMemoryReturn } from "../src/worker/memory_return.ts";

const kind = Deno.args[0];
let port: number;
let memoryProbe = false;
const extra: Record<string, unknown> = {};
if (kind === "linked") {
  const [role, dir] = Deno.args.slice(1);
  const [publicKey, privateKey] = (Deno.env.get("XBAR_BENCH_KEY") ?? "").split(":");
  const router = new Router({
    realms: [{ name: "realm1" }],
    links: routerLinks(await linkIdentity(`bench/${role}`, { publicKey, privateKey })),
  });
  const links = new RouterLinks(router, {
    publicKey,
    socketPath: join(dir, `link-${role}.sock`),
    logger: nullLogger,
  });
  await links.listen();
  const unixPath = join(dir, `${role}.sock`);
  await serveRawSocket(router, {
    endpoint: { type: "unix", path: unixPath },
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  extra.unixPath = unixPath;
  port = 0;
  if (role === "b") {
    links.setPeers([{ realm: "realm1", peer: "bench/a", path: join(dir, "link-a.sock") }]);
    while (links.status()[0]?.synced !== true) await new Promise((r) => setTimeout(r, 10));
  }
} else if (kind === "router") {
  // XBAR_BENCH_STATS=1: the realm counts session statistics (realm `stats`), for their cost.
  const stats = Deno.env.get("XBAR_BENCH_STATS") === "1"
    ? {
      stats: {
        ratedMessageSize: 512,
        triggerAfterRatedMessages: 1000,
        triggerAfterDuration: 0,
        triggerOnJoin: false,
        triggerOnLeave: true,
      },
    }
    : {};
  const router = new Router({ realms: [{ name: "realm1", ...stats }] });
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  port = server.addr.port;
  // The "before": the same router on Deno.serve + Deno.upgradeWebSocket.
  const legacy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createWebSocketHandler(router, { maxOutboundBytes: 64 * 1024 * 1024 }),
  );
  extra.legacyPort = legacy.addr.port;
  const tcp = await serveRawSocket(router, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  extra.tcpPort = (tcp.addr as Deno.NetAddr).port;
  const unixPath = `${await Deno.makeTempDir({ prefix: "xbar-bench-" })}/router.sock`;
  await serveRawSocket(router, {
    endpoint: { type: "unix", path: unixPath },
    maxOutboundBytes: 64 * 1024 * 1024,
  });
  extra.unixPath = unixPath;
} else if (kind === "fanout") {
  // Max-rate fan-out: the transports' default bounds (4 MiB), with flow
  // control ("flow", the default) or without it ("noflow": xbar before flow
  // control, a slow consumer is closed at the bound).
  const flowControl = Deno.args[1] === "noflow" ? false : undefined;
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    flowControl,
  });
  port = server.addr.port;
  const tcp = await serveRawSocket(router, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
    flowControl,
  });
  extra.tcpPort = (tcp.addr as Deno.NetAddr).port;
} else if (kind === "http") {
  // Plain HTTP: a Web transport (our front and HTTP/1.1) and, as the
  // baseline, a bare Deno.serve answering the same JSON document.
  const web = await serveWeb(new Router({ realms: [{ name: "realm1" }] }), {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: { j: { type: "json", value: { ok: true, text: "x".repeat(100) } } },
  });
  port = web.port;
  const body = JSON.stringify({ ok: true, text: "x".repeat(100) });
  const plain = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body, { headers: { "content-type": "application/json" } }),
  );
  extra.baselinePort = plain.addr.port;
} else if (kind === "memory") {
  // Idle memory: the router's WebSocket endpoint and, as the baseline, a bare
  // Deno.listen whose connections each keep one 1 KiB read pending (Deno's
  // own cost of an idle connection). A `mem` line on stdin is answered with
  // Deno.memoryUsage() as is and after a full GC (with --v8-flags=--expose-gc).
  // Freed memory goes back to the OS once the RSS holds still, as in a
  // worker process (memory_return.ts).
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    limits: { maxConnectionsPerIp: 100_000 },
  });
  port = server.addr.port;
  const bare = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  extra.tcpPort = (bare.addr as Deno.NetAddr).port;
  (async () => {
    for await (const conn of bare) {
      (async () => {
        const buf = new Uint8Array(1024);
        while (await conn.read(buf).catch(() => null) !== null) { /* idle */ }
        conn.close();
      })();
    }
  })();
  memoryProbe = true;
  // As a worker process does once ready (worker_main.ts).
  startMemoryReturn();
} else if (kind === "tcpecho") {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  port = (listener.addr as Deno.NetAddr).port;
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(256 * 1024);
        while (true) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break;
          await conn.write(buf.subarray(0, n)).catch(() => {});
        }
      })();
    }
  })();
} else if (kind === "echo") {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  });
  port = server.addr.port;
} else {
  console.error(
    "usage: bench_server.ts router|fanout <flow|noflow>|echo|memory|tcpecho|http|linked <a|b> <dir>",
  );
  Deno.exit(2);
}
console.log(JSON.stringify({ port, ...extra }));
// Exit when the parent goes away; `memory` answers `mem` lines.
for await (const line of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  if (memoryProbe && line.includes("mem")) {
    const before = Deno.memoryUsage();
    (globalThis as { gc?: () => void }).gc?.();
    console.log(JSON.stringify({ before, after: Deno.memoryUsage() }));
  }
}
if (typeof extra.unixPath === "string") {
  await Deno.remove(dirname(extra.unixPath), { recursive: true }).catch(() => {});
}
Deno.exit(0);
