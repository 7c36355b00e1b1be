/**
 * The WAMP RawSocket transport, server side: listens on a TCP port (plain or
 * TLS) or a Unix domain socket and attaches every connection to a
 * `SessionAcceptor` (the router). Each connection runs in
 * `rawsocket_connection.ts`.
 *
 * ```ts
 * const router = new Router({ realms: [{ name: "realm1" }] });
 * const server = await serveRawSocket(router, { endpoint: { type: "tcp", port: 8081 } });
 * // ...
 * await server.shutdown();
 * ```
 *
 * Unix sockets: the path is resolved against `baseDir` (the node
 * directory); a socket file left by a killed process is detected and
 * replaced, one a live process serves is an error ("already in use"); the
 * file mode is applied after binding; the file is removed on shutdown.
 *
 * TLS: `endpoint.tls` names PEM files (relative to `baseDir`) or holds PEM
 * text; a missing or unreadable file is an error at start that names it.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { cborSerializer, jsonSerializer, msgpackSerializer } from "../serializer/mod.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { ConnectionTracker } from "./connection_tracker.ts";
import { RawSocketConnection, type RawSocketConnectionOptions } from "./rawsocket_connection.ts";
import { type FlowControlOptions, resolveFlowControl } from "./flow_control.ts";
import {
  encodeHandshakeError,
  HandshakeError,
  lengthExponentFor,
  MAX_MAX_MESSAGE_SIZE,
  maxMessageSizeOf,
} from "./rawsocket_protocol.ts";
import type { TlsFiles } from "./tls.ts";
import { runAcceptLoop, writeBriefly } from "./accept_loop.ts";
import { ConnectionGate } from "./connection_gate.ts";
import { openListener } from "./open_listener.ts";

/** Default `maxMessageSize`: 16 MiB, the largest a RawSocket handshake can announce. */
export const DEFAULT_RAWSOCKET_MAX_MESSAGE_SIZE: number = MAX_MAX_MESSAGE_SIZE;
/** Default `maxOutboundBytes`: 4 MiB (as the WebSocket transport). */
export const DEFAULT_RAWSOCKET_MAX_OUTBOUND_BYTES: number = 4 * 1024 * 1024;
/** Default `handshakeTimeoutMs`: 10 seconds for the client's 4 handshake octets. */
export const DEFAULT_RAWSOCKET_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default `closeTimeoutMs`: 1 second to flush and see the peer close after we close. */
export const DEFAULT_RAWSOCKET_CLOSE_TIMEOUT_MS = 1_000;
/** Default `hostname` of a TCP endpoint: all IPv4 interfaces, like Crossbar. */
export const DEFAULT_RAWSOCKET_HOSTNAME = "0.0.0.0";

/** A TCP listening endpoint (optionally TLS). */
export interface RawSocketTcpEndpoint {
  /** Endpoint type. */
  type: "tcp";
  /** TCP port; `0` picks a free port (see the returned `addr`). */
  port: number;
  /** Address to listen on. Default `"0.0.0.0"`. */
  hostname?: string;
  /** The config's name for `hostname` (Crossbar's `interface`); `hostname` wins when both are set. */
  interface?: string;
  /**
   * Share the port with other processes (SO_REUSEPORT, scale-up). Default
   * false. Needs `--unstable-net` (the project's deno.json enables it).
   */
  reusePort?: boolean;
  /** TLS key and certificate; absent = plain TCP. */
  tls?: TlsFiles;
  /** Accept queue depth (`listen(2)` backlog). Default: Deno's (511). */
  backlog?: number;
}

/** A Unix domain socket listening endpoint. */
export interface RawSocketUnixEndpoint {
  /** Endpoint type. */
  type: "unix";
  /** Socket path; relative paths are resolved against `baseDir`. At most 107 bytes once resolved. */
  path: string;
  /** File mode of the socket (e.g. `0o660`). Default `0o600`: only the process's user may connect. */
  mode?: number;
}

