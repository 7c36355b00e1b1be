/**
 * A set of live connections, so a listener can close them all on shutdown.
 * Several handlers (e.g. WebSocket endpoints on different paths of one web
 * transport) can share one tracker.
 *
 * @module
 */

/** One live connection as the tracker sees it. */
export interface TrackedConnection {
  /** Starts closing the connection with a WebSocket close `code` and `reason`. Idempotent. */
  closeWith(code: number, reason: string): void;
  /** Resolves (never rejects) once the connection is gone. */
  readonly done: Promise<void>;
}

/** Keeps track of live connections and closes them on request. */
export class ConnectionTracker {
  #live = new Set<TrackedConnection>();

  /** Adds `conn`; it is removed by itself when `conn.done` resolves. */
  add(conn: TrackedConnection): void {
    this.#live.add(conn);
    conn.done.then(() => this.#live.delete(conn));
  }

  /** Number of live connections. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Asks every live connection to close, then waits until all are gone or
   * `graceMs` has passed (a peer that does not read never completes the
   * closing handshake). Resolves with the number still live.
   */
  async closeAll(code: number, reason: string, graceMs: number): Promise<number> {
    const live = [...this.#live];
    for (const conn of live) conn.closeWith(code, reason);
    if (live.length === 0) return 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    try {
      await Promise.race([Promise.all(live.map((c) => c.done)), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.#live.size;
  }
}
