/**
 * Starting a router worker's listening transports from their node config:
 * WebSocket (its own port, every path), RawSocket (TCP or Unix) and Web
 * (a path map, see `src/transport/web.ts`). Each transport gets its own
 * authenticator from its `auth` dict, selected by transport id.
 *
 * @module
 */

import type {
  AuthConfig,
  FlowControlConfig,
  RawSocketTransportConfig,
  SerializerName,
  TransportConfig,
  UniversalTransportConfig,
  WebServiceConfig,
  WebSocketOptions as ConfigWebSocketOptions,
  WebSocketTransportConfig,
  WebTransportConfig,
} from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { Router } from "../router/router.ts";
import type { TransportAuthConfig } from "../router/authn/transport_auth.ts";
import { loadAuthMethods, loadedTransportAuthenticator } from "./auth_methods.ts";
import { type Serializer, serializers as allSerializers } from "../serializer/mod.ts";
import type { WebSocketOptions } from "../transport/websocket.ts";
import type { FlowControlOptions } from "../transport/flow_control.ts";
import type { PathService, StatusSource } from "../transport/web_service.ts";
import { limitsOf, listenEndpointOf } from "./listen_endpoint.ts";
import { importLater } from "../import_later.ts";

/** Imports a transport's module when the config first starts one (`importLater`). */
function later<T>(path: string): Promise<T> {
  return importLater<T>(new URL(path, import.meta.url));
}

// Each kind of transport is imported when the config first starts one (start-up time).
function webSocketModules() {
  return Promise.all([
    later<typeof import("../transport/connection_tracker.ts")>(
      "../transport/connection_tracker.ts",
    ),
    later<typeof import("../transport/websocket_upgrade.ts")>("../transport/websocket_upgrade.ts"),
    later<typeof import("./http_listener.ts")>("./http_listener.ts"),
  ]);
}

const TRANSPORT_MODULES: Record<TransportConfig["type"], () => Promise<unknown>> = {
  websocket: webSocketModules,
  rawsocket: () =>
    later<typeof import("../transport/rawsocket_server.ts")>("../transport/rawsocket_server.ts"),
  web: () => later<typeof import("../transport/web.ts")>("../transport/web.ts"),
  universal: () => later<typeof import("../transport/web.ts")>("../transport/web.ts"),
};

/**
 * Starts importing the modules of these transport types (unknown types are
 * ignored; a failure surfaces when the transport starts): a router worker
 * calls it when the controller's `configure` names the transports it will
 * start, so the modules load while the worker sets up its links and realms.
 */
export function preloadTransports(types: readonly unknown[]): void {
  for (const t of new Set(types)) {
    if (typeof t === "string" && Object.hasOwn(TRANSPORT_MODULES, t)) {
      TRANSPORT_MODULES[t as TransportConfig["type"]]().catch(() => {});
    }
  }
}

/** A transport that is listening. */
export interface RunningTransport {
  /** Transport id. */
  readonly id: string;
  /** Transport type. */
  readonly type: TransportConfig["type"];
  /** Where it listens (`tcp4:127.0.0.1:8080`, `unix:/path`). */
  readonly address: string;
  /** The TCP port (0 for Unix sockets). */
  readonly port: number;
  /** When it started. */
  readonly started: string;
  /** The config it was started with. */
  readonly config: TransportConfig;
  /** Stops listening and closes its connections. Idempotent. */
  shutdown(): Promise<void>;
}

/** What starting a transport needs. */
export interface TransportContext {
  /** The router to attach connections to. */
  router: Router;
  /** The node directory (relative paths are resolved against it). */
  nodeDir: string;
  /** Where to log. */
  logger: Logger;
  /** The whole node's figures, for `metrics` and `nodeinfo` services. Default: this router's. */
  status?: StatusSource;
}

function pickSerializers(names: readonly SerializerName[]): Serializer[] {
  return names.map((n) => allSerializers[n]);
}

/**
 * Deno's `idleTimeout` (whole seconds) for Crossbar's `auto_ping_interval`
 * (ms). Crossbar pings every `auto_ping_interval` ms; Deno pings a connection
 * that was idle for half of `idleTimeout` and drops it when the pong has not
 * come after the other half (measured). So `idleTimeout = 2 × interval` pings
 * at exactly the interval (intervals are kept to multiples of 500 ms; `xbar
 * check` warns about others), and waits one interval for the pong.
 */
export function idleTimeoutFor(autoPingIntervalMs: number): number {
  return Math.max(1, Math.round((2 * autoPingIntervalMs) / 1000));
}

