/**
 * Every default the validator applies, in one place. Consumers of a
 * {@link NodeConfig} never need these: the normalized config carries them.
 *
 * @module
 */

import type {
  AuthConfig,
  ControllerOptions,
  LongPollServiceConfig,
  ProcessEnv,
  RealmOptions,
  RestartPolicy,
  SerializerName,
  WebSocketOptions,
  WebTransportOptions,
} from "./types.ts";

/** The default node directory (Crossbar's). */
export const DEFAULT_NODE_DIR = ".crossbar";

/** Serializers offered when a transport names none. */
export const DEFAULT_SERIALIZERS: readonly SerializerName[] = ["cbor", "msgpack", "json"];

/** Default largest message, in bytes (16 MiB). */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** Largest `max_message_size` accepted (64 MiB, as Crossbar; also Deno's WebSocket frame limit). */
export const MAX_MESSAGE_SIZE_LIMIT = 64 * 1024 * 1024;

/** Largest message a RawSocket handshake can announce (2^24 bytes). */
export const RAWSOCKET_MAX_ANNOUNCED = 16 * 1024 * 1024;

/** Default hard bound of a connection's outbound queue, in bytes (xbar; `flow_control.max_queue_bytes`). */
export const DEFAULT_MAX_QUEUE_BYTES = 4 * 1024 * 1024;

/** Default flow-control high-water mark, in bytes (or half the hard bound when that is smaller). */
export const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024;

/** Default flow-control low-water mark, in bytes (or half the high-water mark when that is smaller). */
export const DEFAULT_LOW_WATER_BYTES = 256 * 1024;

/** Default time a backlogged connection may stay so before it is closed, in ms (nats-server's write deadline). */
export const DEFAULT_STUCK_TIMEOUT_MS = 10_000;

/** Default accept queue depth of listening endpoints (Crossbar's). */
export const DEFAULT_BACKLOG = 50;

/** Default `max_connections` of listening endpoints (xbar extension). */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Default `max_connections_per_ip` of listening TCP endpoints (xbar extension). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 256;

/** Default `mode` of listening Unix sockets (xbar extension): owner read/write only. */
export const DEFAULT_UNIX_SOCKET_MODE = 0o600;

/** Default connect timeout of connecting endpoints, in seconds (Crossbar's). */
export const DEFAULT_CONNECT_TIMEOUT = 10;

/** Default supervision of every worker (xbar extension, see {@link RestartPolicy}). */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = {
  policy: "on-failure",
  max_restarts: 5,
  window: 60_000,
  initial_delay: 100,
  max_delay: 10_000,
  multiplier: 2,
};

/** Default controller options. */
export const DEFAULT_CONTROLLER_OPTIONS: Readonly<ControllerOptions> = {
  title: "xbar-controller",
  shutdown: ["shutdown_on_shutdown_requested"],
  enable_parallel_worker_start: false,
  management_max_connections: 64,
};

/** Default process environment: inherit everything, set nothing. */
export function defaultProcessEnv(): ProcessEnv {
  return { inherit: true, vars: {} };
}

/** Default realm options (`uri_check` loose, as Crossbar's router factory defaults). */
export const DEFAULT_REALM_OPTIONS: Readonly<RealmOptions> = {
  enable_meta_api: true,
  uri_check: "loose",
};

/** Default event history length per topic of a realm store (Crossbar's). */
export const DEFAULT_STORE_LIMIT = 100;

/** Default WebSocket options (a fresh object each call). */
export function defaultWebSocketOptions(): WebSocketOptions {
  return {
    max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
    auto_ping_interval: 0,
    auto_ping_timeout: 0,
    auto_ping_size: 4,
    open_handshake_timeout: 10_000,
    close_handshake_timeout: 1000,
    allowed_origins: ["*"],
    allow_null_origin: true,
    require_websocket_subprotocol: true,
    enable_webstatus: true,
    show_server_version: false,
    max_frame_size: 0,
    auto_fragment_size: 0,
    echo_close_codereason: false,
    fail_by_drop: false,
  };
}

/** Default Web transport options. */
export function defaultWebTransportOptions(): WebTransportOptions {
  return {
    access_log: false,
    display_tracebacks: false,
    hsts: false,
    hsts_max_age: 31_536_000,
    client_timeout: 30,
  };
}

/** Default long-poll options (Crossbar's, in seconds). */
export function defaultLongPollOptions(): LongPollServiceConfig["options"] {
  return {
    request_timeout: 10,
    session_timeout: 30,
    queue_limit_bytes: 128 * 1024,
    queue_limit_messages: 100,
    debug: false,
    allowed_origins: ["*"],
    allow_null_origin: true,
  };
}

/** The auth of a transport that configures none: anonymous, role `anonymous` (Crossbar's behaviour). */
export function defaultAuth(): AuthConfig {
  return { anonymous: { type: "static", role: "anonymous" } };
}

/** Role of router components and HTTP bridge sessions without a `role` (Crossbar's). */
export const DEFAULT_COMPONENT_ROLE = "anonymous";

/** WAMP-CRA key derivation defaults when a user has a `salt` (Autobahn's). */
export const DEFAULT_WAMPCRA_ITERATIONS = 1000;
/** See {@link DEFAULT_WAMPCRA_ITERATIONS}. */
export const DEFAULT_WAMPCRA_KEYLEN = 32;

/**
 * The first id `prefix001`, `prefix002`, ... not in `taken`, which it joins.
 * Used for workers (`worker`), transports (`transport`), components
 * (`component`) and rlinks (`rlink`) written without an `id`.
 */
export function generateId(prefix: string, taken: Set<string>): string {
  for (let n = 1;; n++) {
    const id = `${prefix}${String(n).padStart(3, "0")}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}
