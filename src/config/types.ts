/**
 * The node configuration of xbar: Crossbar.io's config version 2, as it is
 * after loading, validation and defaults (see `validate.ts`, `defaults.ts`).
 *
 * Field names are Crossbar's own (snake_case, as written in `config.json` /
 * `config.yaml`), so Crossbar's documentation applies. The few renames are
 * marked on the field (`store["event-history"]` → `store.event_history`).
 * Everything optional in the file has its default applied here, so consumers
 * never repeat the defaults; the fields that stay optional are optional in
 * Crossbar's semantics too (their absence means something).
 *
 * Durations: Crossbar's WebSocket options and xbar's `restart` policy are in
 * milliseconds; endpoint `timeout` and long-poll timeouts are in seconds, as in
 * Crossbar.
 *
 * @module
 */

/** One problem found in a config file. */
export interface ConfigError {
  /** Where in the config, e.g. `workers[0].transports[1].endpoint.port`; `""` is the whole document. */
  path: string;
  /** What is wrong, with the offending value, e.g. `must be 1-65535, got 70000`. */
  message: string;
  /** The file the config came from, when it came from a file. */
  file?: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** 1-based column in `file`, when known. */
  column?: number;
}

/** The result of validating (or loading) a config: a config only when there are no errors. */
export interface ConfigResult {
  /** The normalized config; present exactly when `errors` is empty. */
  config?: NodeConfig;
  /** Every error found, in one pass. */
  errors: ConfigError[];
  /** Accepted but ignored or doubtful settings (e.g. Python-only options). They never block a start. */
  warnings: ConfigError[];
}

/** A whole node config (Crossbar config version 2). */
export interface NodeConfig {
  /** Always 2: version 1 configs are rejected (Crossbar's `crossbar upgrade` converts them). */
  version: 2;
  /** The node controller (the `xbar start` process). */
  controller: ControllerConfig;
  /** The worker processes the controller starts, in order. */
  workers: WorkerConfig[];
}

/** Node shutdown triggers (Crossbar's controller `options.shutdown`). */
export type ShutdownTrigger =
  | "shutdown_on_shutdown_requested"
  | "shutdown_on_worker_exit"
  | "shutdown_on_worker_exit_with_error"
  | "shutdown_on_last_worker_exit";

/** The node controller. */
export interface ControllerConfig {
  /** Node id (Crossbar pattern `^[a-z][a-z0-9_]{2,63}$`); absent means the node chooses one. */
  id?: string;
  /** Controller options. */
  options: ControllerOptions;
  /** Free-form data handed to the controller (Crossbar `extra`). */
  extra?: unknown;
}

/** Controller options. */
export interface ControllerOptions {
  /** Process title (default `"xbar-controller"`). */
  title: string;
  /**
   * When the node shuts itself down. In xbar a worker exit first goes to the
   * supervisor (see {@link RestartPolicy}); the `*_worker_exit*` triggers fire
   * only for a worker that will not be restarted. Default
   * `["shutdown_on_shutdown_requested"]` (run until asked to stop).
   */
  shutdown: ShutdownTrigger[];
  /** Start workers in parallel instead of one after the other (default `false`). */
  enable_parallel_worker_start: boolean;
  /** xbar extension: most connections open at once on the management socket `node.sock` (default 64; 0 = no limit). */
  management_max_connections: number;
}

/** Any worker. */
export type WorkerConfig = RouterWorkerConfig | ContainerWorkerConfig | GuestWorkerConfig;

/** The environment of a worker process (Crossbar `options.env`). */
export interface ProcessEnv {
  /** Inherit the controller's environment: all of it (`true`, default), none (`false`) or the named variables. */
  inherit: boolean | string[];
  /** Variables to set (after inheriting). */
  vars: Record<string, string>;
}

/**
 * xbar extension: how the controller's supervisor restarts a worker (Crossbar
 * has no such thing). Written as `options.restart: {...}` on any worker.
 *
 * After an exit the supervisor decides with `policy`: `always` restarts after
 * any exit, `on-failure` only after a non-zero exit code or a signal, `never`
 * leaves the worker stopped. A worker stopped on purpose (management API,
 * node shutdown) is never restarted. Restart `n` (1-based) waits
 * `min(initial_delay * multiplier^(n-1), max_delay)` ms. A worker that already
 * had `max_restarts` restarts within the last `window` ms is given up on (logged,
 * then the controller's shutdown triggers apply).
 */
export interface RestartPolicy {
  /** When to restart (default `"on-failure"`). */
  policy: "always" | "on-failure" | "never";
  /** Restarts allowed within `window` before giving up (default 5). */
  max_restarts: number;
  /** The sliding window for `max_restarts`, in ms (default 60000). */
  window: number;
  /** Delay before the first restart, in ms (default 100). */
  initial_delay: number;
  /** Upper bound of the delay, in ms (default 10000). */
  max_delay: number;
  /** Growth factor of the delay per consecutive restart (default 2, at least 1). */
  multiplier: number;
}

