import * as assert from "node:assert/strict";
import { ConnReader } from "./conn_reader.ts";

/** A connection whose reads are answered by hand. */
class HandConn {
  #waiting: ((n: Uint8Array | null) => void) | undefined;
  #target: Uint8Array | undefined;
  read(p: Uint8Array): Promise<number | null> {
    this.#target = p;
    return new Promise((resolve) => {
      this.#waiting = (bytes) => {
        if (bytes === null) return resolve(null);
        this.#target!.set(bytes);
        resolve(bytes.length);
      };
    });
  }
  give(text: string | null): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.(text === null ? null : new TextEncoder().encode(text));
  }
}

const text = (r: ConnReader) => new TextDecoder().decode(r.view());

Deno.test("ConnReader keeps bytes in order when everything is consumed while a read is in flight", async () => {
  const conn = new HandConn();
  const r = new ConnReader(conn as unknown as Deno.Conn, new TextEncoder().encode("first"));
  const pending = r.fill();
  r.consume(5); // all of "first", while the read is pending
  conn.give("second");
  assert.equal(await pending, true);
  assert.equal(text(r), "second");
});

Deno.test("ConnReader.fill() joins a read in flight; take() copies and consumes; EOF is sticky", async () => {
  const conn = new HandConn();
  const r = new ConnReader(conn as unknown as Deno.Conn);
  const a = r.fill();
  const b = r.fill();
  assert.equal(a, b);
  conn.give("abcdef");
  await a;
  assert.equal(new TextDecoder().decode(r.take(2)), "ab");
  assert.equal(r.available, 4);
  const c = r.fill();
  conn.give(null);
  assert.equal(await c, false);
  assert.ok(r.eof);
  assert.equal(await r.fill(), false);
  assert.equal(text(r), "cdef");
});
