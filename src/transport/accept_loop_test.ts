import * as assert from "node:assert/strict";
import { MemoryLogger } from "../log/logger.ts";
import { isFdExhaustion, runAcceptLoop } from "./accept_loop.ts";
import { ConnectionGate } from "./connection_gate.ts";
import { reserveFdHeld } from "./fd_reserve.ts";

/** A listener whose accept() results are scripted: a connection, or an error to throw. */
class ScriptedListener {
  readonly addr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
  #queue: (FakeConn | Error)[] = [];
  #waiting: ((v: FakeConn | Error) => void) | undefined;
  closed = false;
  accepts = 0;
  push(v: FakeConn | Error): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w(v);
    } else this.#queue.push(v);
  }
  async accept(): Promise<FakeConn> {
    this.accepts++;
    if (this.closed) throw new Deno.errors.BadResource("closed");
    const next = this.#queue.shift() ??
      await new Promise<FakeConn | Error>((r) => this.#waiting = r);
    if (next instanceof Error) throw next;
    return next;
  }
  close(): void {
    this.closed = true;
    this.#waiting?.(new Deno.errors.BadResource("closed"));
  }
}

class FakeConn {
  closed = false;
  readonly remoteAddr: Deno.NetAddr;
  constructor(host = "10.0.0.1") {
    this.remoteAddr = { transport: "tcp", hostname: host, port: 5 };
  }
  close(): void {
    this.closed = true;
  }
}

function emfile(): Error {
  return Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
}

function loop(listener: ScriptedListener, gateLimits = {}) {
  const logger = new MemoryLogger();
  const admitted: FakeConn[] = [];
  const gate = new ConnectionGate(gateLimits, { logger, name: "t" });
  const l = runAcceptLoop(listener as unknown as Deno.Listener, {
    gate,
    logger,
    name: "test listener",
    onConnection: (c) => admitted.push(c as unknown as FakeConn),
  });
  return { l, logger, admitted, gate };
}

const until = async (p: () => boolean) => {
  while (!p()) await new Promise((r) => setTimeout(r, 2));
};

Deno.test("runAcceptLoop() survives EMFILE: logs once (throttled), backs off, serves again; the spare descriptor is held again", async () => {
  const listener = new ScriptedListener();
  const { l, logger, admitted } = loop(listener);
  for (let i = 0; i < 5; i++) listener.push(emfile());
  listener.push(new FakeConn());
  listener.push(new FakeConn());
  await until(() => admitted.length === 2);
  assert.equal(l.exhausted, 5);
  assert.ok(reserveFdHeld());
  const lines = logger.lines.filter((x) => /out of file descriptors/.test(x.msg));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].level, "error");
  await l.stop();
});

Deno.test("runAcceptLoop() skips connection-level errors, backs off on others, ends when the listener closes", async () => {
  const listener = new ScriptedListener();
  const { l, logger, admitted } = loop(listener);
  listener.push(new Deno.errors.ConnectionAborted("aborted"));
  listener.push(new Error("something odd"));
  listener.push(new FakeConn());
  await until(() => admitted.length === 1);
  assert.ok(logger.lines.some((x) => x.msg === "test listener: accept failed"));
  listener.close();
  await l.done;
});

Deno.test("runAcceptLoop() closes connections the gate refuses", async () => {
  const listener = new ScriptedListener();
  const { l, admitted, gate } = loop(listener, { maxConnectionsPerIp: 1 });
  const a = new FakeConn("10.0.0.9"), b = new FakeConn("10.0.0.9");
  listener.push(a);
  listener.push(b);
  await until(() => b.closed);
  assert.deepEqual(admitted, [a]);
  assert.equal(gate.refused.max_connections_per_ip, 1);
  await l.stop();
});

Deno.test("isFdExhaustion() knows EMFILE and ENFILE by code or message", () => {
  assert.ok(isFdExhaustion(emfile()));
  assert.ok(isFdExhaustion(Object.assign(new Error("x"), { code: "ENFILE" })));
  assert.ok(isFdExhaustion(new Error("Http: Error: Too many open files (os error 24)")));
  assert.ok(!isFdExhaustion(new Error("Connection reset by peer (os error 104)")));
});
