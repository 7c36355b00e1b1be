/**
 * Test helper: a byte proxy (TCP on 127.0.0.1, or a Unix socket) in front of
 * a server, whose `stall()` makes every client behind it a client that stops
 * reading: the proxy stops reading from the server side, so the server's
 * writes back up (the kernel's buffers first, then the server's own queue),
 * while what the client sends still goes through. Any client library can be
 * made slow this way, over any stream transport.
 *
 * @module
 */

/** A proxy in front of `target`. */
export class StallProxy {
  /** Where clients connect. */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  #listener: Deno.Listener;
  #target: Deno.NetAddr | Deno.UnixAddr;
  #conns = new Set<Deno.Conn>();
  #pumps: Promise<void>[] = [];
  #stalled = false;
  #accepting: Promise<void>;
  #dir: string | undefined;

  private constructor(
    listener: Deno.Listener,
    target: Deno.NetAddr | Deno.UnixAddr,
    dir: string | undefined,
  ) {
    this.#listener = listener;
    this.addr = listener.addr as Deno.NetAddr | Deno.UnixAddr;
    this.#target = target;
    this.#dir = dir;
    this.#accepting = this.#accept();
  }

  /** Starts a proxy for `target` (same kind of socket). */
  static async start(target: Deno.NetAddr | Deno.UnixAddr): Promise<StallProxy> {
    if ("path" in target) {
      const dir = await Deno.makeTempDir({ prefix: "xbar-stall-" });
      const listener = Deno.listen({ transport: "unix", path: `${dir}/proxy.sock` });
      return new StallProxy(listener, target, dir);
    }
    return new StallProxy(Deno.listen({ hostname: "127.0.0.1", port: 0 }), target, undefined);
  }

  /** From now on nothing more is read from the server for any client of this proxy. */
  stall(): void {
    this.#stalled = true;
  }

  /** Closes everything and waits for the pumps. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // closed
    }
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // closed
      }
    }
    await this.#accepting;
    await Promise.allSettled(this.#pumps);
    if (this.#dir !== undefined) await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return;
      }
      const t = this.#target;
      let upstream: Deno.Conn;
      try {
        upstream = "path" in t
          ? await Deno.connect({ transport: "unix", path: t.path })
          : await Deno.connect({ hostname: t.hostname, port: t.port });
      } catch {
        client.close();
        continue;
      }
      this.#conns.add(client);
      this.#conns.add(upstream);
      this.#pumps.push(this.#pump(client, upstream, false), this.#pump(upstream, client, true));
    }
  }

  async #pump(from: Deno.Conn, to: Deno.Conn, stallable: boolean): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        if (stallable && this.#stalled) return; // stop reading: the server's writes back up
        const n = await from.read(buf);
        if (n === null) break;
        let at = 0;
        while (at < n) at += await to.write(buf.subarray(at, n));
      }
    } catch {
      // a side closed
    }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch {
        // closed
      }
      this.#conns.delete(c);
    }
  }
}