/** Options every worker has. */
export interface WorkerOptions {
  /** Process title (default `"xbar-<type>-<id>"`). */
  title: string;
  /** Process environment. */
  env: ProcessEnv;
  /** Supervision (xbar extension). */
  restart: RestartPolicy;
  /** Crossbar `disabled`: a disabled worker is validated but not started (default `false`). */
  disabled: boolean;
  /** Free-form data handed to the worker (Crossbar `extra`). */
  extra?: unknown;
  /**
   * Directories put first on the Python search path of the worker's Python
   * components, relative to the node directory (Crossbar `pythonpath`).
   */
  pythonpath?: string[];
  /** The Python interpreter for the worker's Python components (Crossbar `python`). */
  python?: string;
}

/** A router worker: realms, transports and router-side components. */
export interface RouterWorkerConfig {
  /** Worker type. */
  type: "router";
  /** Worker id (generated as `worker001`, `worker002`, ... when absent). */
  id: string;
  /** Worker options. */
  options: WorkerOptions;
  /** Realms run by this router. */
  realms: RealmConfig[];
  /** Listening transports. */
  transports: TransportConfig[];
  /** Components running inside this router process, on an in-process session. */
  components: RouterComponentConfig[];
  /**
   * Set on each copy of a router worker block declared with `"replicas": N`
   * (xbar extension): the validated config lists N router workers with ids
   * `<id>-1` … `<id>-N`, identical otherwise. Replicas serve the same realms
   * as one router (the controller links them, like any router workers of a
   * node that share a realm); their TCP endpoints share their ports
   * (`"shared": true`, SO_REUSEPORT). Absent on a worker without replicas.
   */
  replica?: ReplicaInfo;
}

/** Which copy of a replicated router worker block a worker is. */
export interface ReplicaInfo {
  /** The block's id (`<id>` of `<id>-<index>`). */
  of: string;
  /** 1-based index of this copy. */
  index: number;
  /** Number of copies (the block's `replicas`). */
  count: number;
}

/** A container worker: components connected to a router over a transport. */
export interface ContainerWorkerConfig {
  /** Worker type. */
  type: "container";
  /** Worker id (generated when absent). */
  id: string;
  /** Worker options. */
  options: ContainerOptions;
  /** The components this container runs. */
  components: ContainerComponentConfig[];
}

/** Container shutdown modes (Crossbar). */
export type ContainerShutdown =
  | "shutdown-manual"
  | "shutdown-on-last-component-stopped"
  | "shutdown-on-any-component-failed"
  | "shutdown-on-any-component-stopped";

/** Container worker options. */
export interface ContainerOptions extends WorkerOptions {
  /** When the container process exits by itself (default `"shutdown-manual"`). */
  shutdown: ContainerShutdown;
  /**
   * When a stopped or failed component is restarted inside the container.
   * Crossbar writes this as `options.restart: "restart-always" |
   * "restart-on-failed" | "restart-never"` (a string); xbar also reads it as
   * `options.component_restart`. Default `"on-failure"`.
   */
  component_restart: "always" | "on-failure" | "never";
}

/** A guest worker: any executable. */
export interface GuestWorkerConfig {
  /** Worker type. */
  type: "guest";
  /** Worker id (generated when absent). */
  id: string;
  /** The program: a path (absolute, or relative to `options.workdir`, else the node directory) or a name found on `PATH`. */
  executable: string;
  /** Its arguments. */
  arguments: string[];
  /** Guest options. */
  options: GuestOptions;
}

/** What to do with a guest's stdout or stderr. */
export type GuestOutput = "close" | "log" | "drop";

/** Guest worker options. */
export interface GuestOptions extends WorkerOptions {
  /** Working directory, relative to the node directory (default: the node directory). */
  workdir?: string;
  /** `"close"` (default): stdin closed at start; or a JSON value written to stdin, then closed unless `close: false`. */
  stdin: "close" | { type: "json"; value: unknown; close: boolean };
  /** stdout handling (default `"log"`: each line goes to the node log). */
  stdout: GuestOutput;
  /** stderr handling (default `"log"`). */
  stderr: GuestOutput;
  /** Restart the program when files change (Crossbar `watch`). */
  watch?: GuestWatch;
}

/** Crossbar's guest `watch`: directories watched recursively; a change restarts the program. */
export interface GuestWatch {
  /** Watched directories, relative to the node directory. */
  directories: string[];
  /** What a change does: `"restart"` (stop the program, start it again after `timeout`). */
  action: "restart";
  /** Seconds between stopping and starting again (default 1, as in Crossbar). */
  timeout: number;
}

/** A realm on a router. */
export interface RealmConfig {
  /** Realm name (Crossbar pattern `^[A-Za-z][A-Za-z0-9_\-@\.]{2,254}$`). */
  name: string;
  /** Roles with their permissions. */
  roles: RoleConfig[];
  /** Realm options. */
  options: RealmOptions;
  /** Event history store; absent means no history. */
  store?: RealmStoreConfig;
  /** Router-to-router links for this realm (Crossbar `rlinks`). */
  rlinks: RLinkConfig[];
  /** Log every WAMP message of this realm's sessions (in and out) at info level. */
  trace?: boolean;
  /** Per-session message statistics published as `wamp.session.on_stats` (Crossbar's realm `stats`). */
  stats?: RealmStatsConfig;
}

