/**
 * A stand-alone WAMP WebSocket listener: a `Deno.serve` with the WebSocket
 * handler on one path and 404 everywhere else.
 *
 * @module
 */

import { gracefulShutdown, shutdownOnAbort } from "./http_shutdown.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import { nullLogger } from "../log/logger.ts";
import { ConnectionTracker } from "./connection_tracker.ts";
import { createWebSocketHandler, type WebSocketOptions } from "./websocket.ts";

/** Default `port` of `serveWebSocket`. */
export const DEFAULT_WEBSOCKET_PORT = 8080;
/** Default `path` of `serveWebSocket`. */
export const DEFAULT_WEBSOCKET_PATH = "/ws";
/** Default `shutdownGrace` of `serveWebSocket`, in milliseconds. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 3000;

/** Options of `serveWebSocket`: the endpoint's options plus where to listen. */
export interface ServeWebSocketOptions extends Omit<WebSocketOptions, "tracker"> {
  /** Interface to listen on. Default `"0.0.0.0"` (all IPv4 interfaces, like Crossbar). */
  hostname?: string;
  /** TCP port. Default 8080; `0` picks a free port (see the returned `addr`). */
  port?: number;
  /** URL path of the WebSocket endpoint. Default `"/ws"`; other paths answer 404. */
  path?: string;
  /**
   * Share the port with other processes (SO_REUSEPORT, for scale-up). Default
   * false. Needs `--unstable-net` (the project's deno.json enables it).
   */
  reusePort?: boolean;
  /** Aborting it shuts the server down, like `shutdown()`. */
  signal?: AbortSignal;
  /**
   * Milliseconds `shutdown()` waits for peers to complete the closing
   * handshake before it drops the remaining connections. Default 3000.
   */
  shutdownGraceMs?: number;
}

/** A running WAMP WebSocket listener. */
export interface WebSocketServer {
  /** The address it listens on (with the real port when `port` was 0). */
  readonly addr: Deno.NetAddr;
  /**
   * Stops accepting connections, closes every WebSocket with 1001 (going
   * away), waits up to `shutdownGraceMs` for the closing handshakes, drops
   * what is left, and resolves when the listener is fully closed. Idempotent.
   */
  shutdown(): Promise<void>;
}

/**
 * Listens for WAMP WebSocket connections on `options.path` and attaches them
 * to `acceptor`. Rejects when the address cannot be bound.
 */
export function serveWebSocket(
  acceptor: SessionAcceptor,
  options: ServeWebSocketOptions = {},
): Promise<WebSocketServer> {
  const logger = options.logger ?? nullLogger;
  const path = options.path ?? DEFAULT_WEBSOCKET_PATH;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const tracker = new ConnectionTracker();
  let handler;
  try {
    handler = createWebSocketHandler(acceptor, { ...options, tracker });
  } catch (err) {
    return Promise.reject(err);
  }
  const wsHandler = handler;
  const force = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? DEFAULT_WEBSOCKET_PORT,
      reusePort: options.reusePort ?? false,
      signal: force.signal,
      onListen() {},
      onError(err) {
        logger.log("error", "websocket server request failed", {
          error: err instanceof Error ? err.message : String(err),
          transportId: options.transportId,
        });
        return new Response("internal error\n", { status: 500 });
      },
    }, (req, info) => {
      if (new URL(req.url).pathname === path) return wsHandler(req, info);
      return new Response("not found\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    });
  } catch (err) {
    return Promise.reject(err);
  }
  const addr = server.addr;
  logger.log("info", "websocket transport listening", {
    address: `${addr.hostname}:${addr.port}`,
    path,
    transportId: options.transportId,
  });

  const s = {
    server,
    force,
    tracker,
    graceMs,
    logger,
    name: "websocket transport",
    transportId: options.transportId,
  };
  const shutdown = gracefulShutdown(s);
  shutdownOnAbort(options.signal, shutdown, s);
  return Promise.resolve({ addr, shutdown });
}
