/**
 * A buffered reader over one connection, for protocols we parse ourselves
 * (HTTP/1.1 heads and bodies in `http1.ts`): bytes are read into one growing
 * buffer, parsers look at `view()` and `consume()` what they used. At most
 * one read is in flight: `fill()` while a read is pending joins it, so a
 * background read (watching for the client going away) and a parser never
 * race for the same bytes.
 *
 * @module
 */

/** Buffered reading of a connection. */
export class ConnReader {
  #conn: Deno.Conn;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #eof = false;
  #pending: Promise<boolean> | undefined;

  /**
   * @param conn the connection
   * @param initial octets already read from it (they come first)
   */
  constructor(conn: Deno.Conn, initial?: Uint8Array) {
    this.#conn = conn;
    this.#buf = new Uint8Array(Math.max(4096, initial?.length ?? 0));
    if (initial !== undefined && initial.length > 0) {
      this.#buf.set(initial);
      this.#end = initial.length;
    }
  }

  /** Octets read and not consumed yet. */
  get available(): number {
    return this.#end - this.#start;
  }

  /** True once the peer closed its side (or the connection failed). */
  get eof(): boolean {
    return this.#eof;
  }

  /** True while a read is in flight. */
  get reading(): boolean {
    return this.#pending !== undefined;
  }

  /** The unconsumed octets (a view: valid until the next `fill()`/`consume()`). */
  view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Drops the first `n` unconsumed octets. */
  consume(n: number): void {
    this.#start += n;
    // Rewind only when no read is in flight: a pending read writes at the old end.
    if (this.#start === this.#end && this.#pending === undefined) this.#start = this.#end = 0;
  }

  /** Takes (copies) and consumes up to `n` octets. */
  take(n: number): Uint8Array {
    const k = Math.min(n, this.available);
    const out = this.#buf.slice(this.#start, this.#start + k);
    this.consume(k);
    return out;
  }

  /**
   * Reads once more from the connection, keeping at most `cap` unconsumed
   * octets (the buffer grows up to it). Resolves false at end of stream or on
   * a read error; true when octets arrived. Never rejects.
   */
  fill(cap = 64 * 1024): Promise<boolean> {
    if (this.#pending !== undefined) return this.#pending;
    if (this.#eof) return Promise.resolve(false);
    this.#pending = this.#read(cap).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Resolves once no read is in flight (the next `fill()` starts a new one). */
  async settled(): Promise<void> {
    if (this.#pending !== undefined) await this.#pending;
  }

  async #read(cap: number): Promise<boolean> {
    if (this.#start > 0 && this.#end === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const size = Math.min(Math.max(this.#buf.length * 2, 4096), Math.max(cap, 4096));
      if (size <= this.#buf.length) return true; // full: the caller must consume first
      const grown = new Uint8Array(size);
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = grown;
    }
    let n: number | null;
    try {
      n = await this.#conn.read(this.#buf.subarray(this.#end));
    } catch {
      n = null;
    }
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    return true;
  }
}