/**
 * Crossbar's realm `stats`: each client session's serialized messages and
 * bytes, both ways, published as `wamp.session.on_stats`.
 */
export interface RealmStatsConfig {
  /** Bytes per rated message (a power of two; default 512). */
  rated_message_size: number;
  /** Publish after this many rated messages (0: off; default 0). */
  trigger_after_rated_messages: number;
  /** Publish when a message is counted this many seconds after the last publication (0: off; default 0). */
  trigger_after_duration: number;
  /** Publish when the session joins (default false, as Crossbar's code). */
  trigger_on_join: boolean;
  /** Publish when the session leaves (default true). */
  trigger_on_leave: boolean;
}

/** Realm options. */
export interface RealmOptions {
  /** Serve the WAMP meta API (`wamp.session.*`, ...) on this realm (default `true`). */
  enable_meta_api: boolean;
  /**
   * URI checking of client messages and of this realm's permission and history URIs:
   * `"loose"` (default, as in Crossbar) or `"strict"` (`[0-9a-z_]` components).
   */
  uri_check: "strict" | "loose";
}

/** A role. Exactly one of `permissions` (static) or `authorizer` (dynamic) applies. */
export interface RoleConfig {
  /** Role name. */
  name: string;
  /** Static permissions (empty when `authorizer` is set: everything is asked of the authorizer). */
  permissions: PermissionConfig[];
  /** Dynamic authorizer procedure URI, called as Crossbar does: `(session_details, uri, action, options)`. */
  authorizer?: string;
}

/** How a permission URI matches. */
export type UriMatch = "exact" | "prefix" | "wildcard";

/** One static permission. */
export interface PermissionConfig {
  /**
   * The URI. A permission written without `match` uses Crossbar's starred-URI
   * rule and is normalized here: `"*"` → `""` prefix, `"com.x.*"` →
   * `"com.x."` prefix, a URI with an empty component (`"com..y"`) → wildcard,
   * anything else → exact.
   */
  uri: string;
  /** Match policy. */
  match: UriMatch;
  /** Allowed actions (each default `false`). */
  allow: { call: boolean; register: boolean; publish: boolean; subscribe: boolean };
  /** Disclosure of the caller/publisher identity (each default `false`). */
  disclose: { caller: boolean; publisher: boolean };
  /** May the router cache this authorization (default `false`, as in Crossbar's `from_dict`). */
  cache: boolean;
}

/** The realm store (Crossbar `store`; only `type: memory`). */
export interface RealmStoreConfig {
  /** Store type. */
  type: "memory";
  /** Default history length per topic (default 100). */
  limit: number;
  /** Topics with event history. Written `event-history` in the file. */
  event_history: { uri: string; match: UriMatch; limit: number }[];
}

/** A router-to-router link (Crossbar `rlinks` entry). */
export interface RLinkConfig {
  /** Link id (generated as `rlink001`, ... when absent). */
  id: string;
  /** The realm on the remote router. */
  realm: string;
  /** How to reach the remote router. */
  transport: ConnectingTransportConfig;
  /** authid to join the remote router with (optional). */
  authid?: string;
  /** Do not forward traffic of sessions with these authids. */
  exclude_authid: string[];
  /** Forward local publications to the remote router (default `true`). */
  forward_local_events: boolean;
  /** Forward remote publications to local subscribers (default `true`). */
  forward_remote_events: boolean;
  /** Forward local calls to remote callees (default `true`). */
  forward_local_invocations: boolean;
  /** Let remote callers reach local callees (default `true`). */
  forward_remote_invocations: boolean;
  /**
   * xbar extension: the link's heartbeat in ms (default 5000); three missed
   * heartbeats end the link and every call crossing it.
   */
  heartbeat_interval: number;
}

/** Serializers xbar speaks. Crossbar's `ubjson` is not among them. */
export type SerializerName = "json" | "msgpack" | "cbor";

/** A listening transport of a router. */
export type TransportConfig =
  | WebSocketTransportConfig
  | RawSocketTransportConfig
  | WebTransportConfig
  | UniversalTransportConfig;

/**
 * Crossbar's universal transport: one TCP port serving RawSocket (clients
 * whose first octet is 0x7F), the WebSocket paths and the Web services.
 */
