/**
 * Issue 9.6: oversize WebSocket messages must not be buffered whole. Six
 * clients send 48 MiB messages against a 16 MiB limit to a real router
 * process, three as one frame and three in 1 MiB fragments, all at once;
 * the process's peak RSS (VmHWM) may grow by a bounded amount (the
 * endpoint's receive budget, 64 MiB, plus buffers), not by the 288 MiB sent
 * (before: +437 MiB). Every connection ends with 1009 (too big) or 1013
 * (budget used up), and a control session keeps working.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { connectWebSocket } from "../src/client/websocket_transport.ts";

function kib(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(
    new RegExp(`${field}:\\s+(\\d+) kB`),
  );
  return Number(m![1]);
}

const MiB = 1024 * 1024;

function header(op: number, fin: boolean, len: number): Uint8Array {
  // Masked with a zero key: the payload goes as is.
  const h = new Uint8Array(14);
  h[0] = (fin ? 0x80 : 0) | op;
  h[1] = 0x80 | 127;
  new DataView(h.buffer).setUint32(6, len);
  return h;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

async function attack(port: number, fragmented: boolean): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
  ));
  const chunk = new Uint8Array(MiB).fill(0x31); // "1111..." (valid UTF-8)
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    let all = new Uint8Array(0);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      const next = new Uint8Array(all.length + n);
      next.set(all);
      next.set(buf.subarray(0, n), all.length);
      all = next;
    }
    // Find the close frame after the 101 head.
    const text = new TextDecoder("latin1").decode(all);
    const at = text.indexOf("\r\n\r\n") + 4;
    let i = at;
    while (i + 2 <= all.length) {
      const op = all[i] & 15;
      let len = all[i + 1] & 127;
      let h = 2;
      if (len === 126) [len, h] = [(all[i + 2] << 8) | all[i + 3], 4];
      if (op === 8) return (all[i + h] << 8) | all[i + h + 1];
      i += h + len;
    }
    return 1006;
  })();
  try {
    if (fragmented) {
      for (let i = 0; i < 48; i++) {
        await writeAll(conn, header(i === 0 ? 1 : 0, i === 47, MiB));
        await writeAll(conn, chunk);
      }
    } else {
      await writeAll(conn, header(1, true, 48 * MiB));
      for (let i = 0; i < 48; i++) await writeAll(conn, chunk);
    }
  } catch {
    // refused and closed while we were still sending: expected
  }
  const code = await reading;
  conn.close();
  return code;
}

Deno.test("WebSocket: six 48 MiB messages against a 16 MiB limit are refused with bounded memory; others keep working", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(new URL("./_ws_memory_server.ts", import.meta.url))],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) line += (await reader.read()).value ?? "";
  const { port } = JSON.parse(line);
  const stdin = child.stdin.getWriter();
  try {
    const control = await connectWebSocket(`ws://127.0.0.1:${port}/ws`, { serializer: "json" });
    const welcomed = new Promise<unknown[]>((resolve) => {
      control.onmessage = (m) => resolve(m);
    });
    control.send([1, "realm1", { roles: { caller: {} } }]);
    assert.equal((await welcomed)[0], 2);

    const before = kib(child.pid, "VmHWM");
    const codes = await Promise.all([
      attack(port, false),
      attack(port, false),
      attack(port, false),
      attack(port, true),
      attack(port, true),
      attack(port, true),
    ]);
    const growthMiB = (kib(child.pid, "VmHWM") - before) / 1024;
    for (const code of codes) assert.ok(code === 1009 || code === 1013, `close code ${code}`);
    assert.ok(growthMiB < 160, `peak RSS grew by ${growthMiB.toFixed(0)} MiB`);

    // The control session still works (a call to a missing procedure gets its ERROR).
    const answered = new Promise<unknown[]>((resolve) => {
      control.onmessage = (m) => resolve(m);
    });
    control.send([48, 1, {}, "no.such.proc", []]);
    assert.equal((await answered)[0], 8);
    control.close();
  } finally {
    await stdin.close().catch(() => {});
    await reader.cancel().catch(() => {});
    await child.status;
  }
});
