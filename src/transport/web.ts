/**
 * The Web transport (Crossbar's `web` transport type): one HTTP(S) port or
 * Unix socket, served by our front (`http_front.ts`: connection limits, time
 * limits, our own HTTP/1.1 and WebSocket framing), and a map of URL paths to
 * services — WebSocket endpoints, static files, redirects, long-poll, the
 * HTTP bridges (caller, publisher), the live status page (`nodeinfo`,
 * `web_status_page.ts`), Prometheus metrics (`metrics`, `web_metrics.ts`)
 * and fixed JSON. See `web_service.ts` for the services and `web_paths.ts`
 * for how paths match.
 *
 * ```ts
 * const web = await serveWeb(router, {
 *   endpoint: { hostname: "127.0.0.1", port: 8080 },
 *   baseDir: "/srv/node/.crossbar",
 *   paths: {
 *     "/": { type: "static", directory: "../web" },
 *     "ws": { type: "websocket" },
 *     "lp": { type: "longpoll" },
 *     "call": { type: "caller", realm: "realm1", role: "anonymous" },
 *     "publish": { type: "publisher", realm: "realm1", role: "anonymous" },
 *     "old": { type: "redirect", url: "/" },
 *   },
 * });
 * await web.shutdown();
 * ```
 *
 * Per service, the URL path below its key (`rest`) decides: WebSocket,
 * bridge, metrics and json services answer only their exact path (with or
 * without a trailing slash), static files, long-poll and the status page
 * (its script, update stream and JSON) work below it, a redirect answers the
 * whole subtree. Everything else is 404.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import { type FrontTimeouts, serveFront } from "./http_front.ts";
import type { ConnectionLimits } from "./connection_gate.ts";
import { type ListenEndpoint, openListener } from "./open_listener.ts";
import {
  type ConnectionFacts,
  createWebSocketUpgrader,
  type WebSocketUpgrader,
} from "./websocket_upgrade.ts";
import { RawSocketConnection, type RawSocketConnectionOptions } from "./rawsocket_connection.ts";
import { type FlowControlOptions, resolveFlowControl } from "./flow_control.ts";
import { lengthExponentFor } from "./rawsocket_protocol.ts";
import {
  DEFAULT_RAWSOCKET_CLOSE_TIMEOUT_MS,
  DEFAULT_RAWSOCKET_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_RAWSOCKET_MAX_OUTBOUND_BYTES,
} from "./rawsocket_server.ts";
import { ReplayedConn } from "./replayed_conn.ts";
import { CloseCode } from "./websocket_connection.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import {
  type Serializer,
  type SerializerName,
  serializers as allSerializers,
} from "../serializer/mod.ts";
import { ConnectionTracker } from "./connection_tracker.ts";
import { createWebSocketHandler, type WebSocketHandler } from "./websocket.ts";
import { LongPollEndpoint } from "./longpoll.ts";
import { createStaticFiles, type StaticFiles } from "./static_files.ts";
import { type ArchiveFiles, openArchive } from "./archive_files.ts";
import type { HttpBridge } from "./http_bridge.ts";
import type { BridgeAcceptor } from "./http_bridge.ts";
import { createCallerBridge } from "./http_bridge_caller.ts";
import { createPublisherBridge } from "./http_bridge_publisher.ts";
import type { TlsFiles } from "./tls.ts";
import type { PathService, StatusSource } from "./web_service.ts";
import { jsonValueResponse } from "./web_info.ts";
import { metricsResponse } from "./web_metrics.ts";
import { StatusPage } from "./web_status_page.ts";
import { localStatusSource } from "./web_local_status.ts";
import { PathTable } from "./web_paths.ts";
import { discard, textResponse } from "./web_http.ts";

/** Default `endpoint.hostname`: all IPv4 interfaces, as Crossbar listens. */
export const DEFAULT_WEB_HOSTNAME = "0.0.0.0";
/** Default `shutdownGraceMs`. */
export const DEFAULT_WEB_SHUTDOWN_GRACE_MS = 3000;
/** Default `hstsMaxAge`: one year, in seconds. */
export const DEFAULT_HSTS_MAX_AGE = 31536000;

