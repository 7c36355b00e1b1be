/**
 * A real node under attack by connection floods (issue 9, items 1 and 2):
 * file descriptors run out under `ulimit -n`, connection limits are hit, and
 * idle or half-sent HTTP requests are held open. In every case the router
 * worker keeps running (same PID), a session joined before the attack keeps
 * working, and new connections are served once the attack stops.
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import type { Session } from "../src/client/session.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  processAlive,
  routerWorker,
  type RunningNode,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
  xbar,
} from "./_node_kit.ts";

async function workerPid(dir: string): Promise<number> {
  const m = await connectManagement(join(dir, "node.sock"));
  try {
    return ((await m.call("xbar.get_worker", ["router1"])).args[0] as { pid: number }).pid;
  } finally {
    await m.leave();
  }
}

async function controlSession(url: string): Promise<Session> {
  const s = await connect(url, "realm1");
  await s.register("com.example.echo", (args) => args[0]);
  return s;
}

async function echo(s: Session, v: string): Promise<void> {
  deepStrictEqual((await s.call("com.example.echo", [v])).args, [v]);
}

/** Opens up to `n` TCP connections to `port` (stops early when connect fails). */
async function flood(port: number, n: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < n; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      break;
    }
  }
  return conns;
}

/** Resolves true when the server closes `conn` (EOF or reset) within `ms`. */
async function closedByServer(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buf = new Uint8Array(1024);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  const read = (async () => {
    for (;;) {
      try {
        if (await conn.read(buf) === null) return true;
      } catch {
        return true;
      }
    }
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function closeAll(conns: Deno.Conn[]): void {
  for (const c of conns) {
    try {
      c.close();
    } catch {
      // already closed
    }
  }
}

async function stop(node: RunningNode, dir: string): Promise<void> {
  await node.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

Deno.test("a node under ulimit -n 256 survives 600 idle connections to each of its listeners: same worker PID, the joined session keeps working, new sessions join after", async () => {
  const dir = await tempNodeDir();
  const [wsPort, rsPort, webPort] = [freePort(), freePort(), freePort()];
  const noPerIpLimit = { max_connections_per_ip: 0 };
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(wsPort, {
      transports: [
        {
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: wsPort, ...noPerIpLimit },
          options: { open_handshake_timeout: 120_000 },
        },
        {
          type: "rawsocket",
          id: "rs1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: rsPort, ...noPerIpLimit },
        },
        {
          type: "web",
          id: "web1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: webPort, ...noPerIpLimit },
          paths: { ws: { type: "websocket" }, lp: { type: "longpoll" } },
          options: { client_timeout: 120 },
        },
      ],
    })],
  });
  const node = await startNode(dir, [], { maxOpenFiles: 256 });
  const attack: Deno.Conn[] = [];
  try {
    const pid = await workerPid(dir);
    const control = await controlSession(`ws://127.0.0.1:${wsPort}/ws`);
    await echo(control, "before");

    for (const port of [wsPort, rsPort, webPort]) {
      attack.push(...await flood(port, 600));
      await node.waitFor(/out of file descriptors \(EMFILE\), refusing new connections/, 20_000);
      await echo(control, `during attack on ${port}`);
    }
    ok(processAlive(pid), "the worker runs");
    strictEqual(await workerPid(dir), pid, "same worker process");
    ok(!/worker exited/.test(node.log()), node.log());

    closeAll(attack.splice(0));
    // Once the descriptors are back, new sessions join on every listener.
    const again = await waitUntil(
      () => connect(`ws://127.0.0.1:${webPort}/ws`, "realm1").catch(() => undefined),
      "a new session on the web transport",
      20_000,
      100,
    );
    await echo(again, "after");
    await again.leave();
    await control.leave();
  } finally {
    closeAll(attack);
    await stop(node, dir);
  }
});

Deno.test("a web transport out of file descriptors serves and refuses HTTP requests without ending the worker", async () => {
  const dir = await tempNodeDir();
  const webPort = freePort();
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(webPort, {
      transports: [{
        type: "web",
        id: "web1",
        endpoint: { type: "tcp", interface: "127.0.0.1", port: webPort, max_connections_per_ip: 0 },
        paths: { ws: { type: "websocket" }, info: { type: "nodeinfo" } },
      }],
    })],
  });
  const node = await startNode(dir, [], { maxOpenFiles: 200 });
  const attack: Deno.Conn[] = [];
  try {
    const pid = await workerPid(dir);
    const control = await controlSession(`ws://127.0.0.1:${webPort}/ws`);
    attack.push(...await flood(webPort, 400));
    await node.waitFor(/out of file descriptors \(EMFILE\), refusing new connections/, 20_000);
    // Connections come and go while HTTP requests arrive on accepted ones (this
    // ended the worker when plain HTTP went through a loopback Deno.serve).
    const enc = new TextEncoder();
    for (let round = 0; round < 60; round++) {
      attack.shift()?.close();
      await attack[round]?.write(enc.encode("GET /info HTTP/1.1\r\nHost: x\r\n\r\n")).catch(
        () => {},
      );
      await new Promise((r) => setTimeout(r, 30));
    }
    await echo(control, "after the requests");
    strictEqual(await workerPid(dir), pid, "same worker process");
    ok(!/worker exited/.test(node.log()), node.log());
    closeAll(attack.splice(0));
    const res = await waitUntil(
      () => fetch(`http://127.0.0.1:${webPort}/info`).catch(() => undefined),
      "the web transport to answer",
      20_000,
      100,
    );
    strictEqual(res.status, 200);
    await res.body?.cancel();
    await control.leave();
  } finally {
    closeAll(attack);
    await stop(node, dir);
  }
});

