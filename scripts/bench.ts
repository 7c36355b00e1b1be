/**
 * `deno task bench`: router throughput, latency, fan-out and memory, each
 * printed beside a baseline measured in the same run (a bare Deno WebSocket
 * echo on this machine), with the issue's targets as ratios; then router
 * links (scale-up): two router processes linked over a Unix socket as two
 * router workers of a node are, calls/s and events/s that cross the link
 * beside the same on one router, and router CPU time per routed call and
 * per delivered event, local vs across the link (from /proc/<pid>/stat).
 *
 * The server (router or echo) runs in its own process; load is driven from
 * this one, so each side has a core of the 2-core machine.
 *
 * Then flow control: max-rate publishing to SUBSCRIBERS subscribers with and
 * without flow control in the same run (events/s delivered, events lost,
 * subscribers disconnected, how much the publisher was slowed), and start-up
 * time (launch of `xbar start` to its WebSocket port accepting, medians of
 * alternating runs; beside another checkout's with --startup-baseline).
 *
 * Plain HTTP (Web transport: our front and HTTP/1.1, which also bounds
 * time and connections) is measured beside a bare `Deno.serve` with the
 * same answer, in the same process and run, alternating rounds.
 *
 * Options: --seconds N (per throughput run, default 3), --rounds N (of
 * alternating comparisons, default 3), --quick (1 s runs,
 * fewer latency samples, 200 idle sessions for memory), --links (only the
 * router links part), --flow (only flow control, idle memory and start-up),
 * --memory (only idle memory and the V8 flags' cost), --memory-baseline
 * <checkout dir> (also idle memory of that checkout's `bench_server.ts
 * memory`), --v8-flags <flags> (weigh these V8 flags instead of the router
 * workers' own), --startup (only start-up), --startup-baseline <checkout dir> (also time
 * `xbar start` of that checkout, e.g. main, in the same rounds), --http (only
 * the plain HTTP part), --transport-baseline <checkout dir> (only the router's
 * CPU per message over real sockets, this checkout against that one's
 * `bench_server.ts`, and this checkout with session statistics on;
 * alternating rounds: for transport hot-path changes).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadSerializers, serializers } from "../src/serializer/mod.ts";
import type { Serializer } from "../src/serializer/serializer.ts";
import type { Message } from "../src/wamp/messages.ts";
import type { ClientTransport } from "../src/client/client_transport.ts";
import { connectWebSocket } from "../src/client/websocket_transport.ts";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import { connectLean, LeanWebSocket } from "./bench_ws_client.ts";
import { generateKeyPair } from "../src/node/node_key.ts";
import { ROUTER_WORKER_V8_FLAGS } from "../src/node/worker_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string" },
    "v8-flags": { type: "string" },
    quick: { type: "boolean", default: false },
    links: { type: "boolean", default: false },
    flow: { type: "boolean", default: false },
    startup: { type: "boolean", default: false },
    memory: { type: "boolean", default: false },
    "memory-baseline": { type: "string" },
    "startup-baseline": { type: "string" },
    "transport-baseline": { type: "string" },
    http: { type: "boolean", default: false },
  },
});
await loadSerializers(); // the lean drivers encode and decode themselves
const SECONDS = values.quick ? 1 : Number(values.seconds);
const LAT_SAMPLES = values.quick ? 500 : 3000;
const IDLE_SESSIONS = values.quick ? 200 : 1000;
const CALLERS = 4;
const WINDOW = 50;
const SUBSCRIBERS = 8;
const ROUNDS = values.rounds !== undefined ? Number(values.rounds) : values.quick ? 1 : 3;
/** The V8 flags of router worker processes, whose memory and throughput the bench weighs against Deno's defaults. */
const V8_CANDIDATE = [`--v8-flags=${values["v8-flags"] ?? ROUTER_WORKER_V8_FLAGS}`];

interface Server {
  port: number;
  /** `http`: the bare Deno.serve baseline. */
  baselinePort?: number;
  /** The router's WebSocket endpoint on Deno.serve + Deno.upgradeWebSocket (the "before"). */
  legacyPort?: number;
  tcpPort?: number;
  unixPath?: string;
  pid: number;
  /** Sends a line to the server's stdin and resolves with its next line on stdout. */
  request(line: string): Promise<string>;
  stop(): Promise<void>;
}

async function startServer(
  kind: "router" | "fanout" | "echo" | "tcpecho" | "nodews" | "linked" | "http" | "memory",
  args: string[] = [],
  env: Record<string, string> = {},
  denoFlags: string[] = [],
  script = fileURLToPath(new URL("./bench_server.ts", import.meta.url)),
): Promise<Server> {
  const node = kind === "nodews";
  const child = new Deno.Command(node ? "node" : Deno.execPath(), {
    args: node ? [fileURLToPath(new URL("../tests/node/ws_echo.mjs", import.meta.url))] : [
      "run",
      "-A",
      ...denoFlags,
      script,
      kind,
      ...args,
    ],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${kind} server exited before listening`);
    buf += value;
  }
  const { port, tcpPort, unixPath, legacyPort, baselinePort } = JSON.parse(buf.split("\n")[0]);
  buf = buf.slice(buf.indexOf("\n") + 1);
  const writer = child.stdin.getWriter();
  return {
    port,
    tcpPort,
    unixPath,
    legacyPort,
    baselinePort,
    pid: child.pid,
    async request(line: string) {
      await writer.write(new TextEncoder().encode(line + "\n"));
      while (!buf.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`${kind} server exited`);
        buf += value;
      }
      const answer = buf.slice(0, buf.indexOf("\n"));
      buf = buf.slice(answer.length + 1);
      return answer;
    },
    async stop() {
      await writer.close().catch(() => {});
      await reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

function rssKiB(pid: number, field = "VmRSS"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) : NaN;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function openWs(port: number, protocol?: string, path = "/"): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = protocol
      ? new WebSocket(`ws://127.0.0.1:${port}${path}`, protocol)
      : new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("websocket connect failed"));
  });
}

