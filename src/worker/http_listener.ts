/**
 * The listener of a WebSocket transport on its own port, on a TCP (TLS) or
 * Unix endpoint from the node config: our own front and WebSocket framing
 * (`transport/http_front.ts`, `transport/websocket_upgrade.ts`), with a
 * graceful shutdown: WebSocket peers get a 1001 close first, then whatever
 * is left after the grace period is dropped.
 *
 * @module
 */

import type { ListeningEndpointConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { ConnectionTracker } from "../transport/connection_tracker.ts";
import { loadTlsCredentials } from "../transport/tls.ts";
import { type Front, listenFront } from "../transport/http_front.ts";
import type { WebSocketUpgrader } from "../transport/websocket_upgrade.ts";
import {
  prepareUnixSocketPath,
  removeUnixSocket,
  resolveUnixSocketPath,
  socketFileId,
} from "../transport/unix_socket_path.ts";

/** A request handler of an HTTP listener. */
export type HttpHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
) => Response | Promise<Response>;

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
  /** Tracks WebSocket connections for shutdown (the handler's WebSocket endpoints must share it). */
  tracker: ConnectionTracker;
  /** Where to log. */
  logger: Logger;
  /** Transport id, for log lines. */
  transportId: string;
  /** Milliseconds WebSocket peers get to complete the closing handshake on shutdown. Default 2000. */
  graceMs?: number;
  /** Called once the listener is closed (e.g. to close long-poll transports). */
  onShutdown?: () => void;
}

/**
 * Listens on `endpoint` with our own front (`transport/http_front.ts`):
 * every request is a WebSocket upgrade for `upgrader` (our RFC 6455
 * framing; like Crossbar, every path). Rejects when the endpoint cannot be
 * bound.
 */
export async function listenHttp(
  endpoint: ListeningEndpointConfig,
  upgrader: WebSocketUpgrader,
  options: ListenHttpOptions,
): Promise<HttpListener> {
  const { logger, transportId, tracker } = options;
  const graceMs = options.graceMs ?? 2000;
  const route = () => ({ kind: "websocket" as const, upgrader });
  const frontOptions = { route, logger, logFields: { transportId } };
  let front: Front;
  let address: string;
  let port = 0;
  let unixPath: string | undefined;
  if (endpoint.type === "tcp") {
    const tls = endpoint.tls
      ? await loadTlsCredentials({
        key: endpoint.tls.key,
        certificate: endpoint.tls.certificate,
        chainCertificates: endpoint.tls.chain_certificates,
      }, { baseDir: options.baseDir })
      : undefined;
    const l = listenFront({
      type: "tcp",
      hostname: endpoint.interface,
      port: endpoint.port,
      reusePort: endpoint.shared,
      tls,
    }, frontOptions);
    front = l.front;
    const addr = l.addr as Deno.NetAddr;
    port = addr.port;
    address = `${endpoint.version === 6 ? "tcp6" : "tcp4"}:${addr.hostname}:${port}`;
  } else {
    unixPath = resolveUnixSocketPath(endpoint.path, options.baseDir);
    await prepareUnixSocketPath(unixPath);
    front = listenFront({ type: "unix", path: unixPath }, frontOptions).front;
    if (endpoint.mode !== undefined) await Deno.chmod(unixPath, endpoint.mode);
    address = `unix:${unixPath}`;
  }
  const unixId = unixPath ? await socketFileId(unixPath) : undefined;

  let stopping: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    stopping ??= (async () => {
      front.close();
      await tracker.closeAll(1001, "server shutdown", graceMs);
      await front.finished;
      if (unixPath) await removeUnixSocket(unixPath, unixId);
      options.onShutdown?.();
    })();
    return stopping;
  }
  return { address, port, shutdown };
}
