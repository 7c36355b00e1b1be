/**
 * Crossbar.io features xbar does not support, with the reason shown to the
 * user. A config using one gets "… is not supported by xbar (reason)" at the
 * key, instead of the generic unknown-key error.
 *
 * @module
 */

/** Worker types Crossbar knows and xbar does not run. */
export const UNSUPPORTED_WORKER_TYPES: Readonly<Record<string, string>> = {
  "websocket-testee": "a WebSocket compliance test worker",
  proxy: "Crossbar proxy workers; run several router workers with shared ports and rlinks instead",
  hostmonitor: "Crossbar host monitor workers",
  xbrmm: "XBR market maker workers",
  marketmaker: "XBR market maker workers",
};

/** Listening transport types Crossbar knows and xbar does not serve. */
export const UNSUPPORTED_TRANSPORT_TYPES: Readonly<Record<string, string>> = {
  mqtt: "the MQTT bridge",
  flashpolicy: "Flash policy files",
  "websocket.testee": "a WebSocket compliance test transport",
  "stream.testee": "a stream test transport",
};

/** Web service (path) types Crossbar knows and xbar does not serve. */
export const UNSUPPORTED_WEB_SERVICES: Readonly<Record<string, string>> = {
  wsgi: "Python WSGI applications",
  resource: "Python Twisted Web resources",
  cgi: "CGI scripts",
  reverseproxy: "the HTTP reverse proxy service",
  "websocket-reverseproxy": "the WebSocket reverse proxy service",
  webhook: "the HTTP webhook bridge",
  schemadoc: "the WAMP schema documentation service",
  upload: "the file upload service",
  wap: "the WAMP application page service",
};

/** Listening endpoint types Crossbar knows and xbar does not open. */
export const UNSUPPORTED_ENDPOINT_TYPES: Readonly<Record<string, string>> = {
  twisted: "Twisted endpoint strings",
  onion: "Tor onion services",
  tor: "connections through Tor",
};

/** Authentication methods Crossbar knows and xbar does not offer. */
export const UNSUPPORTED_AUTH_METHODS: Readonly<Record<string, string>> = {
  tls: "TLS client certificate authentication",
  cookie: "cookie-remembered sessions",
  scram: "WAMP-SCRAM",
  "anonymous-proxy": "proxy-worker authentication",
  "cryptosign-proxy": "proxy-worker authentication",
};

/** Keys of worker options that only meant something to Crossbar's Python processes (refused). */
export const PYTHON_WORKER_OPTIONS: Readonly<Record<string, string>> = {
  reactor: "Python-only: Python components run on Twisted's default reactor",
  cpu_affinity: "Deno cannot pin a process to CPUs",
  expose_controller: "Crossbar-internal",
  expose_shared: "Crossbar-internal",
};

/** The Python manhole, present on several Crossbar items. */
export const MANHOLE = "the Python debugging manhole";

/** `debug` (Crossbar's per-item debug logging): only `false`; xbar's log level is node-wide. */
export const NO_DEBUG = {
  debug: { value: false, reason: "debug logging is node-wide: start with --loglevel debug" },
} as const;