/** Which client drives WebSocket load: Deno's WebSocket, or the lean one (`bench_ws_client.ts`). */
type Driver = "deno" | "lean";

/** Echo round trips/s with CALLERS connections × WINDOW messages in flight. */
async function echoThroughput(port: number, driver: Driver = "deno"): Promise<number> {
  const payload = "x".repeat(100);
  const sockets: { send(d: string): void; close(): void; onmessage: unknown }[] = await Promise
    .all(
      Array.from(
        { length: CALLERS },
        () => driver === "deno" ? openWs(port) : LeanWebSocket.open(port, "/"),
      ),
    );
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.onmessage = () => {
      count++;
      if (running) ws.send(payload);
    };
  }
  for (const ws of sockets) for (let i = 0; i < WINDOW; i++) ws.send(payload);
  await new Promise((r) => setTimeout(r, 300)); // warm up
  const c0 = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (count - c0) / ((performance.now() - t0) / 1000);
  running = false;
  for (const ws of sockets) ws.close();
  return rate;
}

/**
 * Bare Deno TCP echo of 100 B length-prefixed frames (RawSocket's framing), CALLERS
 * connections x WINDOW frames in flight, reading and writing in batches as a
 * coalescing transport does: round trips/s.
 */
async function tcpEchoThroughput(port: number): Promise<number> {
  const frame = new Uint8Array(104);
  new DataView(frame.buffer).setUint32(0, 100);
  let count = 0;
  let running = true;
  const conns = await Promise.all(
    Array.from({ length: CALLERS }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const loops = conns.map(async (c) => {
    const burst = new Uint8Array(104 * WINDOW);
    for (let i = 0; i < WINDOW; i++) burst.set(frame, i * 104);
    await c.write(burst);
    const buf = new Uint8Array(256 * 1024);
    let pending = 0;
    while (running) {
      const n = await c.read(buf);
      if (n === null) break;
      pending += n;
      const frames = Math.floor(pending / 104);
      pending -= frames * 104;
      count += frames;
      if (frames > 0 && running) await c.write(burst.subarray(0, frames * 104));
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const c0 = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (count - c0) / ((performance.now() - t0) / 1000);
  running = false;
  for (const c of conns) c.close();
  await Promise.allSettled(loops);
  return rate;
}

/** Echo latency (one message in flight): sorted samples in ms. */
async function echoLatency(port: number): Promise<number[]> {
  const ws = await openWs(port);
  const payload = "x".repeat(100);
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    let t = 0;
    let n = 0;
    ws.onmessage = () => {
      if (n++ >= 200) samples.push(performance.now() - t); // after warm-up
      if (samples.length >= LAT_SAMPLES) return resolve();
      t = performance.now();
      ws.send(payload);
    };
    t = performance.now();
    ws.send(payload);
  });
  ws.close();
  return samples.sort((a, b) => a - b);
}

/**
 * How the driver reaches the router: WebSocket (Deno's client, or `wsl` the
 * lean one) on our framing, the same on the Deno.upgradeWebSocket endpoint
 * (`legacy`, `legacyl`), RawSocket TCP or RawSocket Unix.
 */
type Link = "ws" | "wsl" | "legacy" | "legacyl" | "tcp" | "unix";

/**
 * A lean raw WAMP peer for load generation: a transport (WebSocket or
 * RawSocket) with our serializer and no client library on top, so the driver
 * costs about what the echo baselines' drivers cost and the router (not the
 * load generator) is what is measured.
 */
class RawPeer {
  t!: ClientTransport;
  id = 0;
  onmessage: (m: unknown[]) => void = () => {};
  #ser: Serializer;
  #link: Link;
  constructor(ser: Serializer, link: Link) {
    this.#ser = ser;
    this.#link = link;
  }
  async open(server: Server): Promise<this> {
    const serializer = this.#ser.name;
    const link = this.#link;
    this.t = link === "ws" || link === "legacy"
      ? await connectWebSocket(
        `ws://127.0.0.1:${link === "ws" ? server.port : server.legacyPort}/ws`,
        { serializer },
      )
      : link === "wsl" || link === "legacyl"
      ? await connectLean(link === "wsl" ? server.port : server.legacyPort!, "/ws", this.#ser)
      : link === "tcp"
      ? await connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port: server.tcpPort! }, {
        serializer,
      })
      : await connectRawSocket({ transport: "unix", path: server.unixPath! }, { serializer });
    const welcome = new Promise<void>((resolve) => {
      this.t.onmessage = (m) => {
        if (m[0] === 2) {
          this.id = m[1];
          this.t.onmessage = (m) => this.onmessage(m);
          resolve();
        }
      };
    });
    this.send([1, "realm1", { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]);
    await welcome;
    return this;
  }
  send(m: unknown[]): void {
    this.t.send(m as Message);
  }
  close(): void {
    this.t.close();
  }
}

async function peers(server: Server, n: number, ser: Serializer, link: Link): Promise<RawPeer[]> {
  return await Promise.all(Array.from({ length: n }, () => new RawPeer(ser, link).open(server)));
}

/** A callee answering every INVOCATION of bench.echo with its args. */
async function echoCallee(server: Server, ser: Serializer, link: Link): Promise<RawPeer> {
  const [callee] = await peers(server, 1, ser, link);
  const registered = new Promise<void>((resolve) => {
    callee.onmessage = (m) => {
      if (m[0] === 68) callee.send([70, m[1], {}, m[4]]);
      else if (m[0] === 65) resolve();
    };
  });
  callee.send([64, 1, {}, "bench.echo"]);
  await registered;
  return callee;
}

/** Calls `bench.echo` from a fresh peer on `server` until one succeeds (the registration crossed a link). */
async function routable(server: Server, ser: Serializer, link: Link): Promise<void> {
  const [p] = await peers(server, 1, ser, link);
  for (let req = 1;; req++) {
    const ok = await new Promise<boolean>((resolve) => {
      p.onmessage = (m) => resolve(m[0] === 50);
      p.send([48, req, {}, "bench.echo", []]);
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  p.close();
}

/**
 * Routed calls/s: one callee on `server`, CALLERS callers on `callerServer`
 * (default the same) x WINDOW calls in flight.
 */
async function callThroughput(
  server: Server,
  ser: Serializer,
  link: Link,
  callerServer: Server = server,
  cpu?: CpuProbe,
): Promise<number> {
  const callee = await echoCallee(server, ser, link);
  if (callerServer !== server) await routable(callerServer, ser, link);
  const callers = await peers(callerServer, CALLERS, ser, link);
  const payload = ["x".repeat(60)];
  let count = 0;
  let running = true;
  for (const c of callers) {
    let req = 1;
    c.onmessage = (m) => {
      if (m[0] !== 50) return;
      count++;
      if (running) c.send([48, ++req, {}, "bench.echo", payload]);
    };
    for (let i = 0; i < WINDOW; i++) c.send([48, ++req, {}, "bench.echo", payload]);
  }
  await new Promise((r) => setTimeout(r, 300));
  const c0 = count;
  const cpu0 = cpu?.pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (count - c0) / ((performance.now() - t0) / 1000);
  if (cpu) cpu.used = cpu.pids.map((p, i) => (cpuSeconds(p) - cpu0![i]) / (count - c0));
  running = false;
  await new Promise((r) => setTimeout(r, 100));
  for (const p of [callee, ...callers]) p.close();
  return rate;
}

/** Single-call latency: sorted samples in ms. */
async function callLatency(server: Server, ser: Serializer, link: Link): Promise<number[]> {
  const callee = await echoCallee(server, ser, link);
  const [caller] = await peers(server, 1, ser, link);
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    let t = 0;
    let req = 0;
    caller.onmessage = (m) => {
      if (m[0] !== 50) return;
      if (req > 200) samples.push(performance.now() - t);
      if (samples.length >= LAT_SAMPLES) return resolve();
      t = performance.now();
      caller.send([48, ++req, {}, "bench.echo", ["x"]]);
    };
    t = performance.now();
    caller.send([48, ++req, {}, "bench.echo", ["x"]]);
  });
  callee.close();
  caller.close();
  return samples.sort((a, b) => a - b);
}

/**
 * Delivered events/s with SUBSCRIBERS subscribers on `server` and an
 * acknowledged publisher window from a publisher on `pubServer` (default the
 * same).
 */
async function fanout(
  server: Server,
  ser: Serializer,
  link: Link,
  pubServer: Server = server,
  cpu?: CpuProbe,
): Promise<number> {
  const subs = await peers(server, SUBSCRIBERS, ser, link);
  const [pub] = await peers(pubServer, 1, ser, link);
  let delivered = 0;
  await Promise.all(subs.map((s) =>
    new Promise<void>((resolve) => {
      s.onmessage = (m) => {
        if (m[0] === 36) delivered++;
        else if (m[0] === 33) resolve();
      };
      s.send([32, 1, {}, "bench.topic"]);
    })
  ));
  const payload = ["x".repeat(60)];
  let running = true;
  let req = 1;
  if (pubServer !== server) {
    // until the subscriptions crossed the link: every subscriber got a probe
    const got = new Set<RawPeer>();
    const counting = subs.map((s) => s.onmessage);
    subs.forEach((s, i) =>
      s.onmessage = (m) => {
        if (m[0] === 36) got.add(s);
        counting[i](m);
      }
    );
    while (got.size < subs.length) {
      await new Promise<void>((resolve) => {
        pub.onmessage = (m) => m[0] === 17 && resolve();
        pub.send([16, ++req, { acknowledge: true }, "bench.topic", ["probe"]]);
      });
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  pub.onmessage = (m) => {
    if (m[0] === 17 && running) {
      pub.send([16, ++req, { acknowledge: true }, "bench.topic", payload]);
    }
  };
  for (let i = 0; i < WINDOW; i++) {
    pub.send([16, ++req, { acknowledge: true }, "bench.topic", payload]);
  }
  await new Promise((r) => setTimeout(r, 300));
  const d0 = delivered;
  const cpu0 = cpu?.pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (delivered - d0) / ((performance.now() - t0) / 1000);
  if (cpu) cpu.used = cpu.pids.map((p, i) => (cpuSeconds(p) - cpu0![i]) / (delivered - d0));
  running = false;
  await new Promise((r) => setTimeout(r, 100));
  for (const p of [pub, ...subs]) p.close();
  return rate;
}

/** The memory of a `memory` server at one moment (bytes). */
interface MemPoint {
  /** VmRSS as the process runs (no GC forced). */
  rss: number;
  /**
   * RssAnon: the part of `rss` that is the process's own memory (not the
   * Deno executable's code pages, which are file-backed and shared with
   * every other Deno process of the node).
   */
  rssAnon: number;
  /** V8 heap committed, before the forced GC. */
  heapTotal: number;
  /** Live JS heap after a full GC. */
  heapUsed: number;
  /** ArrayBuffers and other memory V8 tracks outside its heap, after a full GC. */
  external: number;
}

async function memPoint(server: Server): Promise<MemPoint> {
  // Idle: the server's memory return (memory_return.ts, sampling every second)
  // trims within two samples of the RSS holding still.
  await new Promise((r) => setTimeout(r, 3000));
  const rss = rssKiB(server.pid) * 1024;
  const rssAnon = rssKiB(server.pid, "RssAnon") * 1024;
  const { before, after } = JSON.parse(await server.request("mem"));
  return {
    rss,
    rssAnon,
    heapTotal: before.heapTotal,
    heapUsed: after.heapUsed,
    external: after.external,
  };
}

/** Growth between two points, in MB per 1,000 connections. */
function per1000(a: MemPoint, b: MemPoint, n: number): MemPoint {
  const f = (k: keyof MemPoint) => ((b[k] - a[k]) / 1e6) * (1000 / n);
  return {
    rss: f("rss"),
    rssAnon: f("rssAnon"),
    heapTotal: f("heapTotal"),
    heapUsed: f("heapUsed"),
    external: f("external"),
  };
}

/**
 * Idle memory in one `memory` server process started with `denoFlags`:
 * IDLE_SESSIONS bare TCP connections to a plain Deno.listen (each with one
 * 1 KiB read pending: Deno's own cost), then IDLE_SESSIONS joined idle
 * WebSocket sessions on the router, then IDLE_SESSIONS more (the first
 * batch also pays one-time costs: compiled code, the young generation, the
 * allocator's arenas; the second shows what each session adds). Growth of
 * each in MB per 1,000, and the process's RSS before.
 */
async function idleMemory(
  denoFlags: string[],
  root?: string,
): Promise<{ bare: MemPoint; ws: MemPoint; wsMore: MemPoint; baseMb: number }> {
  const server = await startServer(
    "memory",
    [],
    {},
    ["--v8-flags=--expose-gc", ...denoFlags],
    root === undefined ? undefined : `${root}/scripts/bench_server.ts`,
  );
  try {
    const p0 = await memPoint(server);
    const conns: Deno.Conn[] = [];
    for (let i = 0; i < IDLE_SESSIONS; i++) {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port: server.tcpPort! }));
    }
    const p1 = await memPoint(server);
    const all: RawPeer[] = [];
    for (let i = 0; i < IDLE_SESSIONS; i += 50) {
      all.push(...await peers(server, 50, serializers.json, "ws"));
    }
    const p2 = await memPoint(server);
    for (let i = 0; i < IDLE_SESSIONS; i += 50) {
      all.push(...await peers(server, 50, serializers.json, "ws"));
    }
    const p3 = await memPoint(server);
    for (const p of all) p.close();
    for (const c of conns) c.close();
    return {
      bare: per1000(p0, p1, IDLE_SESSIONS),
      ws: per1000(p1, p2, IDLE_SESSIONS),
      wsMore: per1000(p2, p3, IDLE_SESSIONS),
      baseMb: p0.rss / 1e6,
    };
  } finally {
    await server.stop();
  }
}

/** CPU seconds (user + system) process `pid` has used. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
const CLK_TCK = (() => {
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Processes whose CPU time a throughput run measures over its window: `used` gets seconds per message. */
interface CpuProbe {
  /** Process ids. */
  pids: number[];
  /** Set by the run: CPU seconds per counted message, per pid. */
  used?: number[];
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => n.toFixed(3);

const ratio = (a: number, b: number) => (a / b).toFixed(2);

console.log(
  `xbar bench: ${SECONDS}s runs, ${CALLERS} callers x ${WINDOW} in flight, ${SUBSCRIBERS} subscribers, ${LAT_SAMPLES} latency samples`,
);
if (values.links) {
  await linksBench();
  Deno.exit(0);
}
if (values.startup) {
  await startupBench();
  Deno.exit(0);
}
if (values.memory) {
  await memoryBench();
  Deno.exit(0);
}
if (values.flow) {
  await flowBench();
  await memoryBench();
  await startupBench();
  Deno.exit(0);
}
if (values.http) {
  await httpBench();
  Deno.exit(0);
}
if (values["transport-baseline"] !== undefined) {
  await transportBench(values["transport-baseline"]);
  Deno.exit(0);
}
const echo = await startServer("echo");
const echoRate = await echoThroughput(echo.port);
const echoLeanRate = await echoThroughput(echo.port, "lean");
const echoLat = await echoLatency(echo.port);
await echo.stop();
console.log(
  `baseline  Deno WebSocket echo (100 B text)   ${fmt(echoRate)} rt/s (Deno client), ${
    fmt(echoLeanRate)
  } rt/s (lean client)   p50 ${ms(pct(echoLat, 0.5))} ms   p99 ${ms(pct(echoLat, 0.99))} ms`,
);
let nodeRate = NaN;
let nodeLeanRate = NaN;
try {
  const nodeWs = await startServer("nodews");
  nodeRate = await echoThroughput(nodeWs.port);
  nodeLeanRate = await echoThroughput(nodeWs.port, "lean");
  await nodeWs.stop();
  console.log(
    `baseline  Node ws echo (100 B text)          ${fmt(nodeRate)} rt/s (Deno client), ${
      fmt(nodeLeanRate)
    } rt/s (lean client)`,
  );
} catch (err) {
  console.log(`baseline  Node ws echo: not run (${err}; run: cd tests/node && npm ci)`);
}

const tcpEcho = await startServer("tcpecho");
const tcpEchoRate = await tcpEchoThroughput(tcpEcho.port);
await tcpEcho.stop();
console.log(`baseline  Deno TCP echo (100 B frames, batched) ${fmt(tcpEchoRate)} rt/s`);

const router = await startServer("router");
const callsBy: Record<string, number> = {};
console.log(
  "WebSocket calls/s, before (Deno.upgradeWebSocket) and after (our framing), same run; ratios to the echo servers with the same driver:",
);
for (const driver of ["deno", "lean"] as const) {
  const base = driver === "deno" ? echoRate : echoLeanRate;
  const nodeBase = driver === "deno" ? nodeRate : nodeLeanRate;
  for (const name of ["json", "msgpack"] as const) {
    const ser = serializers[name];
    const before = await callThroughput(router, ser, driver === "deno" ? "legacy" : "legacyl");
    const after = await callThroughput(router, ser, driver === "deno" ? "ws" : "wsl");
    const evBefore = await fanout(router, ser, driver === "deno" ? "legacy" : "legacyl");
    const evAfter = await fanout(router, ser, driver === "deno" ? "ws" : "wsl");
    callsBy[`${driver}/${name}`] = after;
    console.log(
      `  ${(driver + " client, " + name).padEnd(20)} calls before ${fmt(before)}/s (${
        ratio(before, base)
      } of Deno echo, ${ratio(before, nodeBase)} of Node ws echo)   after ${fmt(after)}/s (${
        ratio(after, base)
      } of Deno echo, ${ratio(after, nodeBase)} of Node ws echo; target >=0.35)   events ${
        fmt(evBefore)
      }/s -> ${fmt(evAfter)}/s`,
    );
  }
}
for (const link of ["ws", "tcp", "unix"] as const) {
  for (const name of ["json", "msgpack"] as const) {
    const ser = serializers[name];
    const calls = link === "ws" ? callsBy[`deno/${name}`] : await callThroughput(router, ser, link);
    const lat = await callLatency(router, ser, link);
    const events = await fanout(router, ser, link);
    callsBy[`${link}/${name}`] = calls;
    const base = link === "ws" ? echoRate : tcpEchoRate;
    const baseName = link === "ws" ? "ws echo" : "tcp echo";
    console.log(
      `router ${(link + "/" + name).padEnd(12)} calls ${fmt(calls)}/s (${
        (calls / base * 100).toFixed(0)
      }% of ${baseName} rt/s)` +
        `   call p50 ${ms(pct(lat, 0.5))} ms (${
          (pct(lat, 0.5) / pct(echoLat, 0.5)).toFixed(2)
        }x ws echo) p99 ${ms(pct(lat, 0.99))} ms` +
        `   events ${fmt(events)}/s with ${SUBSCRIBERS} subs (${
          (events / base).toFixed(2)
        }x ${baseName} rt/s)`,
    );
  }
}
console.log(
  `RawSocket TCP MsgPack calls/s = ${
    (callsBy["tcp/msgpack"] / callsBy["ws/json"]).toFixed(2)
  }x WebSocket JSON calls/s (target >=2x)`,
);
await router.stop();
await memoryBench();
await flowBench();
await startupBench();
await httpBench();
await linksBench();

/**
 * Idle memory (see `idleMemory`) with Deno's defaults and with V8_CANDIDATE,
 * medians of alternating runs; then what V8_CANDIDATE costs in calls/s
 * (WebSocket JSON and RawSocket TCP MsgPack) and events/s (WebSocket JSON,
 * SUBSCRIBERS subscribers), alternating rounds, same run.
 */
async function memoryBench(): Promise<void> {
  const runs = values.quick ? 1 : 3;
  type Res = Awaited<ReturnType<typeof idleMemory>>;
  const base = values["memory-baseline"];
  const variants: { name: string; flags: string[]; root?: string; res: Res[] }[] = [
    { name: "this checkout, Deno's default V8 flags", flags: [], res: [] },
    { name: `this checkout, ${V8_CANDIDATE.join(" ")}`, flags: V8_CANDIDATE, res: [] },
  ];
  if (base) {
    variants.push(
      { name: `${base}, Deno's default V8 flags`, flags: [], root: base, res: [] },
      { name: `${base}, ${V8_CANDIDATE.join(" ")}`, flags: V8_CANDIDATE, root: base, res: [] },
    );
  }
  for (let i = 0; i < runs; i++) {
    for (const v of variants) v.res.push(await idleMemory(v.flags, v.root));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const mb = (n: number) => n.toFixed(1);
  const show = (rs: Res[], part: "bare" | "ws" | "wsMore") => {
    const m = (k: keyof MemPoint) => med(rs.map((r) => r[part][k]));
    return `RSS ${mb(m("rss"))} (anonymous ${mb(m("rssAnon"))}, V8 heap committed ${
      mb(m("heapTotal"))
    }, live JS after GC ${mb(m("heapUsed"))}, external ${mb(m("external"))})`;
  };
  console.log(
    `idle memory, MB per 1,000 (${IDLE_SESSIONS} each, medians of ${runs} alternating runs; process base ${
      mb(med(variants[0].res.map((r) => r.baseMb)))
    } MB):`,
  );
  for (const v of variants) {
    console.log(`  ${v.name}`);
    console.log(`    bare Deno.listen TCP (1 KiB read pending): ${show(v.res, "bare")}`);
    console.log(
      `    router WebSocket sessions (joined, idle):   ${show(v.res, "ws")}   target <=15`,
    );
    console.log(`      ${IDLE_SESSIONS} more sessions on top:       ${show(v.res, "wsMore")}`);
  }
  // Rates scatter on a loaded 2-core machine; the router's CPU time per
  // message (from /proc) is steadier, so both are shown.
  type Pair = { def: number[]; cand: number[] };
  const rate: Record<string, Pair> = {};
  const cpu: Record<string, Pair> = {};
  const record = (key: string, flags: string[], value: number, probe: CpuProbe) => {
    rate[key] ??= { def: [], cand: [] };
    cpu[key] ??= { def: [], cand: [] };
    (flags.length ? rate[key].cand : rate[key].def).push(value);
    (flags.length ? cpu[key].cand : cpu[key].def).push(probe.used![0] * 1e6);
  };
  for (let r = 0; r < Math.max(ROUNDS, 2); r++) {
    for (const flags of [[], V8_CANDIDATE]) {
      const router = await startServer("router", [], {}, flags);
      for (const [link, name] of [["ws", "json"], ["tcp", "msgpack"]] as const) {
        const probe: CpuProbe = { pids: [router.pid] };
        const calls = await callThroughput(router, serializers[name], link, router, probe);
        record(`calls/s ${link}/${name}`, flags, calls, probe);
      }
      const probe: CpuProbe = { pids: [router.pid] };
      const events = await fanout(router, serializers.json, "ws", router, probe);
      record("events/s ws/json", flags, events, probe);
      await router.stop();
    }
  }
  for (const [key, { def, cand }] of Object.entries(rate)) {
    const c = cpu[key];
    console.log(
      `  ${key.padEnd(20)} default ${fmt(med(def))}, ${V8_CANDIDATE.join(" ")} ${fmt(med(cand))} (${
        ratio(med(cand), med(def))
      }; rounds ${
        cand.map((x, i) => (x / def[i]).toFixed(2)).join(", ")
      }); router CPU per message ${med(c.def).toFixed(2)} vs ${med(c.cand).toFixed(2)} µs (${
        ratio(med(c.cand), med(c.def))
      })`,
    );
  }
}

/**
 * The router's CPU time per message over real sockets (calls over WebSocket
 * JSON and RawSocket TCP MsgPack, events over WebSocket JSON to SUBSCRIBERS
 * subscribers): this checkout, the checkout `base` (its own
 * `bench_server.ts`), and this checkout with session statistics counted
 * (`XBAR_BENCH_STATS=1`), in alternating rounds; medians and ratios to `base`.
 */
async function transportBench(base: string): Promise<void> {
  const variants: { name: string; env: Record<string, string>; script?: string }[] = [
    { name: "this", env: {}, script: undefined },
    { name: base, env: {}, script: `${base}/scripts/bench_server.ts` },
    { name: "this, realm stats on", env: { XBAR_BENCH_STATS: "1" }, script: undefined },
  ];
  const cpu: Record<string, number[][]> = {};
  const rounds = Math.max(ROUNDS, 3);
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of variants.entries()) {
      const router = await startServer("router", [], v.env, [], v.script);
      const put = (key: string, probe: CpuProbe) =>
        (cpu[key] ??= variants.map(() => []))[i].push(probe.used![0] * 1e6);
      for (const [link, name] of [["ws", "json"], ["tcp", "msgpack"]] as const) {
        const probe: CpuProbe = { pids: [router.pid] };
        await callThroughput(router, serializers[name], link, router, probe);
        put(`calls ${link}/${name}`, probe);
      }
      const probe: CpuProbe = { pids: [router.pid] };
      await fanout(router, serializers.json, "ws", router, probe);
      put("events ws/json", probe);
      await router.stop();
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`router CPU µs per message, medians of ${rounds} alternating rounds:`);
  for (const [key, per] of Object.entries(cpu)) {
    const b = med(per[1]);
    console.log(
      `  ${key.padEnd(18)} ${
        variants.map((v, i) => `${v.name} ${med(per[i]).toFixed(2)}`).join(", ")
      }; this/base ${ratio(med(per[0]), b)} (rounds ${
        per[0].map((x, j) => (x / per[1][j]).toFixed(2)).join(", ")
      }), stats on/base ${ratio(med(per[2]), b)}`,
    );
  }
}

/**
 * Router links (scale-up): routers A and B in two processes, linked over a
 * Unix socket (B dials A) as two router workers of a node are; clients over
 * RawSocket Unix with MessagePack. Local: callee and callers (publisher and
 * subscribers) on A. Across: callee (subscribers) on A, callers (publisher)
 * on B, so each call crosses the link twice (INVOKE, RESULT) and each
 * publication once (then fans out on A). CPU per message is the routers'
 * user+system time over the run divided by the messages in it (the warm-up
 * and drain around the measured window are counted too: the run's rate times
 * its whole duration is the message count used).
 */
async function linksBench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xbar-bench-links-" });
  const pair = await generateKeyPair();
  const env = { XBAR_BENCH_KEY: `${pair.publicKey}:${pair.privateKey}` };
  const a = await startServer("linked", ["a", dir], env);
  const b = await startServer("linked", ["b", dir], env);
  const ser = serializers.msgpack;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  // Local and across alternate, ROUNDS times each; medians (the machine is shared and noisy).
  type Run = { rate: number; cpu: number[] };
  const runs: Record<"lc" | "xc" | "le" | "xe", Run[]> = { lc: [], xc: [], le: [], xe: [] };
  const measure = async (into: Run[], pids: number[], fn: (p: CpuProbe) => Promise<number>) => {
    const probe: CpuProbe = { pids };
    const rate = await fn(probe);
    into.push({ rate, cpu: probe.used!.map((x) => x * 1e6) });
  };
  for (let round = 0; round < ROUNDS; round++) {
    await measure(runs.lc, [a.pid], (p) => callThroughput(a, ser, "unix", a, p));
    await measure(runs.xc, [a.pid, b.pid], (p) => callThroughput(a, ser, "unix", b, p));
    await measure(runs.le, [a.pid], (p) => fanout(a, ser, "unix", a, p));
    await measure(runs.xe, [a.pid, b.pid], (p) => fanout(a, ser, "unix", b, p));
  }
  await a.stop();
  await b.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});

  const rate = (k: keyof typeof runs) => median(runs[k].map((r) => r.rate));
  const cpu = (k: keyof typeof runs, i: number) => median(runs[k].map((r) => r.cpu[i]));
  const perRound = (x: Run[], l: Run[]) => x.map((r, i) => (r.rate / l[i].rate).toFixed(2));
  const us = (n: number) => n.toFixed(1);
  const lc = cpu("lc", 0);
  const [xcA, xcB] = [cpu("xc", 0), cpu("xc", 1)];
  const le = cpu("le", 0);
  const [xeA, xeB] = [cpu("xe", 0), cpu("xe", 1)];
  console.log(
    `links     calls local (one router)      ${fmt(rate("lc"))}/s   router CPU ${us(lc)} us/call`,
  );
  console.log(
    `links     calls across a Unix link      ${fmt(rate("xc"))}/s (${
      (rate("xc") / rate("lc")).toFixed(2)
    }x local, target >=0.5x; rounds ${perRound(runs.xc, runs.lc).join(", ")})   router CPU ${
      us(xcA + xcB)
    } us/call (callee's router ${us(xcA)} + caller's ${us(xcB)}; ${
      ((xcA + xcB) / lc).toFixed(2)
    }x local)`,
  );
  console.log(
    `links     events local, ${SUBSCRIBERS} subs        ${fmt(rate("le"))}/s   router CPU ${
      us(le)
    } us/event delivered`,
  );
  console.log(
    `links     events across a Unix link     ${fmt(rate("xe"))}/s (${
      (rate("xe") / rate("le")).toFixed(2)
    }x local; rounds ${perRound(runs.xe, runs.le).join(", ")})   router CPU ${
      us(xeA + xeB)
    } us/event delivered (subscribers' router ${us(xeA)} + publisher's ${us(xeB)})`,
  );
  // N workers on N cores (ARCHITECTURE.md, "Links"): router CPU bound, calls spread evenly,
  // a share f of them crossing a link (f = (N-1)/N when callers and callees are placed at random).
  const proj = (n: number, f: number) => n / ((1 - f) * lc + f * (xcA + xcB)) * 1e6;
  console.log(
    `links     projection, router CPU bound, N workers on N cores, share f of calls crossing: ` +
      [2, 4, 8].map((n) =>
        `N=${n}: ${fmt(proj(n, 0))}/s (f=0), ${fmt(proj(n, (n - 1) / n))}/s (f=${
          ((n - 1) / n).toFixed(2)
        })`
      ).join("; "),
  );
}

/** What one max-rate fan-out run saw. */
interface MaxRateResult {
  /** Events published (the last one acknowledged). */
  published: number;
  /** Events delivered to all subscribers, per second of the run. */
  deliveredPerSecond: number;
  /** Events published but never delivered, summed over subscribers. */
  lost: number;
  /** Subscribers the router disconnected. */
  disconnected: number;
  /** Events published per second (the publisher as fast as its transport takes them). */
  publishedPerSecond: number;
  /** Milliseconds the publisher waited for its own transport queue to drain. */
  publisherWaitMs: number;
  /** The publisher's connection survived. */
  publisherOpen: boolean;
}

/**
 * Max-rate publishing: a publisher in its own process (`bench_publisher.ts`)
 * publishes 100 B events without acknowledgement as fast as its transport
 * takes them (it waits only while its own queue is over 1 MiB, which is how a
 * router pausing it shows) for SECONDS, then one acknowledged event;
 * SUBSCRIBERS subscribers in this process read as fast as they can (slower
 * than router and publisher together). Counts what every subscriber got until
 * the last event arrives or it is gone.
 */
async function maxRateFanout(
  server: Server,
  ser: Serializer,
  link: "ws" | "tcp",
): Promise<MaxRateResult> {
  const subs = await peers(server, SUBSCRIBERS, ser, link);
  const got = new Array(SUBSCRIBERS).fill(0);
  const closed = new Array(SUBSCRIBERS).fill(false);
  const lastSeen = new Array(SUBSCRIBERS).fill(false);
  await Promise.all(subs.map((s, i) =>
    new Promise<void>((resolve) => {
      s.onmessage = (m) => {
        if (m[0] === 36) {
          got[i]++;
          if ((m[4] as unknown[])?.[1] === "last") lastSeen[i] = true;
        } else if (m[0] === 33) resolve();
      };
      s.t.onclose = () => (closed[i] = true);
      s.send([32, 1, {}, "bench.flow"]);
    })
  ));
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      fileURLToPath(new URL("./bench_publisher.ts", import.meta.url)),
      link,
      String(link === "tcp" ? server.tcpPort : server.port),
      ser.name,
      String(SECONDS),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const pub = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    published: number;
    waitedMs: number;
    open: boolean;
  };
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && subs.some((_, i) => !closed[i] && !lastSeen[i])) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - t0) / 1000;
  const delivered = got.reduce((a, b) => a + b, 0);
  const disconnected = closed.filter((c) => c).length;
  for (const p of subs) p.close();
  await new Promise((r) => setTimeout(r, 100));
  return {
    published: pub.published,
    deliveredPerSecond: delivered / seconds,
    lost: pub.published * SUBSCRIBERS - delivered,
    disconnected,
    publishedPerSecond: pub.published / seconds,
    publisherWaitMs: pub.waitedMs,
    publisherOpen: pub.open,
  };
}

