/**
 * The WAMP HTTP long-poll transport, server side (WAMP spec, "HTTP Longpoll
 * Transport"; Crossbar's `longpoll` web service). Every operation is an HTTP
 * POST below a base URL:
 *
 * | request | body | answer |
 * |---|---|---|
 * | `<base>/open` | `{"protocols": ["wamp.2.json", ...]}` | 200 `{"transport": id, "protocol": name}` |
 * | `<base>/<id>/send` | one message (batched: a batch) | 204; 400 undecodable (the session is aborted); 413 too big |
 * | `<base>/<id>/receive` | empty | 200 with one message (batched: every pending one); 204 when nothing came within `requestTimeout` |
 * | `<base>/<id>/close` | empty | 204 |
 *
 * An unknown transport id answers 404 with a text naming it; one that was
 * closed recently answers 410 (Gone) to `send`/`receive` and 204 to `close`.
 * A query string (the spec's cache-busting `?x=...`) is ignored. CORS
 * preflights are answered; every answer carries Crossbar's CORS and no-cache
 * headers. See `longpoll_transport.ts` for timeouts, ordering and bounds.
 *
 * ```sh
 * curl -d '{"protocols":["wamp.2.json"]}' http://127.0.0.1:8080/lp/open
 * # {"transport":"R2v...","protocol":"wamp.2.json"}
 * curl -d '[1,"realm1",{"roles":{"caller":{}}}]' http://127.0.0.1:8080/lp/R2v.../send
 * curl -X POST http://127.0.0.1:8080/lp/R2v.../receive    # [2,123,{...}]
 * ```
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import type { PeerInfo, SessionAcceptor } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { decodeJson, serializers as allSerializers } from "../serializer/mod.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { formatPeerAddress } from "./peer_address.ts";
import {
  type FlowControlOptions,
  type ResolvedFlowControl,
  resolveFlowControl,
} from "./flow_control.ts";
import { OriginPolicy } from "./origin_policy.ts";
import { chooseLongPollProtocol, longPollProtocolNames } from "./longpoll_framing.ts";
import { type LongPollCloseReason, LongPollTransport } from "./longpoll_transport.ts";
import {
  corsHeaders,
  discard,
  jsonResponse,
  methodNotAllowed,
  preflightResponse,
  readBody,
  textResponse,
  useOriginPolicy,
} from "./web_http.ts";

/** Default `requestTimeout`: 10 seconds (Crossbar's). */
export const DEFAULT_LONGPOLL_REQUEST_TIMEOUT = 10;
/** Default `sessionTimeout`: 30 seconds (Crossbar's). */
export const DEFAULT_LONGPOLL_SESSION_TIMEOUT = 30;
/** Default `queueLimitBytes`: 128 KiB (Crossbar's). */
export const DEFAULT_LONGPOLL_QUEUE_LIMIT_BYTES = 128 * 1024;
/** Default `queueLimitMessages`: 100 (Crossbar's). */
export const DEFAULT_LONGPOLL_QUEUE_LIMIT_MESSAGES = 100;
/** Default `maxMessageSize`: 16 MiB. */
export const DEFAULT_LONGPOLL_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Default `maxTransports`: 10000. */
export const DEFAULT_LONGPOLL_MAX_TRANSPORTS = 10000;

/** Largest `open` request body accepted, in bytes. */
const MAX_OPEN_BODY = 64 * 1024;
/** How many closed transport ids are remembered (to answer 410 rather than 404). */
const MAX_TOMBSTONES = 10000;
const POST = "POST, OPTIONS";