Deno.test("a node refuses connections over max_connections_per_ip (default 256) with 503 and logs it; the joined session keeps working", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  await writeConfig(dir, { version: 2, workers: [routerWorker(port)] });
  const node = await startNode(dir);
  const attack: Deno.Conn[] = [];
  try {
    const control = await controlSession(`ws://127.0.0.1:${port}/ws`);
    attack.push(...await flood(port, 300));
    await node.waitFor(/connection refused, max_connections_per_ip reached/);
    const last = attack[attack.length - 1];
    const reply = new Uint8Array(256);
    const n = await last.read(reply);
    match(new TextDecoder().decode(reply.subarray(0, n ?? 0)), /^HTTP\/1\.1 503 /);
    await echo(control, "still here");
    await control.leave();
  } finally {
    closeAll(attack);
    await stop(node, dir);
  }
});

Deno.test("a node closes HTTP connections that send nothing, half a request head or half a body, and idle keep-alive connections", async () => {
  const dir = await tempNodeDir();
  const [wsPort, webPort] = [freePort(), freePort()];
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(wsPort, {
      transports: [
        {
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: wsPort },
          options: { open_handshake_timeout: 500 },
        },
        {
          type: "web",
          id: "web1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port: webPort },
          paths: { lp: { type: "longpoll" }, ws: { type: "websocket" } },
          options: { client_timeout: 1 },
        },
      ],
    })],
  });
  const node = await startNode(dir);
  const enc = new TextEncoder();
  const opened: Deno.Conn[] = [];
  const open = async (port: number, text: string) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    opened.push(c);
    if (text !== "") await c.write(enc.encode(text));
    return c;
  };
  try {
    const control = await controlSession(`ws://127.0.0.1:${wsPort}/ws`);
    const cases: [string, number, string][] = [
      ["idle (websocket)", wsPort, ""],
      ["partial head (websocket)", wsPort, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"],
      ["idle (web)", webPort, ""],
      ["partial head (web)", webPort, "GET /lp HTTP/1.1\r\nHost: x\r\n"],
      [
        "partial body (web long-poll open)",
        webPort,
        "POST /lp/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        'Content-Length: 1000\r\n\r\n{"protocols":',
      ],
    ];
    const conns = await Promise.all(cases.map(([, port, text]) => open(port, text)));
    const closed = await Promise.all(conns.map((c) => closedByServer(c, 10_000)));
    cases.forEach(([what], i) => ok(closed[i], `${what}: closed by the server`));

    // Keep-alive: after one answered request, an idle connection is closed too.
    const keep = await open(webPort, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
    ok(await closedByServer(keep, 10_000), "idle keep-alive connection closed");
    await node.waitFor(/web transport: connection closed: timed out .*phase="?keep-alive/);
    await echo(control, "unaffected");
    await control.leave();
  } finally {
    closeAll(opened);
    await stop(node, dir);
  }
});

Deno.test("the management socket survives a connection flood under ulimit -n 256; xbar status works after it", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  await writeConfig(dir, { version: 2, workers: [routerWorker(port)] });
  const node = await startNode(dir, [], { maxOpenFiles: 256 });
  const attack: Deno.Conn[] = [];
  try {
    const path = join(dir, "node.sock");
    for (let i = 0; i < 400; i++) {
      try {
        attack.push(await Deno.connect({ transport: "unix", path }));
      } catch {
        break;
      }
    }
    await node.waitFor(/management socket: connection refused|out of file descriptors/, 20_000);
    closeAll(attack.splice(0));
    const status = await waitUntil(
      async () => {
        const r = await xbar(["status", "--dir", dir]);
        return r.code === 0 ? r : undefined;
      },
      "xbar status to answer",
      20_000,
      200,
    );
    match(status.stdout, /running/);
    ok(processAlive(node.pid));
  } finally {
    closeAll(attack);
    await stop(node, dir);
  }
});