export interface UniversalTransportConfig {
  /** Transport type. */
  type: "universal";
  /** Transport id (generated when absent). */
  id: string;
  /** Where to listen (TCP). */
  endpoint: ListeningEndpointConfig;
  /** RawSocket on this port; absent: RawSocket clients are refused. */
  rawsocket?: {
    /** Serializers offered. */
    serializers: SerializerName[];
    /** RawSocket options. */
    options: RawSocketOptions;
    /** Authentication of RawSocket sessions. */
    auth: AuthConfig;
  };
  /** Path → WebSocket service on this port. */
  websocket: Record<string, WebSocketServiceConfig>;
  /** Web services on this port (their paths and options). */
  web?: { paths: Record<string, WebServiceConfig>; options: WebTransportOptions };
}

/** WAMP over WebSocket on its own port. */
export interface WebSocketTransportConfig {
  /** Transport type. */
  type: "websocket";
  /** Transport id (generated as `transport001`, ... when absent; unique per worker). */
  id: string;
  /** Where to listen. */
  endpoint: ListeningEndpointConfig;
  /** The public URL of this transport (informational, e.g. for the status page). */
  url?: string;
  /** Serializers offered, in order of preference (default `["cbor", "msgpack", "json"]`). */
  serializers: SerializerName[];
  /** WebSocket options. */
  options: WebSocketOptions;
  /** Authentication methods (default: anonymous with role `anonymous`). */
  auth: AuthConfig;
  /** Verbose logging of this transport (default `false`). */
  debug: boolean;
}

/** WAMP over RawSocket (TCP or Unix socket). */
export interface RawSocketTransportConfig {
  /** Transport type. */
  type: "rawsocket";
  /** Transport id (generated when absent). */
  id: string;
  /** Where to listen. */
  endpoint: ListeningEndpointConfig;
  /** Serializers accepted (default `["cbor", "msgpack", "json"]`). */
  serializers: SerializerName[];
  /** RawSocket options. */
  options: RawSocketOptions;
  /** Authentication methods (default: anonymous with role `anonymous`). */
  auth: AuthConfig;
  /** Verbose logging (default `false`). */
  debug: boolean;
}

/**
 * xbar extension, `options.flow_control` of a listening WebSocket or
 * RawSocket transport, a WebSocket service or a long-poll service: when a
 * connection's outbound queue passes `high_water_bytes`, the sessions whose
 * messages land in it are no longer read until it is back at
 * `low_water_bytes`; a connection backlogged for `stuck_timeout_ms`, or
 * whose queue would pass `max_queue_bytes`, is closed as a slow consumer.
 * Absent keys take the transport's defaults.
 */
export interface FlowControlConfig {
  /** `false`: no pausing; a slow consumer is closed at `max_queue_bytes` only (default `true`). */
  enabled: boolean;
  /** Bytes queued above which the feeding sessions are paused (default 1 MiB, at most half of `max_queue_bytes`). */
  high_water_bytes?: number;
  /** Bytes queued at or below which they are resumed (default 256 KiB, at most half of `high_water_bytes`). */
  low_water_bytes?: number;
  /** Hard bound of the queue (default 4 MiB). Long-poll: use `queue_limit_bytes`. */
  max_queue_bytes?: number;
  /** Milliseconds a connection may stay backlogged before it is closed (default 10000; 0 = never). */
  stuck_timeout_ms?: number;
}

/** RawSocket options. */
export interface RawSocketOptions {
  /**
   * Largest message accepted, in bytes (default 16 MiB). Crossbar allowed up to
   * 64 MiB; the RawSocket handshake can announce at most 16 MiB, so the
   * transport announces `min(max_message_size, 16 MiB)`. Written either as
   * `options.max_message_size` or (older Crossbar) as a transport key.
   */
  max_message_size: number;
  /** Flow control (xbar extension; listening transports only). */
  flow_control?: FlowControlConfig;
}

