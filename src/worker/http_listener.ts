/**
 * The listener of a WebSocket transport on its own port, on a TCP (TLS) or
 * Unix endpoint from the node config: our own front and WebSocket framing
 * (`transport/http_front.ts`, `transport/websocket_upgrade.ts`) with the
 * endpoint's connection limits and the transport's time limits, and a
 * graceful shutdown: WebSocket peers get a 1001 close first, then whatever
 * is left after the grace period is dropped.
 *
 * @module
 */

import type { ListeningEndpointConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { ConnectionLimits } from "../transport/connection_gate.ts";
import type { ConnectionTracker } from "../transport/connection_tracker.ts";
import { type FrontTimeouts, serveFront } from "../transport/http_front.ts";
import { openListener } from "../transport/open_listener.ts";
import type { WebSocketUpgrader } from "../transport/websocket_upgrade.ts";
import { limitsOf, listenEndpointOf } from "./listen_endpoint.ts";

/** A running HTTP listener. */
export interface HttpListener {
  /** What it listens on: `tcp4:127.0.0.1:8080`-style text (`unix:/path` for Unix sockets). */
  readonly address: string;
  /** The TCP port (0 for Unix sockets). */
  readonly port: number;
  /** Closes WebSockets (1001), stops accepting, drops what is left after `graceMs`. Idempotent. */
  shutdown(): Promise<void>;
}

/** Options of `listenHttp`. */
export interface ListenHttpOptions {
  /** Directory relative Unix paths and TLS files are resolved against (the node directory). */
  baseDir: string;
  /** Tracks WebSocket connections for shutdown (the upgrader must share it). */
  tracker: ConnectionTracker;
  /** Where to log. */
  logger: Logger;
  /** Transport id, for log lines. */
  transportId: string;
  /** Milliseconds WebSocket peers get to complete the closing handshake on shutdown. Default 2000. */
  graceMs?: number;
  /** Connection limits. Default: the endpoint's (`limitsOf`). */
  limits?: ConnectionLimits;
  /** Time limits. Default: `http_front.ts`'s. */
  timeouts?: FrontTimeouts;
  /** Called once the listener is closed. */
  onShutdown?: () => void;
}

/**
 * Listens on `endpoint` with our own front: every request is a WebSocket
 * upgrade for `upgrader` (our RFC 6455 framing; like Crossbar, every path).
 * Rejects when the endpoint cannot be bound.
 */
export async function listenHttp(
  endpoint: ListeningEndpointConfig,
  upgrader: WebSocketUpgrader,
  options: ListenHttpOptions,
): Promise<HttpListener> {
  const { logger, transportId, tracker } = options;
  const graceMs = options.graceMs ?? 2000;
  const opened = await openListener(listenEndpointOf(endpoint), {
    baseDir: options.baseDir,
    logger,
    transportId,
  });
  let front;
  try {
    front = serveFront(opened.listener, {
      route: () => ({ kind: "websocket" as const, upgrader }),
      secure: opened.tls,
      limits: options.limits ?? limitsOf(endpoint),
      timeouts: options.timeouts,
      name: "websocket transport",
      logger,
      logFields: { transportId },
    });
  } catch (err) {
    await opened.close();
    throw err;
  }
  const f = front;
  let stopping: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    stopping ??= (async () => {
      f.close();
      await tracker.closeAll(1001, "server shutdown", graceMs);
      f.abort();
      await f.idle;
      await opened.close();
      options.onShutdown?.();
    })();
    return stopping;
  }
  return { address: opened.address, port: opened.port, shutdown };
}