/** Options of a long-poll endpoint. Crossbar's names in parentheses. */
export interface LongPollOptions {
  /**
   * Serializers spoken. Default: JSON, MessagePack and CBOR, each batched
   * and unbatched (`wamp.2.json.batched`, `wamp.2.json`, ...); the client's
   * order of preference decides.
   */
  serializers?: readonly Serializer[];
  /**
   * Seconds a `receive` is held open when there is nothing to deliver, then
   * answered empty (`request_timeout`). Default 10; 0 = hold until a message
   * comes. Clients should use a longer HTTP timeout than this.
   */
  requestTimeout?: number;
  /**
   * Seconds a transport may go without any request (and no `receive`
   * pending) before it is closed (`session_timeout`). Default 30; 0 = never.
   */
  sessionTimeout?: number;
  /** Bound of one transport's outbound queue in bytes (`queue_limit_bytes`). Default 131072; 0 = none. */
  queueLimitBytes?: number;
  /** Bound of one transport's outbound queue in messages (`queue_limit_messages`). Default 100; 0 = none. */
  queueLimitMessages?: number;
  /**
   * Flow control below those bounds (see `flow_control.ts`; marks in bytes
   * against `queueLimitBytes`, and half of `queueLimitMessages` counts as
   * the high-water mark too): the sessions that feed a backlogged transport
   * are paused. Default: on, with its defaults; `false`: off.
   */
  flowControl?: FlowControlOptions | false;
  /**
   * Largest message from or to a client, in bytes; also the largest `send`
   * body (one batch). Default 16 MiB. A larger `send` is answered 413 and the
   * session aborted; a larger router message is never sent (`undeliverable.ts`).
   */
  maxMessageSize?: number;
  /** Most transports open at once; `open` answers 503 beyond. Default 10000. */
  maxTransports?: number;
  /** Use this fixed transport id, for debugging (`debug_transport_id`). Default: random ids. */
  debugTransportId?: string;
  /** The configured transport id, copied into `PeerInfo.transportId`. */
  transportId?: string;
  /**
   * Origins allowed to use the endpoint from a browser (`allowed_origins`,
   * `*` wildcards). Default `["*"]`; others are refused (403). CORS
   * credentials only for explicitly listed origins (see `origin_policy.ts`).
   */
  allowedOrigins?: readonly string[];
  /** Let in `Origin: null` (`allow_null_origin`). Default true. */
  allowNullOrigin?: boolean;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
}

/** A long-poll endpoint: routes the operations below one base URL to its transports. */
export class LongPollEndpoint {
  #acceptor: SessionAcceptor;
  #serializers: readonly Serializer[];
  #requestTimeout: number;
  #sessionTimeout: number;
  #queueLimitBytes: number;
  #queueLimitMessages: number;
  #maxMessageSize: number;
  #flow: ResolvedFlowControl;
  #maxTransports: number;
  #debugTransportId: string | undefined;
  #transportId: string | undefined;
  #log: Logger;
  #origins: OriginPolicy;
  #transports = new Map<string, LongPollTransport>();
  #tombstones = new Map<string, { reason: LongPollCloseReason; at: number }>();
  #closed = false;