/** WebSocket options (Crossbar's names and units: timeouts in ms). */
export interface WebSocketOptions {
  /** Largest WAMP message accepted, in bytes (default 16 MiB, at most 64 MiB). */
  max_message_size: number;
  /** Flow control (xbar extension; listening transports and WebSocket services only). */
  flow_control?: FlowControlConfig;
  /** Ping the client every this many ms; 0 (default) disables pings. */
  auto_ping_interval: number;
  /** Drop the connection when a ping is not answered within this many ms; 0 (default) = no timeout. */
  auto_ping_timeout: number;
  /** Ping payload size in bytes, 4-125 (default 4). */
  auto_ping_size: number;
  /**
   * Time allowed for the opening handshake in ms; 0 = none (default 10000).
   * On a WebSocket transport it bounds the wait for the upgrade request (and
   * any request on a kept-alive connection) and each write of an answer.
   */
  open_handshake_timeout: number;
  /** Time allowed for the closing handshake in ms (default 1000). */
  close_handshake_timeout: number;
  /** Origins accepted (`"*"` wildcards allowed; default `["*"]`). */
  allowed_origins: string[];
  /** Accept `Origin: null` (default `true`). */
  allow_null_origin: boolean;
  /** Refuse clients that offer no WAMP subprotocol (default `true`). */
  require_websocket_subprotocol: boolean;
  /** Answer a plain HTTP GET on the WebSocket URL with a status page (default `true`). */
  enable_webstatus: boolean;
  /** Include the server version in the status page and headers (default `false`). */
  show_server_version: boolean;
  /** Largest incoming WebSocket frame in bytes; a larger one closes with 1009 (default 0 = only `max_message_size` applies). */
  max_frame_size: number;
  /** Send longer messages in frames of at most this many bytes (default 0 = one frame per message). */
  auto_fragment_size: number;
  /** Echo the reason of a client's close frame, not only its code (default `false`). */
  echo_close_codereason: boolean;
  /**
   * Fail a broken connection by dropping TCP at once, without a close frame
   * (Autobahn's `failByDrop`; default `false`: the close frame carries the
   * code and reason first).
   */
  fail_by_drop: boolean;
  /**
   * permessage-deflate (RFC 7692), offered when `deflate` is given. The
   * server compresses each message on its own (it always answers
   * `server_no_context_takeover`, which the RFC allows; `no_context_takeover:
   * false` is accepted with a warning saying so); the client is asked for
   * no context takeover unless `request_no_context_takeover` is false, when
   * each connection keeps the client's window (2^client_max_window_bits
   * octets) to inflate against; inflation is bounded by `max_message_size`
   * either way. `max_window_bits` (9-15) bounds the server's window,
   * `memory_level` its zlib memory, `request_max_window_bits` is asked of
   * the client (`client_max_window_bits`) when its offer allows it.
   */
  compression?: {
    deflate?: {
      request_max_window_bits?: number;
      max_window_bits?: number;
      memory_level?: number;
      /** false: the client may keep its compression context between messages. Default true. */
      request_no_context_takeover?: boolean;
    };
  };
}

/** A Web transport: one HTTP port with a map of URL path → service. */
export interface WebTransportConfig {
  /** Transport type. */
  type: "web";
  /** Transport id (generated when absent). */
  id: string;
  /** Where to listen. */
  endpoint: ListeningEndpointConfig;
  /** First path segment (or `"/"` for the root) → service. */
  paths: Record<string, WebServiceConfig>;
  /** HTTP options. */
  options: WebTransportOptions;
}

/** Web transport options. */
export interface WebTransportOptions {
  /** Log each HTTP request (default `false`). */
  access_log: boolean;
  /** Show error details in HTTP error pages (default `false`). */
  display_tracebacks: boolean;
  /** Send `Strict-Transport-Security` (default `false`). */
  hsts: boolean;
  /** HSTS max-age in seconds (default 31536000). */
  hsts_max_age: number;
  /**
   * HTTP client timeout in seconds, 1-86400, or `null` for none (default 30):
   * bounds the wait for each request head (a first one, one on a kept-alive
   * connection, a half-sent one), the time to receive a request body and each
   * write of a response.
   */
  client_timeout: number | null;
}

/** A service on a Web transport path. */
export type WebServiceConfig =
  | WebSocketServiceConfig
  | StaticServiceConfig
  | ArchiveServiceConfig
  | RedirectServiceConfig
  | LongPollServiceConfig
  | CallerServiceConfig
  | PublisherServiceConfig
  | NodeInfoServiceConfig
  | MetricsServiceConfig
  | JsonValueServiceConfig
  | PathServiceConfig;

/** WAMP-over-WebSocket on a Web transport path. */
export interface WebSocketServiceConfig {
  /** Service type. */
  type: "websocket";
  /** Public URL (informational). */
  url?: string;
  /** Serializers offered (default `["cbor", "msgpack", "json"]`). */
  serializers: SerializerName[];
  /** WebSocket options. */
  options: WebSocketOptions;
  /** Authentication methods (default: anonymous with role `anonymous`). */
  auth: AuthConfig;
  /** Verbose logging (default `false`). */
  debug: boolean;
}

/** Files from a ZIP archive (Crossbar's `archive` service). */
export interface ArchiveServiceConfig {
  /** Service type. */
  type: "archive";
  /** The ZIP file, relative to the node directory. */
  archive: string;
  /** http(s) URL the archive is downloaded from when it is missing (with `download`). */
  origin?: string;
  /** Download a missing archive from `origin` at start (default `false`). */
  download: boolean;
  /** Keep decompressed files in memory (default `false`). */
  cache: boolean;
  /** Appended to request paths that are empty or end in `/`. */
  default_object?: string;
  /** Directory inside the archive that request paths are relative to. */
  object_prefix?: string;
  /** Extension → content type (keys may span dots, like `.min.js`). */
  mime_types: Record<string, string>;
  /** Accepted SHA-256 fingerprints of the archive (hex); none: unverified (a warning at start). */
  hashes: string[];
  /** Options. */
  options: {
    /** Served for names not in the archive. */
    default_file?: string;
  };
}