/** Flow control: max-rate fan-out without (before) and with (after) it, same run. */
async function flowBench(): Promise<void> {
  console.log(
    `flow control: max-rate publishing (100 B events, no acknowledgement) to ${SUBSCRIBERS} subscribers for ${SECONDS}s, default 4 MiB outbound bound; before = no flow control (slow consumers closed at the bound), after = flow control (publisher paused at the 1 MiB high-water mark):`,
  );
  for (const link of ["ws", "tcp"] as const) {
    for (const name of ["json", "msgpack"] as const) {
      const ser = serializers[name];
      const res: Record<string, MaxRateResult> = {};
      for (const mode of ["noflow", "flow"] as const) {
        const server = await startServer("fanout", [mode]);
        res[mode] = await maxRateFanout(server, ser, link);
        await server.stop();
      }
      const show = (r: MaxRateResult) =>
        `${fmt(r.deliveredPerSecond)} ev/s delivered, ${fmt(r.lost)} lost (${
          (r.lost / (r.published * SUBSCRIBERS) * 100).toFixed(1)
        }%), ${r.disconnected}/${SUBSCRIBERS} subscribers disconnected, publisher ${
          r.publisherOpen ? "connected" : "DISCONNECTED"
        } at ${fmt(r.publishedPerSecond)} pub/s (waited ${Math.round(r.publisherWaitMs)} ms)`;
      const b = res.noflow;
      const a = res.flow;
      console.log(`  ${(link + "/" + name).padEnd(12)} before: ${show(b)}`);
      console.log(
        `  ${"".padEnd(12)} after:  ${show(a)}   delivered after/before ${
          ratio(a.deliveredPerSecond, b.deliveredPerSecond)
        }`,
      );
    }
  }
}

