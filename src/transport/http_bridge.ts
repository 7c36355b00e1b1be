/**
 * The HTTP bridge services' shared machinery (Crossbar's `caller` and
 * `publisher` web services): one internal WAMP session per bridge, joined
 * in-process (`localPair`) to its realm under its role, and the request
 * pipeline every bridge request goes through:
 *
 * 1. `OPTIONS` answers a CORS preflight; methods other than POST/PUT: 405.
 * 2. `requireTls` (403 over plain HTTP), `requireIp` (403 from elsewhere).
 * 3. A `Content-Type`, when sent, must be `application/json` (or `text/plain`,
 *    as `fetch` sends for a string body; else 415), in UTF-8.
 * 4. The body is read up to `postBodyLimit` bytes (413 beyond).
 * 5. With `key` and `secret`, the request must be signed (see
 *    `http_bridge_signature.ts`; 400 or 401 otherwise).
 * 6. The body must be a JSON object (400), which the bridge's action
 *    validates (400 naming the problem).
 * 7. The action runs on the bridge session; failures answer as
 *    `http_bridge_error.ts` says.
 *
 * Every answer is JSON with Crossbar's CORS and no-cache headers. Binary
 * values travel as the WAMP JSON convention (`"\u0000"` + base64) both ways.
 *
 * The bridge session's role: when the acceptor can set per-transport
 * authenticators (the `Router` can), the bridge registers an anonymous
 * authenticator granting `role` for its own internal transport id, which no
 * network client can use. Otherwise the acceptor's own authentication
 * decides, with `role` asked for as HELLO `authrole`.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import {
  anonymousAuthenticator,
  type AuthenticatorFactory,
} from "../router/authn/authenticator.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { decodeJson, encodeJson } from "../serializer/json.ts";
import type { Dict } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { IpFilter } from "./http_bridge_ip_filter.ts";
import { verifySignature } from "./http_bridge_signature.ts";
import { DEFAULT_REPLAY_CACHE_SIZE, NonceCache } from "./http_bridge_nonces.ts";
import { bridgeError, responseForError } from "./http_bridge_error.ts";
import {
  corsHeaders,
  discard,
  jsonResponse,
  preflightResponse,
  readBody,
  useOriginPolicy,
} from "./web_http.ts";
import { OriginPolicy } from "./origin_policy.ts";

/** Default `postBodyLimit`: 1 MiB. */
export const DEFAULT_BRIDGE_POST_BODY_LIMIT = 1024 * 1024;
/** Default `timestampDeltaLimit` of signed requests: 300 seconds (Crossbar's). */
export const DEFAULT_BRIDGE_TIMESTAMP_DELTA_LIMIT = 300;
/** Default `role`: `anonymous`. */
export const DEFAULT_BRIDGE_ROLE = "anonymous";

const METHODS = "POST, PUT, OPTIONS";

/** A session acceptor that may also take per-transport authenticators (the `Router` does). */
export interface BridgeAcceptor extends SessionAcceptor {
  /** Uses `factory` for connections whose `PeerInfo.transportId` is `transportId`. */
  setAuthenticator?(transportId: string, factory: AuthenticatorFactory): void;
}

/** Options shared by the HTTP bridges. Crossbar's names in parentheses. */
export interface HttpBridgeOptions {
  /** Realm the bridge session joins (`realm`). Required. */
  realm: string;
  /** Role of the bridge session (`role`). Default `anonymous`. */
  role?: string;
  /** Largest request body in bytes (`post_body_limit`). Default 1 MiB. */
  postBodyLimit?: number;
  /** Refuse requests that did not come over TLS (`require_tls`). Default false. */
  requireTls?: boolean;
  /** Accept requests only from these addresses/networks (`require_ip`). Default: from anywhere. */
  requireIp?: readonly string[];
  /** Key of signed requests (`key`); with `secret`, every request must be signed. Default: unsigned. */
  key?: string;
  /** Secret of signed requests (`secret`). */
  secret?: string;
  /**
   * Largest clock difference of a signed request's timestamp, seconds
   * (`timestamp_delta_limit`). Default 300. A signed request's nonce is
   * remembered for this long: the same nonce again is refused (401) as a
   * replay.
   */
  timestampDeltaLimit?: number;
  /** Origins allowed to call the bridge from a browser (`allowed_origins`, `*` wildcards). Default `["*"]`; others get 403. */
  allowedOrigins?: readonly string[];
  /** Let in `Origin: null` (`allow_null_origin`). Default true. */
  allowNullOrigin?: boolean;
  /** Most nonces of signed requests remembered at once (`replay_cache_size`); when full, signed requests are refused (503). Default 100000. */
  replayCacheSize?: number;
  /**
   * Transport id of the bridge's internal connection (seen by the router in
   * `PeerInfo.transportId`). Default `xbar.http_bridge.<kind>.<n>`, unique in
   * the process.
   */
  bridgeId?: string;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
}