/** Static files from a directory. */
export interface StaticServiceConfig {
  /** Service type. */
  type: "static";
  /** The directory, relative to the node directory. */
  directory: string;
  /** Static file options. */
  options: {
    /** Serve an index of a directory without an index file (default `false`). */
    enable_directory_listing: boolean;
    /** Extra file extension → MIME type mappings (e.g. `{".md": "text/plain"}`). */
    mime_types: Record<string, string>;
    /** `Cache-Control: max-age` in seconds, or `null` for none (default `null`). */
    cache_timeout: number | null;
    /** File served for a directory request (default `"index.html"`). */
    default_file: string;
  };
}

/** An HTTP redirect. */
export interface RedirectServiceConfig {
  /** Service type. */
  type: "redirect";
  /** Target URL. */
  url: string;
}

/** WAMP over HTTP long-poll (Crossbar's units: seconds). */
export interface LongPollServiceConfig {
  /** Service type. */
  type: "longpoll";
  /** Long-poll options. */
  options: {
    /** Seconds a receive request is held open (default 10; 0: until a message comes). */
    request_timeout: number;
    /** Seconds without requests after which a session is dropped (default 30; 0: never). */
    session_timeout: number;
    /** Bound of the outgoing queue in bytes (default 131072). */
    queue_limit_bytes: number;
    /** Bound of the outgoing queue in messages (default 100). */
    queue_limit_messages: number;
    /** Flow control below those bounds (xbar extension; no `max_queue_bytes` here). */
    flow_control?: FlowControlConfig;
    /** Verbose logging (default `false`). */
    debug: boolean;
    /** Fixed transport id for debugging (optional). */
    debug_transport_id?: string;
    /** xbar extension (Crossbar's WebSocket option name): origins allowed from browsers (`"*"` wildcards; default `["*"]`); credentials only for listed origins. */
    allowed_origins: string[];
    /** xbar extension (Crossbar's WebSocket option name): accept `Origin: null` (default `true`). */
    allow_null_origin: boolean;
  };
}

/** Options shared by the HTTP bridge services. */
export interface HttpBridgeOptions {
  /** Verbose logging (default `false`). */
  debug: boolean;
  /** Key for signed requests (with `secret`). */
  key?: string;
  /** Secret for signed requests (with `key`). */
  secret?: string;
  /** Refuse requests that did not come over TLS (default `false`). */
  require_tls: boolean;
  /** Accept requests only from these IPs/networks (optional). */
  require_ip?: string[];
  /** Largest request body in bytes, 0-1048576 (default 0 = the service's own default). */
  post_body_limit: number;
  /** Allowed clock skew of signed requests in seconds, 0-86400 (default 0 = the service's own default). */
  timestamp_delta_limit: number;
  /** xbar extension: most nonces of signed requests remembered against replays (default 100000; when full, signed requests are refused). */
  replay_cache_size: number;
  /** xbar extension (Crossbar's WebSocket option name): origins allowed from browsers (`"*"` wildcards; default `["*"]`); credentials only for listed origins. */
  allowed_origins: string[];
  /** xbar extension (Crossbar's WebSocket option name): accept `Origin: null` (default `true`). */
  allow_null_origin: boolean;
}

/** HTTP bridge: POST JSON → WAMP call → JSON reply. */
export interface CallerServiceConfig {
  /** Service type. */
  type: "caller";
  /** Realm the bridge session joins (must be served by this router). */
  realm: string;
  /** Role of the bridge session (default `"anonymous"`; must exist on `realm`). */
  role: string;
  /** Bridge options. */
  options: HttpBridgeOptions;
}

/** HTTP bridge: POST JSON → WAMP publish. */
export interface PublisherServiceConfig {
  /** Service type. */
  type: "publisher";
  /** Realm the bridge session joins (must be served by this router). */
  realm: string;
  /** Role of the bridge session (default `"anonymous"`; must exist on `realm`). */
  role: string;
  /** Bridge options. */
  options: HttpBridgeOptions;
}

/** The node's live status page (Crossbar `nodeinfo`). */
export interface NodeInfoServiceConfig {
  /** Service type. */
  type: "nodeinfo";
}

/** Prometheus metrics of the whole node (xbar extension `metrics`). */
export interface MetricsServiceConfig {
  /** Service type. */
  type: "metrics";
}

/** A fixed JSON document (Crossbar `json`). */
export interface JsonValueServiceConfig {
  /** Service type. */
  type: "json";
  /** The value served. */
  value: unknown;
  /** Options. */
  options: { prettify: boolean; allow_cross_origin: boolean; discourage_caching: boolean };
}

/** A nested path map (Crossbar `path`). */
export interface PathServiceConfig {
  /** Service type. */
  type: "path";
  /** Nested paths. */
  paths: Record<string, WebServiceConfig>;
}

/** A listening endpoint. */
export type ListeningEndpointConfig = TcpListeningEndpointConfig | UnixListeningEndpointConfig;

