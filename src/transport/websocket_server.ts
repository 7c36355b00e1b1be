/**
 * A stand-alone WAMP WebSocket listener: our own front (`http_front.ts`) on
 * `Deno.listen`, the WebSocket endpoint on one path (our RFC 6455 framing,
 * `websocket_upgrade.ts`) and 404 everywhere else.
 *
 * @module
 */

import type { SessionAcceptor } from "../router/peer.ts";
import { nullLogger } from "../log/logger.ts";
import { ConnectionTracker } from "./connection_tracker.ts";
import type { WebSocketOptions } from "./websocket.ts";
import { createWebSocketUpgrader } from "./websocket_upgrade.ts";
import { serveFront } from "./http_front.ts";
import { CloseCode } from "./websocket_connection.ts";
import type { ConnectionLimits } from "./connection_gate.ts";

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
  /** Connection limits (open at once, per client IP). Default: `connection_gate.ts`'s. */
  limits?: ConnectionLimits;
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
  let upgrader;
  let listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  try {
    upgrader = createWebSocketUpgrader(acceptor, { ...options, tracker });
    listener = Deno.listen({
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? DEFAULT_WEBSOCKET_PORT,
      reusePort: options.reusePort ?? false,
    });
  } catch (err) {
    return Promise.reject(err);
  }
  const ws = upgrader;
  const front = serveFront(listener, {
    route: (head) =>
      head.path === path
        ? { kind: "websocket", upgrader: ws }
        : { kind: "answer", status: 404, text: "not found\n" },
    secure: false,
    limits: options.limits,
    logger,
    logFields: { transportId: options.transportId },
  });
  const addr = listener.addr;
  logger.log("info", "websocket transport listening", {
    address: `${addr.hostname}:${addr.port}`,
    path,
    transportId: options.transportId,
  });
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      front.close();
      const left = await tracker.closeAll(CloseCode.GOING_AWAY, "server shutdown", graceMs);
      if (left > 0) {
        logger.log("warn", "websocket transport: dropping connections that did not close in time", {
          connections: left,
          transportId: options.transportId,
        });
      }
      await front.finished;
      logger.log("info", "websocket transport stopped", { transportId: options.transportId });
    })();
    return stopping;
  };
  if (options.signal) {
    if (options.signal.aborted) shutdown();
    else options.signal.addEventListener("abort", () => shutdown(), { once: true });
  }
  return Promise.resolve({ addr, shutdown });
}