/** Flow control and the outbound bound from `options.flow_control` (xbar extension). */
function flowOptions(
  f: FlowControlConfig | undefined,
): { flowControl?: FlowControlOptions | false; maxOutboundBytes?: number } {
  if (f === undefined) return {};
  return {
    maxOutboundBytes: f.max_queue_bytes,
    flowControl: f.enabled
      ? {
        highWaterBytes: f.high_water_bytes,
        lowWaterBytes: f.low_water_bytes,
        stuckTimeoutMs: f.stuck_timeout_ms,
      }
      : false,
  };
}

/** The WebSocket endpoint options from Crossbar's WebSocket options. */
function webSocketOptions(
  o: ConfigWebSocketOptions,
): Omit<WebSocketOptions, "serializers" | "tracker" | "logger"> {
  const out: Omit<WebSocketOptions, "serializers" | "tracker" | "logger"> = {
    maxMessageSize: o.max_message_size,
    requireSubprotocol: o.require_websocket_subprotocol,
    closeTimeoutMs: o.close_handshake_timeout > 0 ? o.close_handshake_timeout : undefined,
    ...flowOptions(o.flow_control),
    allowedOrigins: o.allowed_origins,
    allowNullOrigin: o.allow_null_origin,
    maxFrameSize: o.max_frame_size,
    autoFragmentSize: o.auto_fragment_size,
    pingSize: o.auto_ping_size,
    echoCloseReason: o.echo_close_codereason,
    failByDrop: o.fail_by_drop,
    webStatus: o.enable_webstatus,
    showServerVersion: o.show_server_version,
  };
  const deflate = o.compression?.deflate;
  if (deflate !== undefined) {
    out.compression = {
      maxWindowBits: deflate.max_window_bits || undefined,
      clientMaxWindowBits: deflate.request_max_window_bits || undefined,
      memoryLevel: deflate.memory_level,
      clientContextTakeover: deflate.request_no_context_takeover === false,
    };
  }
  if (o.auto_ping_interval > 0) out.idleTimeout = idleTimeoutFor(o.auto_ping_interval);
  return out;
}

function setAuth(ctx: TransportContext, transportId: string, auth: AuthConfig): void {
  ctx.router.setAuthenticator(
    transportId,
    loadedTransportAuthenticator(auth as TransportAuthConfig, {
      router: ctx.router,
      logger: ctx.logger,
    }),
  );
}

async function startWebSocket(
  ctx: TransportContext,
  cfg: WebSocketTransportConfig,
): Promise<Omit<RunningTransport, "id" | "type" | "started" | "config">> {
  setAuth(ctx, cfg.id, cfg.auth);
  const [{ ConnectionTracker }, { createWebSocketUpgrader }, { listenHttp }] =
    await webSocketModules();
  const tracker = new ConnectionTracker();
  const ws = createWebSocketUpgrader(ctx.router, {
    ...webSocketOptions(cfg.options),
    serializers: pickSerializers(cfg.serializers),
    transportId: cfg.id,
    logger: ctx.logger,
    tracker,
  });
  // Like Crossbar, a WebSocket transport on its own port answers on every path.
  // open_handshake_timeout bounds the wait for the upgrade request (and for
  // any further request on a kept-alive connection); 0 means none.
  const handshakeMs = cfg.options.open_handshake_timeout;
  const listener = await listenHttp(cfg.endpoint, ws, {
    baseDir: ctx.nodeDir,
    tracker,
    logger: ctx.logger,
    transportId: cfg.id,
    timeouts: {
      headMs: handshakeMs,
      idleMs: handshakeMs,
      bodyMs: handshakeMs,
      writeMs: handshakeMs,
    },
  });
  return listener;
}

async function startRawSocket(
  ctx: TransportContext,
  cfg: RawSocketTransportConfig,
): Promise<Omit<RunningTransport, "id" | "type" | "started" | "config">> {
  setAuth(ctx, cfg.id, cfg.auth);
  const e = cfg.endpoint;
  const { serveRawSocket } = await later<typeof import("../transport/rawsocket_server.ts")>(
    "../transport/rawsocket_server.ts",
  );
  const server = await serveRawSocket(ctx.router, {
    endpoint: e.type === "tcp"
      ? {
        type: "tcp",
        port: e.port,
        hostname: e.interface,
        reusePort: e.shared,
        backlog: e.backlog,
        tls: e.tls
          ? {
            key: e.tls.key,
            certificate: e.tls.certificate,
            chainCertificates: e.tls.chain_certificates,
          }
          : undefined,
      }
      : { type: "unix", path: e.path, mode: e.mode },
    serializers: pickSerializers(cfg.serializers),
    maxMessageSize: cfg.options.max_message_size,
    ...flowOptions(cfg.options.flow_control),
    ...(() => {
      const l = limitsOf(e);
      return { maxConnections: l.maxConnections, maxConnectionsPerIp: l.maxConnectionsPerIp };
    })(),
    baseDir: ctx.nodeDir,
    transportId: cfg.id,
    logger: ctx.logger,
  });
  const addr = server.addr;
  const address = "path" in addr
    ? `unix:${addr.path}`
    : `${addr.hostname.includes(":") ? "tcp6" : "tcp4"}:${addr.hostname}:${addr.port}`;
  return { address, port: "port" in addr ? addr.port : 0, shutdown: () => server.shutdown() };
}