/** Where a Web transport listens: TCP (this shape, or `open_listener.ts`'s) or a Unix socket. */
export type WebListenEndpoint = WebEndpoint | ListenEndpoint;

/** A TCP endpoint of a Web transport. */
export interface WebEndpoint {
  /** Interface to bind. Default `0.0.0.0`. */
  hostname?: string;
  /** TCP port; 0 picks a free one (see the server's `addr`). */
  port: number;
  /** Share the port with other processes (SO_REUSEPORT; needs `--unstable-net`). Default false. */
  reusePort?: boolean;
  /** Serve HTTPS: PEM key and certificate files (relative to `baseDir`) or PEM texts. Default: plain HTTP. */
  tls?: TlsFiles;
}

/** Options of `serveWeb`. */
export interface WebOptions {
  /** Where to listen. */
  endpoint: WebListenEndpoint;
  /** Connection limits (per listener, per remote IP). Default: `connection_gate.ts`'s. */
  limits?: ConnectionLimits;
  /** Time limits of HTTP connections. Default: `http_front.ts`'s. */
  timeouts?: FrontTimeouts;
  /** URL path → service. */
  paths: Record<string, PathService>;
  /** Directory that relative static directories and TLS files are resolved against (the node directory). Default: the working directory. */
  baseDir?: string;
  /** The configured transport id: `PeerInfo.transportId` of WAMP connections, unless a service names its own. */
  transportId?: string;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
  /** Log every HTTP request at `info` (`access_log`). Default false. */
  accessLog?: boolean;
  /** Show the error and its stack in 500 answers (`display_tracebacks`). Default false. */
  displayTracebacks?: boolean;
  /** Send `Strict-Transport-Security` over TLS (`hsts`). Default false. */
  hsts?: boolean;
  /** HSTS `max-age` in seconds (`hsts_max_age`). Default 31536000. */
  hstsMaxAge?: number;
  /** Aborting it shuts the server down, like `shutdown()`. */
  signal?: AbortSignal;
  /** Milliseconds `shutdown()` waits for WebSocket peers to close before dropping them. Default 3000. */
  shutdownGraceMs?: number;
  /**
   * Also serve WAMP RawSocket on this port: a connection whose first octet is
   * 0x7F is a RawSocket client (Crossbar's universal transport). Default: none.
   */
  rawsocket?: {
    /** Serializers spoken. */
    serializers: Serializer[];
    /** Largest message accepted (announced in the handshake), in bytes. */
    maxMessageSize: number;
    /** `PeerInfo.transportId` of RawSocket sessions (they authenticate by it). */
    transportId?: string;
    /** Bound of a connection's outbound queue. Default 4 MiB. */
    maxOutboundBytes?: number;
    /** Flow control below it (see `flow_control.ts`). Default: on, with its defaults. */
    flowControl?: FlowControlOptions | false;
  };
}

/** A running Web transport. */
export interface WebServer {
  /** The address it listens on (with the real port when `port` was 0). */
  readonly addr: Deno.Addr;
  /** `tcp4:127.0.0.1:8080`, `tcp6:[::1]:8080` or `unix:/path`. */
  readonly address: string;
  /** The TCP port (0 for a Unix socket). */
  readonly port: number;
  /** Connections open now (upgraded WebSockets included). */
  readonly connections: number;
  /**
   * Stops accepting requests; closes WebSockets (1001), long-poll transports
   * and bridge sessions; waits up to `shutdownGraceMs` for WebSocket peers;
   * resolves when the listener is closed. Idempotent.
   */
  shutdown(): Promise<void>;
}

type Handler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
  rest: string,
) => Response | Promise<Response>;

interface Built {
  handlers: Map<string, Handler>;
  /** WebSocket paths (prefix) → our framing's upgrader. */
  upgraders: Map<string, WebSocketUpgrader>;
  longPolls: LongPollEndpoint[];
  bridges: HttpBridge<unknown>[];
  /** Status pages (their update streams end at shutdown). */
  pages: StatusPage[];
}

/**
 * Starts a Web transport serving `options.paths`, attaching WAMP connections
 * to `acceptor` (the router). Everything is checked before listening: invalid
 * paths or options, a missing static directory, unreadable TLS files, or a
 * bridge that cannot join its realm reject with an `Error` whose message
 * names the path (`paths["call"]: ...`), one line per problem.
 */
