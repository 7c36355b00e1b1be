/**
 * The router's own cost, in process: CPU time per routed call (CALL →
 * INVOCATION → YIELD → RESULT) and per publication to 8 subscribers, over
 * in-memory peers (no sockets, no serializer), read from /proc/self/stat so
 * other load on the machine changes it little. For hot-path changes:
 * `--against <checkout>` measures another checkout of xbar the same way, in
 * alternating processes, and prints each round and the median ratio.
 *
 * ```sh
 * deno run -A scripts/bench_core.ts                       # this checkout
 * deno run -A scripts/bench_core.ts --against /tmp/base   # this checkout vs another
 * ```
 *
 * Options: --calls N (default 500000), --events N (default 150000),
 * --rounds N (default 6).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    against: { type: "string" },
    calls: { type: "string", default: "500000" },
    events: { type: "string", default: "150000" },
    rounds: { type: "string", default: "6" },
    child: { type: "string" },
  },
});

interface Figures {
  /** CPU µs per routed call. */
  call: number;
  /** CPU µs per publication delivered to 8 subscribers. */
  publish: number;
}

/** Runs the measurement on the router of checkout `root` (in this process). */
async function measure(root: string, calls: number, events: number): Promise<Figures> {
  const { Router } = await import(`file://${resolve(root)}/src/router/router.ts`);
  const router = new Router({ realms: [{ name: "realm1" }], handshakeTimeoutMs: 0 });
  type Handle = { receive(v: unknown): void };
  const peer = (onMessage: (m: unknown[]) => void): Handle =>
    router.attach({
      info: { type: "rawsocket", peer: "bench", serializer: "msgpack" },
      send: (m: unknown[]) => onMessage(m),
      close: () => {},
    });
  const roles = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
  let results = 0;
  let delivered = 0;
  const callee: Handle = peer((m) => {
    if (m[0] === 68) callee.receive([70, m[1], {}, m[4]]);
  });
  const caller = peer((m) => {
    if (m[0] === 50) results++;
  });
  callee.receive([1, "realm1", { roles }]);
  caller.receive([1, "realm1", { roles }]);
  callee.receive([64, 1, {}, "com.bench.echo"]);
  for (let i = 0; i < 8; i++) {
    const s = peer((m) => {
      if (m[0] === 36) delivered++;
    });
    s.receive([1, "realm1", { roles }]);
    s.receive([32, 1, {}, "com.bench.topic"]);
  }
  const args = [1, "two", { three: 3 }];
  const cpuMs = () => {
    const st = Deno.readTextFileSync("/proc/self/stat");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  for (let i = 1; i <= 20000; i++) caller.receive([48, 1e9 + i, {}, "com.bench.echo", args]);
  for (let i = 1; i <= 5000; i++) caller.receive([16, i, {}, "com.bench.topic", args]);
  results = 0;
  delivered = 0;
  const c0 = cpuMs();
  for (let i = 1; i <= calls; i++) caller.receive([48, i, {}, "com.bench.echo", args]);
  const c1 = cpuMs();
  for (let i = 1; i <= events; i++) caller.receive([16, i, {}, "com.bench.topic", args]);
  const c2 = cpuMs();
  router.shutdown();
  if (results !== calls || delivered !== events * 8) {
    throw new Error(
      `lost messages: ${results}/${calls} results, ${delivered}/${events * 8} events`,
    );
  }
  return { call: ((c1 - c0) * 1000) / calls, publish: ((c2 - c1) * 1000) / events };
}

async function inChild(root: string): Promise<Figures> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--single-threaded",
      fileURLToPath(import.meta.url),
      "--child",
      root,
      "--calls",
      values.calls!,
      "--events",
      values.events!,
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`measurement of ${root} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (values.child !== undefined) {
  console.log(
    JSON.stringify(await measure(values.child, Number(values.calls), Number(values.events))),
  );
} else {
  const here = fileURLToPath(new URL("..", import.meta.url));
  const rounds = Number(values.rounds);
  const mine: Figures[] = [];
  const theirs: Figures[] = [];
  const f = (x: number) => x.toFixed(2);
  console.log(
    `router core, in process: CPU us per call and per publication to 8 subscribers, ${rounds} rounds`,
  );
  for (let r = 1; r <= rounds; r++) {
    if (values.against !== undefined) theirs.push(await inChild(values.against));
    mine.push(await inChild(here));
    const a = values.against !== undefined ? theirs[theirs.length - 1] : undefined;
    console.log(
      `  round ${r}: this ${f(mine[r - 1].call)} us/call ${f(mine[r - 1].publish)} us/publish` +
        (a ? `   against ${f(a.call)} us/call ${f(a.publish)} us/publish` : ""),
    );
  }
  const mc = median(mine.map((x) => x.call));
  const mp = median(mine.map((x) => x.publish));
  if (values.against === undefined) {
    console.log(`median: ${f(mc)} us/call, ${f(mp)} us/publish`);
  } else {
    const tc = median(theirs.map((x) => x.call));
    const tp = median(theirs.map((x) => x.publish));
    console.log(
      `median: this ${f(mc)} us/call, ${f(mp)} us/publish; against ${f(tc)} us/call, ${
        f(tp)
      } us/publish; ratio this/against ${(mc / tc).toFixed(3)} per call, ${
        (mp / tp).toFixed(3)
      } per publish`,
    );
  }
}
