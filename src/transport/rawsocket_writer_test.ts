import assert from "node:assert/strict";
import { RawSocketWriter, type WritableConn } from "./rawsocket_writer.ts";
import { RawSocketFrameReader } from "./rawsocket_frame_reader.ts";

/** A fake connection that records writes and can be told how much each write takes. */
class FakeConn implements WritableConn {
  chunks: Uint8Array[] = [];
  /** Octets accepted per write (partial writes). */
  perWrite = Infinity;
  /** When set, writes wait for `release()`. */
  gate: PromiseWithResolvers<void> | undefined;
  fail: Error | undefined;

  async write(p: Uint8Array): Promise<number> {
    if (this.gate) await this.gate.promise;
    if (this.fail) throw this.fail;
    const n = Math.min(p.length, this.perWrite);
    this.chunks.push(p.slice(0, n));
    return n;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

function frames(bytes: Uint8Array): [number, string][] {
  const r = new RawSocketFrameReader({ maxLength: 1 << 24 });
  r.push(bytes);
  const out: [number, string][] = [];
  for (let f = r.next(); f !== undefined; f = r.next()) {
    out.push([f.type, new TextDecoder().decode(f.payload)]);
  }
  return out;
}

Deno.test("RawSocketWriter sends frames queued in one turn in ONE write", async () => {
  const conn = new FakeConn();
  const w = new RawSocketWriter(conn);
  w.appendTextFrame(0, '[48,1,{},"a"]');
  w.appendFrame(1, new Uint8Array([1, 2, 3]));
  w.appendTextFrame(0, '[48,2,{},"b"]');
  assert.equal(conn.chunks.length, 0, "nothing written synchronously");
  await w.drained();
  assert.equal(w.writes, 1);
  assert.deepEqual(frames(conn.bytes()), [[0, '[48,1,{},"a"]'], [1, "\x01\x02\x03"], [
    0,
    '[48,2,{},"b"]',
  ]]);
});

Deno.test("RawSocketWriter encodes non-ASCII text as UTF-8 with the right length", async () => {
  const conn = new FakeConn();
  const w = new RawSocketWriter(conn, { initialSize: 64 });
  const s = '["héllo ✓ 😀"]' + "ü".repeat(200);
  const n = w.appendTextFrame(0, s);
  assert.equal(n, new TextEncoder().encode(s).length);
  await w.drained();
  assert.deepEqual(frames(conn.bytes()), [[0, s]]);
});

Deno.test("RawSocketWriter continues partial writes until the batch is out", async () => {
  const conn = new FakeConn();
  conn.perWrite = 7;
  const w = new RawSocketWriter(conn);
  w.appendTextFrame(0, "x".repeat(100));
  await w.drained();
  assert.equal(conn.chunks.length, Math.ceil(104 / 7));
  assert.deepEqual(frames(conn.bytes()), [[0, "x".repeat(100)]]);
  assert.equal(w.queuedBytes, 0);
});

Deno.test("RawSocketWriter collects frames queued during a write into the next single write", async () => {
  const conn = new FakeConn();
  conn.gate = Promise.withResolvers<void>();
  const w = new RawSocketWriter(conn);
  w.appendTextFrame(0, "first");
  await new Promise((r) => setTimeout(r, 0)); // the first write is in flight now
  for (let i = 0; i < 5; i++) w.appendTextFrame(0, `more${i}`);
  assert.equal(w.queuedBytes, 9 + 5 * 9);
  conn.gate.resolve();
  conn.gate = undefined;
  await w.drained();
  assert.equal(w.writes, 2);
  assert.equal(frames(conn.bytes()).length, 6);
});

Deno.test("RawSocketWriter.rollback() removes a frame appended since mark()", async () => {
  const conn = new FakeConn();
  const w = new RawSocketWriter(conn);
  w.appendTextFrame(0, "keep");
  const m = w.mark();
  w.appendTextFrame(0, "drop");
  w.rollback(m);
  await w.drained();
  assert.deepEqual(frames(conn.bytes()), [[0, "keep"]]);
});

Deno.test("RawSocketWriter reports a failed write once and drops everything after", async () => {
  const conn = new FakeConn();
  conn.fail = new Deno.errors.BrokenPipe("broken pipe");
  const errors: unknown[] = [];
  const w = new RawSocketWriter(conn, { onError: (e) => errors.push(e) });
  w.appendTextFrame(0, "a");
  await w.drained();
  w.appendTextFrame(0, "b");
  await w.drained();
  assert.equal(errors.length, 1);
  assert.ok(w.stopped);
  assert.equal(w.queuedBytes, 0);
});
