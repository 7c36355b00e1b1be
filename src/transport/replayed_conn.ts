/**
 * A connection that first gives back octets already read from it: a front
 * that looked at the first octets (the web transport's, deciding between
 * HTTP and RawSocket) hands the connection on as if nothing had been read.
 *
 * @module
 */

import type { RawSocketConn } from "./rawsocket_connection.ts";

/** `conn` with `head` (already read from it) in front of what it reads next. */
export class ReplayedConn implements RawSocketConn {
  #conn: Deno.Conn;
  #head: Uint8Array | undefined;

  /**
   * @param conn the connection
   * @param head octets read from it before (copied by the caller if it reuses the buffer)
   */
  constructor(conn: Deno.Conn, head: Uint8Array) {
    this.#conn = conn;
    this.#head = head.length > 0 ? head : undefined;
  }

  /** The peer's address. */
  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }

  /** Reads `head` first, then from the connection. */
  read(p: Uint8Array): Promise<number | null> {
    const head = this.#head;
    if (!head) return this.#conn.read(p);
    const n = Math.min(p.length, head.length);
    p.set(head.subarray(0, n));
    this.#head = n < head.length ? head.subarray(n) : undefined;
    return Promise.resolve(n);
  }

  /** Writes to the connection. */
  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  /** Shuts down the writing side. */
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  /** Closes the connection. */
  close(): void {
    this.#conn.close();
  }
}
