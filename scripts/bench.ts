/**
 * `deno task bench`: router throughput, latency, fan-out and memory, each
 * printed beside a baseline measured in the same run (a bare Deno WebSocket
 * echo on this machine), with the targets as ratios.
 *
 * The server (router or echo) runs in its own process; load is driven from
 * this one, so each side has a core of the 2-core machine.
 *
 * Options: --seconds N (per throughput run, default 3), --quick (1 s runs,
 * fewer latency samples, 200 idle sessions for memory).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "../src/client/connect.ts";
import type { Session } from "../src/client/session.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "3" },
    quick: { type: "boolean", default: false },
  },
});
const SECONDS = values.quick ? 1 : Number(values.seconds);
const LAT_SAMPLES = values.quick ? 500 : 3000;
const IDLE_SESSIONS = values.quick ? 200 : 1000;
const CALLERS = 4;
const WINDOW = 50;
const SUBSCRIBERS = 8;

interface Server {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(kind: "router" | "echo"): Promise<Server> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./bench_server.ts", import.meta.url).pathname, kind],
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
  reader.releaseLock();
  const { port } = JSON.parse(buf.split("\n")[0]);
  const writer = child.stdin.getWriter();
  return {
    port,
    pid: child.pid,
    async stop() {
      await writer.close().catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : NaN;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function openWs(port: number, protocol?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = protocol
      ? new WebSocket(`ws://127.0.0.1:${port}/`, protocol)
      : new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("websocket connect failed"));
  });
}

/** Echo round trips/s with CALLERS connections × WINDOW messages in flight. */
async function echoThroughput(port: number): Promise<number> {
  const payload = "x".repeat(100);
  const sockets = await Promise.all(Array.from({ length: CALLERS }, () => openWs(port)));
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

async function sessions(
  port: number,
  n: number,
  serializer: "json" | "msgpack",
): Promise<Session[]> {
  return await Promise.all(
    Array.from({ length: n }, () => connect(`ws://127.0.0.1:${port}/ws`, "realm1", { serializer })),
  );
}

/** Routed calls/s: one callee, CALLERS callers × WINDOW calls in flight. */
async function callThroughput(port: number, serializer: "json" | "msgpack"): Promise<number> {
  const [callee, ...callers] = await sessions(port, CALLERS + 1, serializer);
  await callee.register("bench.echo", (args) => args[0]);
  const payload = "x".repeat(60);
  let count = 0;
  let running = true;
  const loops = callers.flatMap((s) =>
    Array.from({ length: WINDOW }, async () => {
      while (running) {
        await s.call("bench.echo", [payload]);
        count++;
      }
    })
  );
  await new Promise((r) => setTimeout(r, 300));
  const c0 = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (count - c0) / ((performance.now() - t0) / 1000);
  running = false;
  await Promise.all(loops);
  await Promise.all([callee, ...callers].map((s) => s.leave()));
  return rate;
}

/** Single-call latency: sorted samples in ms. */
async function callLatency(port: number, serializer: "json" | "msgpack"): Promise<number[]> {
  const [callee, caller] = await sessions(port, 2, serializer);
  await callee.register("bench.echo", (args) => args[0]);
  const samples: number[] = [];
  for (let i = 0; i < LAT_SAMPLES + 200; i++) {
    const t = performance.now();
    await caller.call("bench.echo", ["x"]);
    if (i >= 200) samples.push(performance.now() - t);
  }
  await Promise.all([callee.leave(), caller.leave()]);
  return samples.sort((a, b) => a - b);
}

/** Delivered events/s with SUBSCRIBERS subscribers and an acknowledged publisher window. */
async function fanout(port: number, serializer: "json" | "msgpack"): Promise<number> {
  const [pub, ...subs] = await sessions(port, SUBSCRIBERS + 1, serializer);
  let delivered = 0;
  for (const s of subs) await s.subscribe("bench.topic", () => void delivered++);
  const payload = "x".repeat(60);
  let running = true;
  const loops = Array.from({ length: WINDOW }, async () => {
    while (running) await pub.publish("bench.topic", [payload], undefined, { acknowledge: true });
  });
  await new Promise((r) => setTimeout(r, 300));
  const d0 = delivered;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = (delivered - d0) / ((performance.now() - t0) / 1000);
  running = false;
  await Promise.all(loops);
  await Promise.all([pub, ...subs].map((s) => s.leave()));
  return rate;
}

/** Router RSS growth for IDLE_SESSIONS joined idle WebSocket sessions, in MB per 1,000. */
async function idleMemory(server: Server): Promise<{ mbPer1000: number; baseMb: number }> {
  await new Promise((r) => setTimeout(r, 200));
  const before = rssKiB(server.pid);
  const all: Session[] = [];
  for (let i = 0; i < IDLE_SESSIONS; i += 50) all.push(...await sessions(server.port, 50, "json"));
  await new Promise((r) => setTimeout(r, 500));
  const after = rssKiB(server.pid);
  await Promise.all(all.map((s) => s.leave()));
  return { mbPer1000: ((after - before) / 1024) * (1000 / IDLE_SESSIONS), baseMb: before / 1024 };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => n.toFixed(3);

console.log(
  `xbar bench: ${SECONDS}s runs, ${CALLERS} callers x ${WINDOW} in flight, ${SUBSCRIBERS} subscribers, ${LAT_SAMPLES} latency samples`,
);
const echo = await startServer("echo");
const echoRate = await echoThroughput(echo.port);
const echoLat = await echoLatency(echo.port);
await echo.stop();
console.log(
  `baseline  Deno WebSocket echo (100 B text)   ${fmt(echoRate)} rt/s   p50 ${
    ms(pct(echoLat, 0.5))
  } ms   p99 ${ms(pct(echoLat, 0.99))} ms`,
);

const router = await startServer("router");
const rows: string[] = [];
for (const ser of ["json", "msgpack"] as const) {
  const calls = await callThroughput(router.port, ser);
  const lat = await callLatency(router.port, ser);
  const events = await fanout(router.port, ser);
  rows.push(
    `router ws/${ser.padEnd(7)} calls ${fmt(calls)}/s (${
      (calls / echoRate * 100).toFixed(0)
    }% of echo rt/s, target >=40%)` +
      `   call p50 ${ms(pct(lat, 0.5))} ms (${
        (pct(lat, 0.5) / pct(echoLat, 0.5)).toFixed(2)
      }x echo, target <=2.5x) p99 ${ms(pct(lat, 0.99))} ms` +
      `   events ${fmt(events)}/s with ${SUBSCRIBERS} subs (${
        (events / echoRate).toFixed(2)
      }x echo rt/s, target >=1.2x)`,
  );
  console.log(rows[rows.length - 1]);
}
const mem = await idleMemory(router);
console.log(
  `router memory: ${
    mem.mbPer1000.toFixed(1)
  } MB per 1,000 idle WebSocket sessions (target <=20), process base ${mem.baseMb.toFixed(0)} MB`,
);
await router.stop();