/** Where a RawSocket server listens. */
export type RawSocketEndpoint = RawSocketTcpEndpoint | RawSocketUnixEndpoint;

/** Options of `serveRawSocket`. */
export interface ServeRawSocketOptions {
  /** Where to listen. */
  endpoint: RawSocketEndpoint;
  /** Serializers accepted. Default: CBOR, MessagePack and JSON (the client picks one in its handshake). */
  serializers?: readonly Serializer[];
  /**
   * Largest frame accepted from clients, in bytes. Default 16 MiB. The
   * handshake announces a power of two from 512 B to 16 MiB, so this is
   * rounded down to one (a larger value announces 16 MiB). A larger incoming
   * frame is a protocol violation (ABORT, close). Outgoing frames are bounded
   * by what each client announces (see `rawsocket_connection.ts`).
   */
  maxMessageSize?: number;
  /**
   * Bound of one connection's outbound queue, in bytes. Default 4 MiB. When
   * the queue is non-empty and a frame would take it over the bound, the
   * connection is closed as a slow consumer and the router is told
   * (`handle.overflow`). One frame always fits in an empty queue.
   */
  maxOutboundBytes?: number;
  /**
   * Flow control below that bound (see `flow_control.ts`): the sessions that
   * feed a backlogged connection are paused. Default: on, with its defaults;
   * `false`: off (a slow consumer is closed at `maxOutboundBytes` only).
   */
  flowControl?: FlowControlOptions | false;
  /**
   * Most open connections at once (counted from accept, so connections still
   * in their handshake count); more are refused with handshake error 4 and
   * closed. Default 10000; 0 = no limit.
   */
  maxConnections?: number;
  /** Most open connections from one IP address (TCP), refused like `maxConnections`. Default 256; 0 = no limit. */
  maxConnectionsPerIp?: number;
  /** Milliseconds allowed for the client's handshake. Default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * Milliseconds a closing connection may take to flush and see the peer
   * close before it is dropped (also bounds `shutdown()`). Default 1000.
   */
  closeTimeoutMs?: number;
  /** Directory relative Unix socket paths and TLS files are resolved against (the node directory). Default: the working directory. */
  baseDir?: string;
  /** The configured transport id, copied into `PeerInfo.transportId`. */
  transportId?: string;
  /** Name in log lines. Default "rawsocket transport". */
  name?: string;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
  /** Aborting it shuts the server down, like `shutdown()`. */
  signal?: AbortSignal;
}

/** A running RawSocket listener. */
export interface RawSocketServer {
  /** The address it listens on (with the real port when `port` was 0; the absolute path for Unix). */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  /** Number of live connections (including those still in the handshake). */
  readonly connections: number;
  /**
   * Stops accepting, closes every connection (flushing what is queued, up to
   * `closeTimeoutMs`), removes the Unix socket file, and resolves when all is
   * done. Idempotent.
   */
  shutdown(): Promise<void>;
}

/** The tracker's interface speaks WebSocket close codes; RawSocket has none (1001: going away). */
const GOING_AWAY = 1001;

/**
 * Listens for WAMP RawSocket connections on `options.endpoint` and attaches
 * them to `acceptor`. Rejects with a `RangeError` for invalid options, a
 * `TlsConfigError` for unusable TLS files, `Deno.errors.AddrInUse` when the
 * port or Unix socket is taken, or the system's error when binding fails.
 */