/** A transport's top-level `paths` as served; logs the paths whose service xbar does not have (they answer 404). */
function servedPaths(
  ctx: TransportContext,
  transportId: string,
  paths: Record<string, WebServiceConfig>,
): Record<string, PathService> {
  const skipped: string[] = [];
  const out = webPaths(ctx, transportId, paths, "", skipped);
  if (skipped.length > 0) {
    ctx.logger.log("warn", "web services not available yet in xbar; these paths answer 404", {
      transport: transportId,
      paths: skipped,
    });
  }
  return out;
}

/** Paths of a Web transport, as `serveWeb` takes them; services it cannot serve are reported in `skipped`. */
function webPaths(
  ctx: TransportContext,
  transportId: string,
  paths: Record<string, WebServiceConfig>,
  prefix: string,
  skipped: string[],
): Record<string, PathService> {
  const out: Record<string, PathService> = {};
  for (const [key, s] of Object.entries(paths)) {
    const where = prefix === "" ? key : `${prefix}/${key}`;
    switch (s.type) {
      case "websocket": {
        const id = `${transportId}:${where}`;
        setAuth(ctx, id, s.auth);
        out[key] = {
          type: "websocket",
          serializers: s.serializers,
          transportId: id,
          options: webSocketOptions(s.options),
        };
        break;
      }
      case "static":
        out[key] = {
          type: "static",
          directory: s.directory,
          options: {
            enableDirectoryListing: s.options.enable_directory_listing,
            mimeTypes: s.options.mime_types,
            cacheTimeout: s.options.cache_timeout,
            defaultFile: s.options.default_file,
          },
        };
        break;
      case "archive":
        out[key] = {
          type: "archive",
          options: {
            archive: s.archive,
            origin: s.origin,
            download: s.download,
            hashes: s.hashes,
            cache: s.cache,
            defaultObject: s.default_object,
            objectPrefix: s.object_prefix,
            mimeTypes: s.mime_types,
            defaultFile: s.options.default_file,
          },
        };
        break;
      case "redirect":
        out[key] = { type: "redirect", url: s.url };
        break;
      case "longpoll":
        out[key] = {
          type: "longpoll",
          transportId: `${transportId}:${where}`,
          options: {
            requestTimeout: s.options.request_timeout,
            sessionTimeout: s.options.session_timeout,
            queueLimitBytes: s.options.queue_limit_bytes,
            queueLimitMessages: s.options.queue_limit_messages,
            debugTransportId: s.options.debug_transport_id,
            flowControl: flowOptions(s.options.flow_control).flowControl,
            allowedOrigins: s.options.allowed_origins,
            allowNullOrigin: s.options.allow_null_origin,
          },
        };
        break;
      case "caller":
      case "publisher": {
        const o = s.options;
        out[key] = {
          type: s.type,
          realm: s.realm,
          role: s.role,
          options: {
            postBodyLimit: o.post_body_limit || undefined,
            requireTls: o.require_tls,
            requireIp: o.require_ip,
            key: o.key,
            secret: o.secret,
            timestampDeltaLimit: o.timestamp_delta_limit || undefined,
            replayCacheSize: o.replay_cache_size,
            allowedOrigins: o.allowed_origins,
            allowNullOrigin: o.allow_null_origin,
          },
        };
        break;
      }
      case "path":
        out[key] = { type: "path", paths: webPaths(ctx, transportId, s.paths, where, skipped) };
        break;
      case "nodeinfo":
        out[key] = { type: "nodeinfo", status: ctx.status };
        break;
      case "metrics":
        out[key] = { type: "metrics", status: ctx.status };
        break;
      case "json":
        out[key] = {
          type: "json",
          value: s.value,
          options: {
            prettify: s.options.prettify,
            allowCrossOrigin: s.options.allow_cross_origin,
            discourageCaching: s.options.discourage_caching,
          },
        };
        break;
      default: {
        const never: never = s;
        skipped.push(`${where} (${(never as { type: string }).type})`);
      }
    }
  }
  return out;
}