/** A TCP listening endpoint. */
export interface TcpListeningEndpointConfig {
  /** Endpoint type. */
  type: "tcp";
  /** Port, 1-65535; xbar also accepts 0 (any free port, for tests). */
  port: number;
  /** Address to bind (default `"0.0.0.0"` for version 4, `"::"` for version 6), as Crossbar listens on all interfaces. */
  interface: string;
  /** IP version (default 4). */
  version: 4 | 6;
  /** Accept queue depth (default 50). */
  backlog: number;
  /** Share the port with other workers via SO_REUSEPORT (default `false`). */
  shared: boolean;
  /** xbar extension: most connections open at once on this endpoint (default 10000; 0 = no limit). */
  max_connections: number;
  /** xbar extension: most connections open at once from one IP address (default 256; 0 = no limit). */
  max_connections_per_ip: number;
  /** TLS; absent = plain TCP. */
  tls?: ListeningTlsConfig;
}

/** TLS of a listening endpoint. Paths are relative to the node directory. */
export interface ListeningTlsConfig {
  /** PEM private key file. */
  key: string;
  /** PEM certificate file. */
  certificate: string;
  /** Intermediate certificates (PEM files) sent after `certificate` (default `[]`). */
  chain_certificates: string[];
}

/** A Unix domain socket listening endpoint. */
export interface UnixListeningEndpointConfig {
  /** Endpoint type. */
  type: "unix";
  /** Socket path, relative to the node directory. */
  path: string;
  /** Accept queue depth (default 50). */
  backlog: number;
  /** xbar extension: file mode of the socket (e.g. `"0660"` in the file, 0o660 here; default 0o600, owner only). */
  mode: number;
  /** xbar extension: most connections open at once on this endpoint (default 10000; 0 = no limit). */
  max_connections: number;
}

/** A connecting endpoint (container components, rlinks). */
export type ConnectingEndpointConfig = TcpConnectingEndpointConfig | UnixConnectingEndpointConfig;

/** A TCP connecting endpoint. */
export interface TcpConnectingEndpointConfig {
  /** Endpoint type. */
  type: "tcp";
  /** Host name or address. */
  host: string;
  /** Port, 1-65535. */
  port: number;
  /** IP version (default 4). */
  version: 4 | 6;
  /** Connect timeout in seconds, 0-600 (default 10). */
  timeout: number;
  /** TLS; absent = plain TCP. `hostname` must be `host` (the certificate is verified against it). */
  tls?: { hostname: string; ca_certificates: string[] };
}

/** A Unix domain socket connecting endpoint. */
export interface UnixConnectingEndpointConfig {
  /** Endpoint type. */
  type: "unix";
  /** Socket path, relative to the node directory. */
  path: string;
  /** Connect timeout in seconds (default 10). */
  timeout: number;
}

/** A transport a component or rlink connects over. */
export type ConnectingTransportConfig =
  | {
    /** Transport type. */
    type: "websocket";
    /** Where to connect. */
    endpoint: ConnectingEndpointConfig;
    /** WebSocket URL (`ws://` or `wss://`), sent in the opening handshake. */
    url: string;
    /** Serializers offered (default `["cbor", "msgpack", "json"]`). */
    serializers: SerializerName[];
    /** WebSocket options. */
    options: WebSocketOptions;
  }
  | {
    /** Transport type. */
    type: "rawsocket";
    /** Where to connect. */
    endpoint: ConnectingEndpointConfig;
    /** Informational URL (`rs://`, `rss://`). */
    url?: string;
    /** The serializer (default `"cbor"`). */
    serializer: SerializerName;
    /** RawSocket options. */
    options: RawSocketOptions;
  };

/** A dynamic authentication method: an authenticator procedure (Crossbar's keys). */
export interface DynamicAuthMethodConfig {
  /** Always "dynamic". */
  type: "dynamic";
  /** The authenticator procedure. */
  authenticator: string;
  /** Realm the authenticator is registered on (default: the realm the client asks for). */
  "authenticator-realm"?: string;
  /**
   * Role the router calls the authenticator as (default `trusted`: not
   * authorized). Another role's permissions must allow the call, and callees
   * asking for caller disclosure see it as `caller_authrole`.
   */
  "authenticator-role"?: string;
  /** Role of a session whose principal names none. */
  "default-role"?: string;
}

/** Authentication methods of a transport, keyed as in Crossbar. */
export interface AuthConfig {
  /** Anonymous; a static `realm` puts every anonymous session on that realm. */
  anonymous?:
    | { type: "static"; role: string; authid?: string; realm?: string }
    | DynamicAuthMethodConfig;
  /** Ticket (password). */
  ticket?:
    | { type: "static"; principals: Record<string, { ticket: string; role?: string }> }
    | DynamicAuthMethodConfig;
  /** WAMP-CRA. With `salt`, `iterations` defaults to 1000 and `keylen` to 32 (Autobahn's defaults). */
  wampcra?:
    | {
      type: "static";
      users: Record<
        string,
        { secret: string; role?: string; salt?: string; iterations?: number; keylen?: number }
      >;
    }
    | DynamicAuthMethodConfig;
  /** WAMP-Cryptosign: Ed25519 public keys, 64 hex characters each (lower-cased here). */
  cryptosign?:
    | {
      type: "static";
      principals: Record<string, { authorized_keys: string[]; role?: string; realm?: string }>;
    }
    | DynamicAuthMethodConfig;
}

