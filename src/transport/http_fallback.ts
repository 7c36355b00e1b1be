/**
 * Plain HTTP behind our own front (`http_front.ts`): a `Deno.serve` on
 * 127.0.0.1 (a free port) that the front passes whole connections to, so
 * every HTTP feature (keep-alive, chunked bodies, streaming responses) stays
 * Deno's. Each passed connection is piped both ways; the handler sees the
 * real peer address (looked up by the pipe's local port) and an `https:`
 * URL when the front connection was TLS.
 *
 * A request on the loopback port that did not come through the front is
 * answered 403. A WebSocket upgrade that arrives on a kept-alive connection
 * after another request is served by the handler as usual (on Deno's
 * WebSocket); upgrades on fresh connections never reach this server.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { ConnectionFacts } from "./websocket_upgrade.ts";
import { errorText } from "./router_call.ts";

/** A request handler as `Deno.serve` takes it. */
export type FallbackHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
) => Response | Promise<Response>;

/** The HTTP server behind a front. */
export class HttpFallback {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #force = new AbortController();
  #byPort = new Map<number, ConnectionFacts>();
  #pipes = new Set<Deno.Conn>();
  #log: Logger;

  /**
   * Starts the loopback server for `handler`.
   *
   * @param handler serves each request (with the real peer in `info.remoteAddr`)
   * @param logger where to log
   */
  constructor(handler: FallbackHandler, logger: Logger) {
    this.#log = logger;
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: this.#force.signal,
      onListen() {},
      onError(err) {
        logger.log("error", "http request failed", { error: errorText(err) });
        return new Response("internal error\n", { status: 500 });
      },
    }, (req, info) => {
      const facts = this.#byPort.get((info.remoteAddr as Deno.NetAddr).port);
      if (facts === undefined) return new Response("forbidden\n", { status: 403 });
      let request = req;
      if (facts.secure && req.headers.get("upgrade") === null) {
        request = new Request(req.url.replace(/^http:/, "https:"), req);
      }
      return handler(request, { ...info, remoteAddr: facts.remoteAddr });
    });
  }

  /** Serves `conn` (whose first `head` octets were read already) here. */
  pass(conn: Deno.Conn, head: Uint8Array, facts: ConnectionFacts): void {
    this.#pipe(conn, head, facts).catch((err) => {
      this.#log.log("debug", "http pipe failed", { error: errorText(err) });
    });
  }

  async #pipe(conn: Deno.Conn, head: Uint8Array, facts: ConnectionFacts): Promise<void> {
    const addr = this.#server.addr;
    let inner: Deno.Conn;
    try {
      inner = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    } catch (err) {
      conn.close();
      throw err;
    }
    const port = (inner.localAddr as Deno.NetAddr).port;
    this.#byPort.set(port, facts);
    this.#pipes.add(conn);
    const closeBoth = () => {
      for (const c of [conn, inner]) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    };
    try {
      await writeAll(inner, head);
      await Promise.race([copy(conn, inner), copy(inner, conn)]);
    } finally {
      closeBoth();
      this.#byPort.delete(port);
      this.#pipes.delete(conn);
    }
  }

  /**
   * Stops the server: graceful for `graceMs`, then every pipe is dropped.
   * Resolves when it is closed.
   */
  async shutdown(graceMs: number): Promise<void> {
    const graceful = this.#server.shutdown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"expired">((r) => {
      timer = setTimeout(() => r("expired"), graceMs);
    });
    const outcome = await Promise.race([graceful.then(() => "done" as const), expired]);
    clearTimeout(timer);
    if (outcome === "expired") this.#force.abort();
    for (const c of this.#pipes) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await this.#server.finished;
  }
}

async function copy(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) return;
      await writeAll(to, buf.subarray(0, n));
    }
  } catch {
    // either side gone
  }
}

async function writeAll(to: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await to.write(bytes.subarray(at));
}
