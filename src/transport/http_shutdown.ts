/**
 * Graceful shutdown of a `Deno.serve` that carries WebSockets: close frames
 * first (1001), stop accepting, wait up to a grace period for the closing
 * handshakes, then drop what is left. Deno's own graceful shutdown never ends
 * while a peer that does not read is connected, hence the forced abort.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { ConnectionTracker } from "./connection_tracker.ts";
import { CloseCode } from "./websocket_connection.ts";

/** What `gracefulShutdown` needs to know about the server. */
export interface GracefulServer {
  /** The server. */
  server: Deno.HttpServer<Deno.NetAddr>;
  /** Aborting it drops every connection (the server's `signal`). */
  force: AbortController;
  /** The WebSockets of this server. */
  tracker: ConnectionTracker;
  /** Milliseconds to wait for closing handshakes. */
  graceMs: number;
  /** Where to log. */
  logger: Logger;
  /** Name in log lines, e.g. "web transport". */
  name: string;
  /** Transport id for log lines. */
  transportId?: string;
  /** Work to do after the close frames are sent and before the listener stops. */
  beforeStop?: () => Promise<void>;
}

/** Returns an idempotent `shutdown()` for `s`. */
export function gracefulShutdown(s: GracefulServer): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      const closing = s.tracker.closeAll(CloseCode.GOING_AWAY, "server shutdown", s.graceMs);
      if (s.beforeStop) await s.beforeStop();
      const graceful = s.server.shutdown();
      const left = await closing;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), left > 0 ? 0 : s.graceMs);
      });
      const outcome = await Promise.race([graceful.then(() => "done" as const), expired]);
      clearTimeout(timer);
      if (outcome === "expired") {
        s.logger.log("warn", `${s.name}: dropping connections that did not close in time`, {
          connections: s.tracker.size,
          transportId: s.transportId,
        });
        s.force.abort();
      }
      await s.server.finished;
      s.logger.log("info", `${s.name} stopped`, { transportId: s.transportId });
    })();
    return stopping;
  };
}

/** Calls `shutdown` when `signal` aborts (or now, when it already has). */
export function shutdownOnAbort(
  signal: AbortSignal | undefined,
  shutdown: () => Promise<void>,
  s: Pick<GracefulServer, "server" | "logger" | "name" | "transportId">,
): void {
  if (!signal) return;
  const onAbort = () => {
    shutdown().catch((err) =>
      s.logger.log("error", `${s.name} shutdown failed`, {
        error: err instanceof Error ? err.message : String(err),
        transportId: s.transportId,
      })
    );
  };
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener("abort", onAbort, { once: true });
    s.server.finished.then(() => signal.removeEventListener("abort", onAbort));
  }
}