/**
 * xbar component: a TypeScript/JavaScript module. `module` is a path relative
 * to the node directory (or a `file:`/`https:`/`npm:`/`jsr:` specifier); its
 * export named `export` (default `"default"`) is a function called with the
 * joined session and the config (including `extra`).
 */
export interface ComponentBase {
  /** Component type (Crossbar's Python `class` and `function` are {@link PythonComponentBase}). */
  type: "module";
  /** Component id (generated as `component001`, ... when absent; unique per worker). */
  id: string;
  /** The module to load. */
  module: string;
  /** The export to call (default `"default"`). */
  export: string;
  /** The realm to join. */
  realm: string;
  /** Free-form data handed to the component. */
  extra?: unknown;
}

/**
 * A rule for component modules beyond their form, supplied by whoever will
 * run them (`xbar check`/`start`: the file must exist, or, in the single
 * executable, be built in). Returns what is wrong (an error) or doubtful (a
 * warning) about `module`, or nothing.
 */
export type ComponentModuleRule = (
  module: string,
) => { error?: string; warning?: string } | undefined;

/** A module component inside a router worker; its session is in-process. */
export interface ModuleRouterComponentConfig extends ComponentBase {
  /** Role of its session (default `"anonymous"`, as in Crossbar; must exist on `realm`). */
  role: string;
}

/** A module component inside a container worker. */
export interface ModuleContainerComponentConfig extends ComponentBase {
  /** How to reach the router. */
  transport: ConnectingTransportConfig;
  /**
   * Credentials (xbar shape). The methods offered in HELLO follow from what is
   * given: `ticket` → ticket, `secret` → wampcra, `privkey` (64 hex, Ed25519
   * seed) → cryptosign, nothing → anonymous.
   */
  auth?: { authid?: string; authrole?: string; ticket?: string; secret?: string; privkey?: string };
}

/** Events a Python `function` component may hook (Crossbar's `callbacks`). */
export type PythonCallbackEvent = "join" | "leave" | "connect" | "disconnect";

/**
 * Crossbar's Python component: `class` (an `ApplicationSession` subclass named
 * by `classname`) or `function` (`callbacks` naming functions per session
 * event). It runs in a Python 3 process with Autobahn|Python under Twisted
 * (see `src/worker/python/`), with the worker's `pythonpath` first on its
 * search path.
 */
export interface PythonComponentBase {
  /** Component type. */
  type: "class" | "function";
  /** Component id (generated as `component001`, ... when absent; unique per worker). */
  id: string;
  /** `package.module.ClassName` (class components). */
  classname?: string;
  /** Event → `package.module.function` (function components). */
  callbacks?: Partial<Record<PythonCallbackEvent, string>>;
  /** The realm to join. */
  realm: string;
  /** Free-form data handed to the component as `ComponentConfig.extra` (plus `cbdir`). */
  extra?: unknown;
  /** The worker's `pythonpath` (the controller adds it when it starts the component). */
  pythonpath?: string[];
  /** The worker's `python` (the controller adds it when it starts the component). */
  python?: string;
}

/** A Python component of a router worker: its process talks RawSocket to the router over stdio. */
export interface PythonRouterComponentConfig extends PythonComponentBase {
  /** Role of its session (default `"anonymous"`, as in Crossbar). */
  role: string;
}

/** A Python component of a container worker: its process connects over `transport` itself. */
export interface PythonContainerComponentConfig extends PythonComponentBase {
  /** How to reach the router. */
  transport: ConnectingTransportConfig;
}

/** A component inside a router worker. */
export type RouterComponentConfig = ModuleRouterComponentConfig | PythonRouterComponentConfig;

/** A component inside a container worker. */
export type ContainerComponentConfig =
  | ModuleContainerComponentConfig
  | PythonContainerComponentConfig;

/** What the Python check is asked about one worker's Python components. */
export interface PythonCheckRequest {
  /** The worker's `python` option (interpreter), if any. */
  python?: string;
  /** The worker's `pythonpath` option, as written (relative to the node directory). */
  pythonpath: string[];
  /** Dotted module names the components import. */
  modules: string[];
}

/** The answer of the Python check. */
export interface PythonCheckVerdict {
  /** No usable interpreter: why, and what to install. */
  error?: string;
  /** Module → why it cannot be found. */
  missing: Record<string, string>;
}

/**
 * Checks that need the machine the node will run on (files, interpreters),
 * supplied by whoever runs it (`xbar check`/`start`); each returns what is
 * wrong, or nothing. Without them only the config's form is checked.
 */
export interface EnvironmentRules {
  /** A directory the node serves files from (static web service), resolved against the node directory. */
  directory?(path: string): string | undefined;
  /** A file the node reads (archive web service), resolved against the node directory. */
  file?(path: string): string | undefined;
  /** One worker's Python components. */
  python?(request: PythonCheckRequest): PythonCheckVerdict;
}