export async function serveRawSocket(
  acceptor: SessionAcceptor,
  options: ServeRawSocketOptions,
): Promise<RawSocketServer> {
  const logger = options.logger ?? nullLogger;
  const transportId = options.transportId;
  const name = options.name ?? "rawsocket transport";
  const serializers = [
    ...(options.serializers ?? [cborSerializer, msgpackSerializer, jsonSerializer]),
  ];
  if (serializers.length === 0) {
    throw new RangeError("serializers: must name at least one serializer, got none");
  }
  const lengthExponent = lengthExponentFor(
    options.maxMessageSize ?? DEFAULT_RAWSOCKET_MAX_MESSAGE_SIZE,
  );
  const maxOutboundBytes = positiveInteger(
    "maxOutboundBytes",
    options.maxOutboundBytes ?? DEFAULT_RAWSOCKET_MAX_OUTBOUND_BYTES,
  );
  const flow = resolveFlowControl(options.flowControl, maxOutboundBytes);
  const handshakeTimeoutMs = positiveInteger(
    "handshakeTimeoutMs",
    options.handshakeTimeoutMs ?? DEFAULT_RAWSOCKET_HANDSHAKE_TIMEOUT_MS,
  );
  const closeTimeoutMs = positiveInteger(
    "closeTimeoutMs",
    options.closeTimeoutMs ?? DEFAULT_RAWSOCKET_CLOSE_TIMEOUT_MS,
  );

  const endpoint = options.endpoint;
  const gate = new ConnectionGate({
    maxConnections: options.maxConnections,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
  }, { logger, name, transportId });
  const opened = await openListener(
    endpoint?.type === "tcp"
      ? {
        type: "tcp",
        port: endpoint.port,
        hostname: endpoint.hostname ?? endpoint.interface ?? DEFAULT_RAWSOCKET_HOSTNAME,
        reusePort: endpoint.reusePort,
        backlog: endpoint.backlog,
        tls: endpoint.tls,
      }
      : endpoint,
    { baseDir: options.baseDir, logger, transportId },
  );
  const listener = opened.listener;
  const secure = opened.tls;

  const addr = listener.addr as Deno.NetAddr | Deno.UnixAddr;
  const tracker = new ConnectionTracker();
  const connOptions: RawSocketConnectionOptions = {
    serializers,
    lengthExponent,
    maxOutboundBytes,
    flow,
    handshakeTimeoutMs,
    closeTimeoutMs,
    secure,
    transportId,
    logger,
    // Admission is decided at accept (the gate below), before the handshake.
    admit: () => true,
    release: () => {},
  };
  logger.log("info", `${name} listening`, {
    address: "path" in addr ? `unix:${addr.path}` : `${addr.hostname}:${addr.port}`,
    tls: secure,
    serializers: serializers.map((s) => s.name),
    maxMessageSize: maxMessageSizeOf(lengthExponent),
    transportId,
  });

  const refusal = encodeHandshakeError(HandshakeError.MAX_CONNECTIONS);
  const accepting = runAcceptLoop(listener, {
    gate,
    logger,
    name,
    transportId,
    onConnection(conn, slot) {
      if ("setNoDelay" in conn) {
        try {
          (conn as Deno.TcpConn).setNoDelay(true);
        } catch {
          // a connection reset before we got to it: the read loop sees it
        }
      }
      const c = new RawSocketConnection(conn, acceptor, connOptions);
      c.done.then(() => slot.release());
      tracker.add(c);
    },
    // Over TLS a plain reply cannot be written before the TLS handshake: just close.
    onRefused: secure ? undefined : (conn) => writeBriefly(conn, refusal),
  });

  const signal = options.signal;
  const onAbort = () => {
    shutdown().catch((err) =>
      logger.log("error", `${name} shutdown failed`, {
        error: errorText(err),
        transportId,
      })
    );
  };
  let stopped: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    stopped ??= (async () => {
      signal?.removeEventListener("abort", onAbort);
      await accepting.stop();
      const left = await tracker.closeAll(GOING_AWAY, "server shutdown", closeTimeoutMs + 1000);
      if (left > 0) {
        logger.log("warn", `${name}: connections still open after shutdown`, {
          connections: left,
          transportId,
        });
      }
      await opened.close();
      logger.log("info", `${name} stopped`, { transportId });
    })();
    return stopped;
  }

  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });

  return {
    addr,
    get connections() {
      return tracker.size;
    },
    shutdown,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name}: must be a positive integer, got ${value}`);
  }
  return value;
}