async function startWeb(
  ctx: TransportContext,
  cfg: WebTransportConfig,
): Promise<Omit<RunningTransport, "id" | "type" | "started" | "config">> {
  const paths = servedPaths(ctx, cfg.id, cfg.paths);
  const { serveWeb } = await later<typeof import("../transport/web.ts")>("../transport/web.ts");
  // client_timeout (seconds, Crossbar's) bounds the wait for each request
  // head, the time to receive its body and each write of the response; null
  // means none.
  const clientMs = (cfg.options.client_timeout ?? 0) * 1000;
  const server = await serveWeb(ctx.router, {
    endpoint: listenEndpointOf(cfg.endpoint),
    limits: limitsOf(cfg.endpoint),
    timeouts: { headMs: clientMs, idleMs: clientMs, bodyMs: clientMs, writeMs: clientMs },
    paths,
    baseDir: ctx.nodeDir,
    transportId: cfg.id,
    logger: ctx.logger,
    accessLog: cfg.options.access_log,
    displayTracebacks: cfg.options.display_tracebacks,
    hsts: cfg.options.hsts,
    hstsMaxAge: cfg.options.hsts_max_age,
    shutdownGraceMs: 2000,
  });
  return {
    address: server.address,
    port: server.port,
    shutdown: () => server.shutdown(),
  };
}

async function startUniversal(
  ctx: TransportContext,
  cfg: UniversalTransportConfig,
): Promise<Omit<RunningTransport, "id" | "type" | "started" | "config">> {
  const e = cfg.endpoint;
  if (cfg.rawsocket) setAuth(ctx, cfg.id, cfg.rawsocket.auth);
  const paths = servedPaths(ctx, cfg.id, { ...(cfg.web?.paths ?? {}), ...cfg.websocket });
  const o = cfg.web?.options;
  const { serveWeb } = await later<typeof import("../transport/web.ts")>("../transport/web.ts");
  const clientMs = (o?.client_timeout ?? 30) * 1000;
  const server = await serveWeb(ctx.router, {
    endpoint: listenEndpointOf(e),
    limits: limitsOf(e),
    timeouts: { headMs: clientMs, idleMs: clientMs, bodyMs: clientMs, writeMs: clientMs },
    paths,
    rawsocket: cfg.rawsocket && {
      serializers: pickSerializers(cfg.rawsocket.serializers),
      maxMessageSize: cfg.rawsocket.options.max_message_size,
      transportId: cfg.id,
      ...flowOptions(cfg.rawsocket.options.flow_control),
    },
    baseDir: ctx.nodeDir,
    transportId: cfg.id,
    logger: ctx.logger,
    accessLog: o?.access_log,
    displayTracebacks: o?.display_tracebacks,
    hsts: o?.hsts,
    hstsMaxAge: o?.hsts_max_age,
    shutdownGraceMs: 2000,
  });
  return {
    address: server.address,
    port: server.port,
    shutdown: () => server.shutdown(),
  };
}

/** Starts `cfg` (whose `id` is set). Rejects with a message naming the transport when it cannot listen. */
export async function startTransport(
  ctx: TransportContext,
  cfg: TransportConfig,
): Promise<RunningTransport> {
  let started;
  try {
    await loadAuthMethods(cfg);
    switch (cfg.type) {
      case "websocket":
        started = await startWebSocket(ctx, cfg);
        break;
      case "rawsocket":
        started = await startRawSocket(ctx, cfg);
        break;
      case "web":
        started = await startWeb(ctx, cfg);
        break;
      case "universal":
        started = await startUniversal(ctx, cfg);
        break;
      default: {
        const never: never = cfg;
        throw new Error(`unknown transport type ${(never as { type: string }).type}`);
      }
    }
  } catch (err) {
    throw new Error(
      `transport "${cfg.id}" (${cfg.type}) cannot listen on ${endpointText(cfg.endpoint)}: ${
        describeListenError(err)
      }`,
    );
  }
  return { ...started, id: cfg.id, type: cfg.type, started: new Date().toISOString(), config: cfg };
}

/** Where a listening endpoint listens, as a user writes it (`127.0.0.1:8080`, `unix:/path`). */
export function endpointText(e: TransportConfig["endpoint"]): string {
  if (e.type === "unix") return `unix:${e.path}`;
  const host = e.interface.includes(":") ? `[${e.interface}]` : e.interface;
  return `${host}:${e.port}`;
}

function describeListenError(err: unknown): string {
  if (err instanceof Deno.errors.AddrInUse) return "the address is already in use";
  if (err instanceof Deno.errors.PermissionDenied) return `permission denied (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}