/** What a bridge does with a validated request body. */
export interface BridgeAction<T> {
  /** `caller` or `publisher` (for logs and ids). */
  readonly kind: string;
  /** Checks the decoded body; returns what `run` needs, or a text saying what is wrong. */
  validate(body: Dict): { ok: true; value: T } | { ok: false; reason: string };
  /** Runs the request on the bridge session; resolves with the JSON answer's value. */
  run(session: Session, value: T, req: Request): Promise<unknown>;
}

let bridgeCount = 0;

/** An HTTP bridge: the request pipeline around one `BridgeAction`, with its session. */
export class HttpBridge<T> {
  /** The realm the bridge session joins. */
  readonly realm: string;
  /** The role of the bridge session. */
  readonly role: string;
  /** The transport id of the bridge's internal connection. */
  readonly bridgeId: string;
  #acceptor: BridgeAcceptor;
  #action: BridgeAction<T>;
  #limit: number;
  #requireTls: boolean;
  #ipFilter: IpFilter | undefined;
  #signing: { key: string; secret: string; timestampDeltaLimit: number } | undefined;
  #nonces: NonceCache | undefined;
  #origins: OriginPolicy;
  #log: Logger;
  #session: Session | undefined;
  #joining: Promise<Session> | undefined;
  #closed = false;