/** A free TCP port on 127.0.0.1 (bound and released). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Milliseconds from launching `deno run -A <root>/cli/xbar.ts start` (a node
 * directory with a JSON config: one router worker, one WebSocket transport)
 * to its port accepting a TCP connection.
 */
async function startupOnce(root: string): Promise<number> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbar-bench-start-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({
      version: 2,
      workers: [{
        type: "router",
        id: "router1",
        realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
        transports: [{
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port },
        }],
      }],
    }),
  );
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${root}/cli/xbar.ts`, "start", "--dir", dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let t = NaN;
  while (!exited && performance.now() - t0 < 30_000) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      t = performance.now() - t0;
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  try {
    child.kill("SIGTERM");
  } catch {
    // exited
  }
  await status;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  if (Number.isNaN(t)) throw new Error(`xbar start in ${root} did not open its port`);
  return t;
}

/** Start-up: this checkout, and --startup-baseline's when given, in alternating runs (medians). */
async function startupBench(): Promise<void> {
  const here = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  const base = values["startup-baseline"];
  const runs = values.quick ? 5 : 11;
  const mine: number[] = [];
  const theirs: number[] = [];
  // One warm-up each (transpile cache), then alternate.
  await startupOnce(here);
  if (base) await startupOnce(base);
  for (let i = 0; i < runs; i++) {
    mine.push(await startupOnce(here));
    if (base) theirs.push(await startupOnce(base));
  }
  const med = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 0.5);
  const line =
    `start-up (deno run, launch to the WebSocket port accepting; JSON config, one router worker; median of ${runs}): ${
      Math.round(med(mine))
    } ms (target <=300)`;
  if (!base) {
    console.log(line);
    return;
  }
  console.log(
    `${line}; ${base}: ${Math.round(med(theirs))} ms; this/baseline ${
      ratio(med(mine), med(theirs))
    } (min ${Math.round(Math.min(...mine))} vs ${Math.round(Math.min(...theirs))} ms)`,
  );
}

/** Keep-alive GET requests/s over `conns` connections for SECONDS (fetch, from this process). */
async function httpThroughput(port: number, conns = 8): Promise<number> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: conns });
  const url = `http://127.0.0.1:${port}/j`;
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, async () => {
    while (performance.now() < until) {
      const res = await fetch(url, { client });
      await res.arrayBuffer();
      n++;
    }
  }));
  const dt = (performance.now() - t0) / 1000;
  client.close();
  return n / dt;
}

/** Plain HTTP: a Web transport's JSON path vs a bare Deno.serve, alternating rounds. */
async function httpBench(): Promise<void> {
  const http = await startServer("http");
  const ours: number[] = [];
  const base: number[] = [];
  await httpThroughput(http.port); // warm-up
  await httpThroughput(http.baselinePort!);
  for (let r = 0; r < Math.max(ROUNDS, 3); r++) {
    ours.push(await httpThroughput(http.port));
    base.push(await httpThroughput(http.baselinePort!));
  }
  await http.stop();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(
    `http      GET /j keep-alive, 8 connections: Web transport ${
      fmt(med(ours))
    } req/s, bare Deno.serve ${fmt(med(base))} req/s (${
      (med(ours) / med(base)).toFixed(2)
    }x; rounds ${ours.map((o, i) => (o / base[i]).toFixed(2)).join(", ")})`,
  );
}