export async function serveWeb(acceptor: SessionAcceptor, options: WebOptions): Promise<WebServer> {
  const logger = options.logger ?? nullLogger;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_WEB_SHUTDOWN_GRACE_MS;
  const table = new PathTable(options.paths);
  const tracker = new ConnectionTracker();
  const built = await buildServices(acceptor, table, options, tracker, logger);

  const stopAll = async () => {
    for (const p of built.pages) p.closeAll();
    for (const lp of built.longPolls) lp.closeAll();
    await Promise.all(built.bridges.map((b) => b.close().catch(() => {})));
  };
  const endpoint: ListenEndpoint = "type" in options.endpoint ? options.endpoint : {
    type: "tcp",
    hostname: options.endpoint.hostname ?? DEFAULT_WEB_HOSTNAME,
    port: options.endpoint.port,
    reusePort: options.endpoint.reusePort,
    tls: options.endpoint.tls,
  };
  let opened;
  try {
    opened = await openListener(endpoint, {
      baseDir: options.baseDir,
      logger,
      transportId: options.transportId,
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
  const tls = opened.tls;
  const hsts = tls && (options.hsts ?? false)
    ? `max-age=${options.hstsMaxAge ?? DEFAULT_HSTS_MAX_AGE}`
    : undefined;

  const handle = async (
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.Addr>,
  ): Promise<Response> => {
    const started = options.accessLog ? performance.now() : 0;
    let res: Response;
    const url = new URL(req.url);
    const match = table.resolve(url.pathname);
    const handler = match && built.handlers.get(match.entry.prefix);
    if (match === undefined || handler === undefined) {
      await discard(req);
      res = textResponse(404, "not found");
    } else {
      res = await handler(req, info, match.rest);
    }
    if (hsts !== undefined && res.status !== 101) {
      try {
        res.headers.set("strict-transport-security", hsts);
      } catch {
        // immutable headers (none of ours): leave them
      }
    }
    if (options.accessLog) {
      logger.log("info", "http request", {
        method: req.method,
        path: url.pathname,
        status: res.status,
        ms: Math.round(performance.now() - started),
        transportId: options.transportId,
      });
    }
    return res;
  };

  let front;
  try {
    front = serveFront(opened.listener, {
      route(head) {
        if (!isUpgrade(head.headers)) return { kind: "http" };
        const match = table.resolve(head.path);
        const upgrader = match && exact(match.rest)
          ? built.upgraders.get(match.entry.prefix)
          : undefined;
        return upgrader === undefined ? { kind: "http" } : { kind: "websocket", upgrader };
      },
      http: handle,
      raw: options.rawsocket && rawSocketHandOff(acceptor, options.rawsocket, tracker, logger),
      onError(err) {
        logger.log("error", "web transport request failed", {
          error: errorText(err),
          transportId: options.transportId,
        });
        // display_tracebacks: the error and its stack in the answer (for development).
        if (options.displayTracebacks) {
          return textResponse(
            500,
            `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
        }
        return textResponse(500, "internal error");
      },
      secure: tls,
      limits: options.limits,
      timeouts: options.timeouts,
      name: "web transport",
      logger,
      logFields: { transportId: options.transportId },
    });
  } catch (err) {
    await opened.close();
    await stopAll();
    throw err;
  }
  const addr = opened.listener.addr;
  logger.log("info", "web transport listening", {
    address: opened.address,
    tls,
    paths: table.entries.map((e) => `${e.key} (${e.service.type})`),
    transportId: options.transportId,
  });

  const http = front;
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      http.close();
      const closing = tracker.closeAll(CloseCode.GOING_AWAY, "server shutdown", graceMs);
      await stopAll();
      const left = await closing;
      if (left > 0) {
        logger.log("warn", "web transport: dropping connections that did not close in time", {
          connections: left,
          transportId: options.transportId,
        });
      }
      // Requests in flight get the grace period, then their connections are dropped.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left > 0 ? 0 : graceMs);
      });
      await Promise.race([http.idle, expired]);
      clearTimeout(timer);
      http.abort();
      await http.idle;
      await opened.close();
      logger.log("info", "web transport stopped", { transportId: options.transportId });
    })();
    return stopping;
  };
  if (options.signal) {
    if (options.signal.aborted) shutdown();
    else options.signal.addEventListener("abort", () => shutdown(), { once: true });
  }
  return {
    addr,
    address: opened.address,
    port: opened.port,
    get connections() {
      return http.connections;
    },
    shutdown,
  };
}

function isUpgrade(headers: Headers): boolean {
  const upgrade = headers.get("upgrade");
  return upgrade !== null && upgrade.split(",").some((p) => p.trim().toLowerCase() === "websocket");
}

/** Runs RawSocket on connections the front hands over (universal transport). */
function rawSocketHandOff(
  acceptor: SessionAcceptor,
  raw: NonNullable<WebOptions["rawsocket"]>,
  tracker: ConnectionTracker,
  logger: Logger,
): (conn: Deno.Conn, first: Uint8Array, facts: ConnectionFacts) => void {
  const maxOutboundBytes = raw.maxOutboundBytes ?? DEFAULT_RAWSOCKET_MAX_OUTBOUND_BYTES;
  const options: RawSocketConnectionOptions = {
    serializers: raw.serializers,
    lengthExponent: lengthExponentFor(raw.maxMessageSize),
    maxOutboundBytes,
    flow: resolveFlowControl(raw.flowControl, maxOutboundBytes),
    handshakeTimeoutMs: DEFAULT_RAWSOCKET_HANDSHAKE_TIMEOUT_MS,
    closeTimeoutMs: DEFAULT_RAWSOCKET_CLOSE_TIMEOUT_MS,
    secure: false,
    transportId: raw.transportId,
    logger,
    admit: () => true,
    release: () => {},
  };
  return (conn, first, facts) => {
    tracker.add(
      new RawSocketConnection(new ReplayedConn(conn, first), acceptor, {
        ...options,
        secure: facts.secure,
      }),
    );
  };
}

/** Builds every service; rejects listing every problem (services already started are stopped). */
async function buildServices(
  acceptor: SessionAcceptor,
  table: PathTable,
  options: WebOptions,
  tracker: ConnectionTracker,
  logger: Logger,
): Promise<Built> {
  const built: Built = {
    handlers: new Map(),
    upgraders: new Map(),
    longPolls: [],
    bridges: [],
    pages: [],
  };
  let local: StatusSource | undefined;
  const localStatus = () => local ??= localStatusSource(acceptor);
  const errors: string[] = [];
  const pending: Promise<void>[] = [];
  for (const { prefix, key, service } of table.entries) {
    const at = `paths[${JSON.stringify(key)}]`;
    try {
      switch (service.type) {
        case "websocket": {
          const wsOptions = {
            ...service.options,
            serializers: pickSerializers(service.serializers),
            transportId: service.transportId ?? options.transportId,
            logger,
            tracker,
          };
          // Upgrades run on our framing (the front routes them); the handler
          // answers plain requests on the path (426).
          built.upgraders.set(prefix, createWebSocketUpgrader(acceptor, wsOptions));
          const ws: WebSocketHandler = createWebSocketHandler(acceptor, wsOptions);
          built.handlers.set(
            prefix,
            (req, info, rest) => exact(rest) ? ws(req, info) : notFound(req),
          );
          break;
        }
        case "longpoll": {
          const lp = new LongPollEndpoint(acceptor, {
            ...service.options,
            serializers: pickSerializers(service.serializers),
            transportId: service.transportId ?? options.transportId,
            logger,
          });
          built.longPolls.push(lp);
          built.handlers.set(prefix, (req, info, rest) => lp.handle(req, info, rest));
          break;
        }
        case "static": {
          if (typeof service.directory !== "string" || service.directory === "") {
            throw new RangeError(
              `directory: must be a directory path, got ${JSON.stringify(service.directory)}`,
            );
          }
          pending.push(
            createStaticFiles(service.directory, {
              ...service.options,
              baseDir: options.baseDir,
              logger,
            }).then(
              (files: StaticFiles) => {
                built.handlers.set(prefix, (req, _info, rest) => files.handle(req, rest));
              },
              (err) => {
                errors.push(`${at}: ${errorText(err)}`);
              },
            ),
          );
          break;
        }
        case "archive": {
          pending.push(
            openArchive({ ...service.options, baseDir: options.baseDir, logger }).then(
              (files: ArchiveFiles) => {
                built.handlers.set(prefix, (req, _info, rest) => {
                  if (req.body) void req.body.cancel();
                  return files.handle(req, rest);
                });
              },
              (err) => {
                errors.push(`${at}: ${errorText(err)}`);
              },
            ),
          );
          break;
        }
        case "nodeinfo": {
          const status = service.status ?? localStatus();
          const page = new StatusPage({
            prefix,
            summary: () => status.summary(),
            webSocketPaths: table.entries
              .filter((e) => e.service.type === "websocket")
              .map((e) => e.prefix),
            extra: service.info,
            updateMs: service.updateMs,
            logger,
          });
          built.pages.push(page);
          built.handlers.set(prefix, (req, _info, rest) => page.handle(req, rest));
          break;
        }
        case "metrics": {
          const status = service.status ?? localStatus();
          built.handlers.set(
            prefix,
            (req, _info, rest) =>
              exact(rest) ? metricsResponse(req, () => status.metrics(), logger) : notFound(req),
          );
          break;
        }
        case "json": {
          const { value, options: jsonOptions } = service;
          built.handlers.set(
            prefix,
            (req, _info, rest) =>
              exact(rest) ? jsonValueResponse(req, value, jsonOptions) : notFound(req),
          );
          break;
        }
        case "redirect": {
          if (typeof service.url !== "string" || service.url === "") {
            throw new RangeError(`url: must be a URL or path, got ${JSON.stringify(service.url)}`);
          }
          const status = service.status ?? 302;
          if (![301, 302, 303, 307, 308].includes(status)) {
            throw new RangeError(`status: must be 301, 302, 303, 307 or 308, got ${status}`);
          }
          const url = service.url;
          built.handlers.set(prefix, async (req) => {
            await discard(req);
            return new Response(null, { status, headers: { location: url } });
          });
          break;
        }
        case "caller":
        case "publisher": {
          const bridgeOptions = {
            ...service.options,
            realm: service.realm,
            role: service.role,
            logger,
          };
          const bridge = service.type === "caller"
            ? createCallerBridge(acceptor as BridgeAcceptor, bridgeOptions)
            : createPublisherBridge(acceptor as BridgeAcceptor, bridgeOptions);
          built.bridges.push(bridge as HttpBridge<unknown>);
          built.handlers.set(
            prefix,
            (req, info, rest) => exact(rest) ? bridge.handle(req, info) : notFound(req),
          );
          pending.push(
            bridge.start().catch((err) => {
              errors.push(`${at}: ${errorText(err)}`);
            }),
          );
          break;
        }
        default: {
          const never: never = service;
          throw new RangeError(
            `type: must be websocket, static, redirect, longpoll, caller, publisher, nodeinfo, json, metrics or path, got ${
              JSON.stringify((never as { type: unknown }).type)
            }`,
          );
        }
      }
    } catch (err) {
      errors.push(`${at}: ${errorText(err)}`);
    }
  }
  await Promise.all(pending);
  if (errors.length > 0) {
    for (const lp of built.longPolls) lp.closeAll();
    await Promise.all(built.bridges.map((b) => b.close().catch(() => {})));
    throw new Error(errors.join("\n"));
  }
  return built;
}

function pickSerializers(names: readonly SerializerName[] | undefined): Serializer[] {
  if (names === undefined) return Object.values(allSerializers);
  if (!Array.isArray(names) || names.length === 0) {
    throw new RangeError("serializers: must list at least one of json, msgpack, cbor");
  }
  return names.map((n) => {
    const s = (allSerializers as Record<string, Serializer>)[n];
    if (s === undefined) {
      throw new RangeError(
        `serializers: unknown serializer ${JSON.stringify(n)} (use json, msgpack, cbor)`,
      );
    }
    return s;
  });
}

function exact(rest: string): boolean {
  return rest === "" || rest === "/";
}

async function notFound(req: Request): Promise<Response> {
  await discard(req);
  return textResponse(404, "not found");
}