  /** Throws `RangeError` for invalid options (what, and the value). */
  constructor(acceptor: BridgeAcceptor, action: BridgeAction<T>, options: HttpBridgeOptions) {
    if (typeof options.realm !== "string" || options.realm === "") {
      throw new RangeError(`realm: must be a realm name, got ${JSON.stringify(options.realm)}`);
    }
    this.realm = options.realm;
    this.role = options.role ?? DEFAULT_BRIDGE_ROLE;
    this.bridgeId = options.bridgeId ?? `xbar.http_bridge.${action.kind}.${++bridgeCount}`;
    this.#acceptor = acceptor;
    this.#action = action;
    this.#limit = options.postBodyLimit ?? DEFAULT_BRIDGE_POST_BODY_LIMIT;
    if (!Number.isSafeInteger(this.#limit) || this.#limit <= 0) {
      throw new RangeError(
        `postBodyLimit: must be a positive integer number of bytes, got ${options.postBodyLimit}`,
      );
    }
    this.#requireTls = options.requireTls ?? false;
    this.#ipFilter = options.requireIp !== undefined ? new IpFilter(options.requireIp) : undefined;
    if ((options.key === undefined) !== (options.secret === undefined)) {
      throw new RangeError("key, secret: give both (signed requests) or neither");
    }
    if (options.key !== undefined && options.secret !== undefined) {
      const delta = options.timestampDeltaLimit ?? DEFAULT_BRIDGE_TIMESTAMP_DELTA_LIMIT;
      if (!Number.isFinite(delta) || delta <= 0) {
        throw new RangeError(
          `timestampDeltaLimit: must be a positive number of seconds (the window replays are refused in), got ${delta}`,
        );
      }
      this.#signing = { key: options.key, secret: options.secret, timestampDeltaLimit: delta };
      this.#nonces = new NonceCache(
        delta * 1000,
        options.replayCacheSize ?? DEFAULT_REPLAY_CACHE_SIZE,
      );
    }
    this.#log = options.logger ?? nullLogger;
    this.#origins = new OriginPolicy({
      allowedOrigins: options.allowedOrigins,
      allowNullOrigin: options.allowNullOrigin,
    });
    acceptor.setAuthenticator?.(this.bridgeId, anonymousAuthenticator(this.role));
  }

  /**
   * Joins the bridge session now (it is also joined on demand, and rejoined
   * after it ends). Rejects with an `Error` saying which realm and role
   * could not be joined, and why.
   */
  async start(): Promise<void> {
    await this.#sessionNow();
  }

  /** Answers one request to the bridge's path. */
  async handle(req: Request, info: Deno.ServeHandlerInfo<Deno.Addr>): Promise<Response> {
    const origin = this.#origins.check(req.headers.get("origin"));
    if (!origin.ok) {
      this.#log.log("info", `http ${this.#action.kind} bridge: request refused`, {
        reason: origin.reason,
        bridge: this.bridgeId,
      });
      await discard(req);
      return bridgeError(403, ErrorUri.NOT_AUTHORIZED, `forbidden: ${origin.reason}`);
    }
    useOriginPolicy(req, this.#origins);
    const headers = corsHeaders(req);
    try {
      return await this.#handle(req, info, headers);
    } catch (err) {
      this.#log.log("error", `http ${this.#action.kind} bridge failed`, { error: errorText(err) });
      return bridgeError(
        500,
        ErrorUri.RUNTIME_ERROR,
        "the bridge encountered an internal error",
        headers,
      );
    }
  }

  /** Leaves the bridge session; later requests answer 503. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const joining = this.#joining;
    this.#joining = undefined;
    const session = this.#session ?? await joining?.catch(() => undefined);
    this.#session = undefined;
    if (session?.isOpen) await session.leave();
  }

  async #handle(
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.Addr>,
    headers: Headers,
  ): Promise<Response> {
    if (req.method === "OPTIONS") return preflightResponse(req, METHODS);
    const bad = (status: number, message: string, uri: string = ErrorUri.INVALID_ARGUMENT) => {
      discard(req);
      return bridgeError(status, uri, message, headers);
    };
    if (req.method !== "POST" && req.method !== "PUT") {
      headers.set("allow", METHODS);
      return bad(405, `method ${req.method} not allowed: POST a JSON object to this URL`);
    }
    const url = new URL(req.url);
    if (this.#requireTls && url.protocol !== "https:") {
      return bad(
        403,
        "this endpoint accepts requests over TLS (https) only",
        ErrorUri.NOT_AUTHORIZED,
      );
    }
    if (this.#ipFilter !== undefined) {
      const addr = info.remoteAddr;
      const host = addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "";
      if (!this.#ipFilter.allows(host)) {
        this.#log.log("info", `http ${this.#action.kind} bridge: request from a refused address`, {
          peer: host,
        });
        return bad(
          403,
          `requests from ${host || "this address"} are not allowed`,
          ErrorUri.NOT_AUTHORIZED,
        );
      }
    }
    const contentType = req.headers.get("content-type");
    if (contentType !== null) {
      const [type, ...params] = contentType.split(";").map((p) => p.trim().toLowerCase());
      if (type !== "application/json" && type !== "text/plain" && !type.endsWith("+json")) {
        return bad(415, `Content-Type must be application/json, got ${contentType.slice(0, 100)}`);
      }
      const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
      if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
        return bad(415, `the body must be UTF-8, got charset ${charset.slice(0, 40)}`);
      }
    }
    const read = await readBody(req, this.#limit);
    if (!read.ok) {
      return bridgeError(
        read.status,
        read.status === 413 ? ErrorUri.PAYLOAD_SIZE_EXCEEDED : ErrorUri.INVALID_ARGUMENT,
        read.reason,
        headers,
      );
    }
    if (this.#signing !== undefined) {
      const check = await verifySignature(url.searchParams, read.bytes, this.#signing);
      if (!check.ok) {
        return bridgeError(
          check.status,
          check.status === 401 ? ErrorUri.NOT_AUTHORIZED : ErrorUri.INVALID_ARGUMENT,
          check.reason,
          headers,
        );
      }
      const seen = this.#nonces!.admit(check.nonce, check.timestamp);
      if (seen !== "fresh") {
        this.#log.log("warn", `http bridge: signed request refused (${seen})`, {
          bridge: this.bridgeId,
          nonce: check.nonce,
        });
        return seen === "replayed"
          ? bridgeError(
            401,
            ErrorUri.NOT_AUTHORIZED,
            `nonce ${check.nonce} was used already: a replayed request`,
            headers,
          )
          : bridgeError(
            503,
            ErrorUri.NOT_AUTHORIZED,
            "too many signed requests within the timestamp window (replay_cache_size); try again later",
            headers,
          );
      }
    }
    let body: unknown;
    try {
      body = decodeJson(read.bytes);
    } catch (err) {
      return bridgeError(
        400,
        ErrorUri.INVALID_ARGUMENT,
        `the body is not valid JSON: ${errorText(err)}`,
        headers,
      );
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return bridgeError(
        400,
        ErrorUri.INVALID_ARGUMENT,
        `the body must be a JSON object, got ${describe(body)}`,
        headers,
      );
    }
    const checked = this.#action.validate(body as Dict);
    if (!checked.ok) return bridgeError(400, ErrorUri.INVALID_ARGUMENT, checked.reason, headers);

    let session: Session;
    try {
      session = await this.#sessionNow();
    } catch (err) {
      this.#log.log("warn", `http ${this.#action.kind} bridge has no session`, {
        error: errorText(err),
      });
      return bridgeError(
        503,
        ErrorUri.UNAVAILABLE,
        `the bridge cannot reach realm "${this.realm}": ${errorText(err)}`,
        headers,
      );
    }
    let result: unknown;
    try {
      result = await this.#action.run(session, checked.value, req);
    } catch (err) {
      if (!(err instanceof ApplicationError)) {
        this.#log.log("info", `http ${this.#action.kind} bridge request failed`, {
          error: errorText(err),
        });
      }
      return responseForError(err, headers);
    }
    let text: string;
    try {
      text = encodeJson(result);
    } catch (err) {
      return bridgeError(
        500,
        ErrorUri.RUNTIME_ERROR,
        `the result cannot be encoded as JSON: ${errorText(err)}`,
        headers,
      );
    }
    return jsonResponse(200, text, headers);
  }

  #sessionNow(): Promise<Session> {
    if (this.#closed) return Promise.reject(new Error("the bridge is closed"));
    if (this.#session?.isOpen) return Promise.resolve(this.#session);
    this.#joining ??= this.#join().finally(() => {
      this.#joining = undefined;
    });
    return this.#joining;
  }

  async #join(): Promise<Session> {
    const transport = localPair(this.#acceptor, {
      info: {
        type: "local",
        peer: "local",
        serializer: "local",
        transportId: this.bridgeId,
        extra: { http_bridge: this.#action.kind },
      },
    });
    let session: Session;
    try {
      session = await joinSession(transport, this.realm, {
        authrole: this.role,
        agent: `xbar-http-${this.#action.kind}`,
        onerror: (err) =>
          this.#log.log("error", "http bridge session handler failed", { error: errorText(err) }),
      });
    } catch (err) {
      throw new Error(
        `${this.#action.kind} bridge cannot join realm "${this.realm}" as role "${this.role}": ${
          errorText(err)
        }`,
      );
    }
    if (this.#closed) {
      await session.leave();
      throw new Error("the bridge is closed");
    }
    this.#session = session;
    session.closed.then((info) => {
      if (this.#session === session) this.#session = undefined;
      if (!this.#closed) {
        this.#log.log(
          "warn",
          `http ${this.#action.kind} bridge session ended; it rejoins on the next request`,
          {
            realm: this.realm,
            reason: info.reason,
          },
        );
      }
    });
    this.#log.log("debug", `http ${this.#action.kind} bridge joined`, {
      realm: this.realm,
      role: this.role,
    });
    return session;
  }
}

/** `{"a": ...}` keys of `body` that are not in `allowed`, for "unknown key" answers. */
export function unknownKeys(body: Dict, allowed: readonly string[]): string[] {
  return Object.keys(body).filter((k) => !allowed.includes(k));
}

/** A short description of a JSON value's type, for error texts. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Uint8Array) return "binary";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
}
