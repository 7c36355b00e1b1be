/**
 * A child process's stdout (read) and stdin (write) as the connection a
 * server-side RawSocket connection runs on: the router worker speaks
 * RawSocket to a Python router component over its stdio, so no socket file
 * or port exists that anything else could reach.
 *
 * @module
 */

import type { RawSocketConn } from "../../transport/rawsocket_connection.ts";

/** Adapts `child`'s stdout/stdin to {@link RawSocketConn}. */
export class ChildStdioConn implements RawSocketConn {
  /** Shown as the session's peer: `unix:<label>`. */
  readonly remoteAddr: Deno.Addr;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending: Uint8Array | undefined;
  #closed = false;

  /**
   * @param child a process spawned with `stdin: "piped"` and `stdout: "piped"`
   * @param label how the peer is shown (e.g. `python-component:component001`)
   */
  constructor(child: Deno.ChildProcess, label: string) {
    this.#reader = child.stdout.getReader();
    this.#writer = child.stdin.getWriter();
    this.remoteAddr = { transport: "unix", path: label };
  }

  /** Reads into `p`; `null` at the end of the child's stdout. */
  async read(p: Uint8Array): Promise<number | null> {
    let chunk = this.#pending;
    this.#pending = undefined;
    while (chunk === undefined || chunk.length === 0) {
      if (this.#closed) return null;
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await this.#reader.read();
      } catch {
        return null;
      }
      if (r.done) return null;
      chunk = r.value;
    }
    const n = Math.min(p.length, chunk.length);
    p.set(chunk.subarray(0, n));
    if (n < chunk.length) this.#pending = chunk.subarray(n);
    return n;
  }

  /** Writes all of `p` to the child's stdin. */
  async write(p: Uint8Array): Promise<number> {
    await this.#writer.write(p.slice());
    return p.length;
  }

  /** Closes the child's stdin (its end of input). */
  async closeWrite(): Promise<void> {
    await this.#writer.close();
  }

  /** Closes both directions. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.cancel().catch(() => {});
    this.#writer.close().catch(() => {});
  }
}