  /** Throws `RangeError` for invalid options (what, and the value). */
  constructor(acceptor: SessionAcceptor, options: LongPollOptions = {}) {
    this.#acceptor = acceptor;
    this.#serializers = [...(options.serializers ?? Object.values(allSerializers))];
    if (this.#serializers.length === 0) {
      throw new RangeError("serializers: must name at least one serializer, got none");
    }
    this.#requestTimeout = seconds(
      "requestTimeout",
      options.requestTimeout ?? DEFAULT_LONGPOLL_REQUEST_TIMEOUT,
    );
    this.#sessionTimeout = seconds(
      "sessionTimeout",
      options.sessionTimeout ?? DEFAULT_LONGPOLL_SESSION_TIMEOUT,
    );
    this.#queueLimitBytes = count(
      "queueLimitBytes",
      options.queueLimitBytes ?? DEFAULT_LONGPOLL_QUEUE_LIMIT_BYTES,
      true,
    );
    this.#queueLimitMessages = count(
      "queueLimitMessages",
      options.queueLimitMessages ?? DEFAULT_LONGPOLL_QUEUE_LIMIT_MESSAGES,
      true,
    );
    this.#flow = resolveFlowControl(options.flowControl, this.#queueLimitBytes);
    this.#maxMessageSize = count(
      "maxMessageSize",
      options.maxMessageSize ?? DEFAULT_LONGPOLL_MAX_MESSAGE_SIZE,
      false,
    );
    this.#maxTransports = count(
      "maxTransports",
      options.maxTransports ?? DEFAULT_LONGPOLL_MAX_TRANSPORTS,
      false,
    );
    if (
      options.debugTransportId !== undefined &&
      !/^[A-Za-z0-9_-]{1,64}$/.test(options.debugTransportId)
    ) {
      throw new RangeError(
        `debugTransportId: must be 1-64 letters, digits, "-" or "_", got ${
          JSON.stringify(options.debugTransportId)
        }`,
      );
    }
    this.#debugTransportId = options.debugTransportId;
    this.#transportId = options.transportId;
    this.#log = options.logger ?? nullLogger;
    this.#origins = new OriginPolicy({
      allowedOrigins: options.allowedOrigins,
      allowNullOrigin: options.allowNullOrigin,
    });
  }

  /** Number of open transports. */
  get size(): number {
    return this.#transports.size;
  }

  /**
   * Answers one request. `rest` is the URL path below the endpoint's base
   * (`"/open"`, `"/<id>/send"`, ...; `""` for the base itself).
   */
  handle(req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>, rest: string): Promise<Response> {
    const origin = this.#origins.check(req.headers.get("origin"));
    if (!origin.ok) {
      this.#log.log("info", "long-poll request refused", {
        reason: origin.reason,
        transportId: this.#transportId,
      });
      discard(req);
      return Promise.resolve(textResponse(403, `forbidden: ${origin.reason}`));
    }
    useOriginPolicy(req, this.#origins);
    try {
      return this.#route(req, info, rest);
    } catch (err) {
      this.#log.log("error", "long-poll request failed", {
        error: errorText(err),
        transportId: this.#transportId,
      });
      return Promise.resolve(textResponse(500, "internal error", corsHeaders(req)));
    }
  }

  /**
   * Closes every transport (the router hears `closed()` for each; pending
   * `receive` requests are answered 410) and refuses new ones. Idempotent.
   */
  closeAll(): void {
    this.#closed = true;
    for (const t of [...this.#transports.values()]) t.finish("server shutdown");
  }

  #route(req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>, rest: string): Promise<Response> {
    const parts = rest.split("/").filter((p) => p !== "");
    if (parts.length === 0) return Promise.resolve(this.#notice(req));
    if (req.method === "OPTIONS") return Promise.resolve(preflightResponse(req, POST));
    if (parts.length === 1 && parts[0] === "open") {
      if (req.method !== "POST") return this.#refuseMethod(req);
      return this.#open(req, info);
    }
    if (
      parts.length === 2 && (parts[1] === "send" || parts[1] === "receive" || parts[1] === "close")
    ) {
      if (req.method !== "POST") return this.#refuseMethod(req);
      const id = parts[0];
      const transport = this.#transports.get(id);
      if (transport === undefined) return this.#unknown(req, id, parts[1]);
      switch (parts[1]) {
        case "send":
          return transport.post(req, readBody(req, this.#maxMessageSize));
        case "receive":
          discard(req);
          return transport.receive(req);
        case "close":
          discard(req);
          transport.finish("closed by the client");
          return Promise.resolve(new Response(null, { status: 204, headers: corsHeaders(req) }));
      }
    }
    discard(req);
    return Promise.resolve(
      textResponse(
        404,
        `unknown long-poll operation "${
          truncate(rest)
        }": use POST <base>/open, then <base>/<transport>/send, /receive or /close`,
        corsHeaders(req),
      ),
    );
  }

  async #open(req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>): Promise<Response> {
    const headers = corsHeaders(req);
    const read = await readBody(req, MAX_OPEN_BODY);
    if (!read.ok) return textResponse(read.status, read.reason, headers);
    let request: unknown;
    try {
      request = decodeJson(read.bytes);
    } catch (err) {
      return textResponse(
        400,
        `could not parse the open request body as JSON: ${errorText(err)}`,
        headers,
      );
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return textResponse(
        400,
        `the open request body must be a JSON object like {"protocols": ["wamp.2.json"]}`,
        headers,
      );
    }
    if (!("protocols" in request)) {
      return textResponse(
        400,
        `missing attribute "protocols" in the open request, e.g. {"protocols": ["wamp.2.json"]}`,
        headers,
      );
    }
    const choice = chooseLongPollProtocol(
      (request as { protocols: unknown }).protocols,
      this.#serializers,
    );
    if (!choice.ok) return textResponse(400, choice.reason, headers);
    await choice.protocol.serializer.load();
    if (this.#closed) return textResponse(503, "the long-poll endpoint is shutting down", headers);
    if (this.#transports.size >= this.#maxTransports && this.#debugTransportId === undefined) {
      this.#log.log("warn", "long-poll transport limit reached", {
        maxTransports: this.#maxTransports,
      });
      return textResponse(
        503,
        `too many long-poll transports open (limit ${this.#maxTransports})`,
        headers,
      );
    }
    let id = this.#debugTransportId ?? newTransportId();
    if (this.#debugTransportId !== undefined) {
      this.#transports.get(id)?.finish("closed by the client");
    } else {
      while (this.#transports.has(id) || this.#tombstones.has(id)) id = newTransportId();
    }
    const httpHeaders: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      httpHeaders[name] = value;
    });
    const url = new URL(req.url);
    const peerInfo: PeerInfo = {
      type: "longpoll",
      peer: formatPeerAddress(info.remoteAddr),
      serializer: choice.protocol.serializer.name,
      transportId: this.#transportId,
      extra: {
        longpoll_transport: id,
        longpoll_protocol: choice.protocol.name,
        http_headers_received: httpHeaders,
        http_request_path: url.pathname,
        is_secure: url.protocol === "https:",
      },
    };
    const transport = new LongPollTransport(id, peerInfo, choice.protocol, {
      requestTimeout: this.#requestTimeout,
      sessionTimeout: this.#sessionTimeout,
      queueLimitBytes: this.#queueLimitBytes,
      queueLimitMessages: this.#queueLimitMessages,
      maxMessageSize: this.#maxMessageSize,
      flow: this.#flow,
      logger: this.#log,
    }, (t, reason) => this.#forget(t, reason));
    this.#transports.set(id, transport);
    if (!transport.attach(this.#acceptor)) {
      this.#transports.delete(id);
      return textResponse(500, "internal error", headers);
    }
    this.#log.log("debug", "long-poll transport opened", {
      transport: id,
      protocol: choice.protocol.name,
      peer: peerInfo.peer,
      transportId: this.#transportId,
    });
    return jsonResponse(
      200,
      JSON.stringify({ transport: id, protocol: choice.protocol.name }),
      headers,
    );
  }

  #forget(t: LongPollTransport, reason: LongPollCloseReason): void {
    if (this.#transports.get(t.id) === t) this.#transports.delete(t.id);
    const now = performance.now();
    this.#tombstones.delete(t.id);
    this.#tombstones.set(t.id, { reason, at: now });
    const ttl = Math.max(this.#sessionTimeout, 60) * 1000;
    for (const [id, stone] of this.#tombstones) {
      if (this.#tombstones.size <= MAX_TOMBSTONES && now - stone.at < ttl) break;
      this.#tombstones.delete(id);
    }
  }

  #unknown(req: Request, id: string, op: string): Promise<Response> {
    discard(req);
    const headers = corsHeaders(req);
    const stone = this.#tombstones.get(id);
    if (
      stone !== undefined &&
      performance.now() - stone.at < Math.max(this.#sessionTimeout, 60) * 1000
    ) {
      if (op === "close") return Promise.resolve(new Response(null, { status: 204, headers }));
      return Promise.resolve(
        textResponse(
          410,
          `WAMP long-poll transport "${truncate(id)}" is closed: ${stone.reason}`,
          headers,
        ),
      );
    }
    return Promise.resolve(
      textResponse(
        404,
        `no WAMP long-poll transport "${
          truncate(id)
        }" (unknown, or closed long ago): open one with POST <base>/open`,
        headers,
      ),
    );
  }

  #notice(req: Request): Response {
    discard(req);
    const names = longPollProtocolNames(this.#serializers).join(", ");
    return textResponse(
      200,
      `This is a WAMP-over-long-poll endpoint (protocols ${names}).\n` +
        `Open a transport with POST <this URL>/open and the body {"protocols": ["wamp.2.json"]}.`,
      corsHeaders(req),
    );
  }

  #refuseMethod(req: Request): Promise<Response> {
    discard(req);
    return Promise.resolve(methodNotAllowed(req, POST, corsHeaders(req)));
  }
}

/** A `Deno.serve` handler for a long-poll endpoint mounted at `basePath`, with its endpoint. */
export interface LongPollHandler {
  /** Answers a request whose path starts with the base path (others: 404). */
  (req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>): Promise<Response>;
  /** The endpoint behind the handler (size, `closeAll()`). */
  readonly endpoint: LongPollEndpoint;
}

/**
 * Creates a handler for a long-poll endpoint at `options.basePath` (default
 * `"/"`, e.g. `"/lp"`: then `/lp/open`, `/lp/<id>/send`, ...). Call
 * `handler.endpoint.closeAll()` on shutdown. Throws `RangeError` for invalid options.
 */
export function createLongPollHandler(
  acceptor: SessionAcceptor,
  options: LongPollOptions & { basePath?: string } = {},
): LongPollHandler {
  const endpoint = new LongPollEndpoint(acceptor, options);
  const base = (options.basePath ?? "/").replace(/\/+$/, "");
  const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>): Promise<Response> => {
    const path = new URL(req.url).pathname;
    if (path !== base && !path.startsWith(`${base}/`)) {
      discard(req);
      return Promise.resolve(textResponse(404, "not found"));
    }
    return endpoint.handle(req, info, path.slice(base.length));
  };
  return Object.assign(handler, { endpoint });
}

/** A fresh unguessable transport id: 128 random bits, base64url (22 characters). */
export function newTransportId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function seconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name}: must be 0 (off) or a positive number of seconds, got ${value}`);
  }
  return value;
}

function count(name: string, value: number, zeroAllowed: boolean): number {
  if (!Number.isSafeInteger(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new RangeError(
      `${name}: must be ${zeroAllowed ? "0 (no limit) or " : ""}a positive integer, got ${value}`,
    );
  }
  return value;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
