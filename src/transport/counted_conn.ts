/**
 * A connection that tells its listener when it is closed, so the
 * listener's connection count (`connection_gate.ts`) follows the connection
 * wherever it goes: served as HTTP, handed to a WebSocket, answered and
 * closed. Every consumer closes its connection when done; the first
 * `close()` (or a read/write failing because the connection is gone) gives
 * the place back.
 *
 * @module
 */

/** What a counted connection gives back when it closes (a gate's slot). */
export interface Releasable {
  /** Gives the place back. */
  release(): void;
}

/**
 * Wraps `conn`; `slot.release()` runs once, on the first `close()`, or when a
 * read or write finds the connection gone (bad resource).
 */
export function countedConn<C extends Deno.Conn>(conn: C, slot: Releasable): C {
  return new CountedConn(conn, slot) as unknown as C;
}

class CountedConn implements Deno.Conn {
  #conn: Deno.Conn;
  #slot: Releasable | undefined;

  constructor(conn: Deno.Conn, slot: Releasable) {
    this.#conn = conn;
    this.#slot = slot;
  }

  #released(): void {
    const slot = this.#slot;
    this.#slot = undefined;
    slot?.release();
  }

  get localAddr(): Deno.Addr {
    return this.#conn.localAddr;
  }

  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }

  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#conn.readable;
  }

  get writable(): WritableStream<Uint8Array<ArrayBufferLike>> {
    return this.#conn.writable;
  }

  // read() and write() chain a handler instead of being async functions: an
  // idle connection's pending read then holds no suspended generator of ours
  // (idle memory), and each call allocates less.
  read(p: Uint8Array): Promise<number | null> {
    return this.#conn.read(p).catch(this.#failed);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p).catch(this.#failed);
  }

  /** A read or write failed: a bad resource means the connection is gone. Rethrows. */
  #failed = (err: unknown): never => {
    if (err instanceof Deno.errors.BadResource) this.#released();
    throw err;
  };

  close(): void {
    try {
      this.#conn.close();
    } finally {
      this.#released();
    }
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  ref(): void {
    this.#conn.ref();
  }

  unref(): void {
    this.#conn.unref();
  }

  /** `TcpConn.setNoDelay`, when the connection has it. */
  setNoDelay(noDelay?: boolean): void {
    (this.#conn as Deno.TcpConn).setNoDelay?.(noDelay);
  }

  /** `TcpConn.setKeepAlive`, when the connection has it. */
  setKeepAlive(keepAlive?: boolean): void {
    (this.#conn as Deno.TcpConn).setKeepAlive?.(keepAlive);
  }

  /** `TlsConn.handshake`, when the connection has it. */
  handshake(): Promise<Deno.TlsHandshakeInfo> {
    return (this.#conn as Deno.TlsConn).handshake();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
