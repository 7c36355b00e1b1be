/**
 * One `Deno.serve` for a router transport that speaks HTTP (a WebSocket
 * transport on its own port, or a Web transport with a path map), on a TCP
 * or Unix endpoint from the node config, with a graceful shutdown: WebSocket
 * peers get a 1001 close first, then whatever is left after the grace period
 * is dropped.
 *
 * @module
 */

import type { ListeningEndpointConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { ConnectionTracker } from "../transport/connection_tracker.ts";
import { loadTlsCredentials } from "../transport/tls.ts";
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

/** Starts `Deno.serve` on `endpoint` with `handler`. Rejects when the endpoint cannot be bound. */
export async function listenHttp(
  endpoint: ListeningEndpointConfig,
  handler: HttpHandler,
  options: ListenHttpOptions,
): Promise<HttpListener> {
  const { logger, transportId, tracker } = options;
  const graceMs = options.graceMs ?? 2000;
  const force = new AbortController();
  const onError = (err: unknown) => {
    logger.log("error", "http request failed", {
      transport: transportId,
      error: err instanceof Error ? err.message : String(err),
    });
    return new Response("internal error\n", { status: 500 });
  };
  let server: Deno.HttpServer<Deno.Addr>;
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
    const s = Deno.serve({
      hostname: endpoint.interface,
      port: endpoint.port,
      reusePort: endpoint.shared,
      signal: force.signal,
      onListen() {},
      onError,
      ...(tls ?? {}),
    }, handler);
    server = s;
    port = s.addr.port;
    address = `${endpoint.version === 6 ? "tcp6" : "tcp4"}:${s.addr.hostname}:${port}`;
  } else {
    unixPath = resolveUnixSocketPath(endpoint.path, options.baseDir);
    await prepareUnixSocketPath(unixPath);
    server = Deno.serve({ path: unixPath, signal: force.signal, onListen() {}, onError }, handler);
    if (endpoint.mode !== undefined) await Deno.chmod(unixPath, endpoint.mode);
    address = `unix:${unixPath}`;
  }
  const unixId = unixPath ? await socketFileId(unixPath) : undefined;

  let stopping: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    stopping ??= (async () => {
      const closing = tracker.closeAll(1001, "server shutdown", graceMs);
      const graceful = server.shutdown();
      const left = await closing;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<"expired">((r) => {
        timer = setTimeout(() => r("expired"), left > 0 ? 0 : graceMs);
      });
      const outcome = await Promise.race([graceful.then(() => "done" as const), expired]);
      clearTimeout(timer);
      if (outcome === "expired") force.abort();
      await server.finished;
      if (unixPath) await removeUnixSocket(unixPath, unixId);
      options.onShutdown?.();
    })();
    return stopping;
  }
  return { address, port, shutdown };
}
