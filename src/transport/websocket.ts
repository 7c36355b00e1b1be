/**
 * The WAMP WebSocket transport, server side: an HTTP handler that upgrades
 * requests on one path of a `Deno.serve` to WAMP connections and attaches each
 * to a `SessionAcceptor` (the router).
 *
 * ```ts ignore
 * const ws = createWebSocketHandler(router, { transportId: "ws1" }); // router: a SessionAcceptor
 * Deno.serve({ port: 8080 }, (req, info) =>
 *   new URL(req.url).pathname === "/ws" ? ws(req, info) : new Response("not found", { status: 404 }));
 * ```
 *
 * HTTP answers before the upgrade:
 * - not a WebSocket upgrade request: **426 Upgrade Required** with a short text
 *   saying this is a WAMP WebSocket endpoint;
 * - no supported subprotocol offered (see `websocket_subprotocol.ts` for the
 *   negotiation rules), or a malformed upgrade: **400 Bad Request** with the
 *   reason as text.
 *
 * After the upgrade, `websocket_connection.ts` runs the connection.
 *
 * @module
 */

import { OriginPolicy } from "./origin_policy.ts";
import { XBAR_VERSION } from "../version.ts";
import type { PeerInfo, SessionAcceptor } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { serializers as knownSerializers } from "../serializer/mod.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import type { ConnectionTracker } from "./connection_tracker.ts";
import { formatPeerAddress } from "./peer_address.ts";
import { WebSocketConnection } from "./websocket_connection.ts";
import type { DeflateSettings } from "./websocket_deflate.ts";
import { chooseSubprotocol, parseSubprotocols, subprotocolOf } from "./websocket_subprotocol.ts";
import {
  type FlowControlOptions,
  type ResolvedFlowControl,
  resolveFlowControl,
} from "./flow_control.ts";

/** Default `maxMessageSize`: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE: number = 16 * 1024 * 1024;
/** Default `maxOutboundBytes`: 4 MiB. */
export const DEFAULT_MAX_OUTBOUND_BYTES: number = 4 * 1024 * 1024;
/** Default `idleTimeout`: 120 seconds. */
export const DEFAULT_IDLE_TIMEOUT: number = 120;
/** Default `serializers`: JSON, MessagePack, CBOR. */
export const DEFAULT_SERIALIZERS: readonly Serializer[] = Object.freeze([
  knownSerializers.json,
  knownSerializers.msgpack,
  knownSerializers.cbor,
]);
/** Default `closeTimeoutMs`: 1000 ms (Crossbar's `close_handshake_timeout`). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1000;
/** Default `receiveBudget`: 64 MiB (or twice `maxMessageSize`, whichever is larger). */
export const DEFAULT_RECEIVE_BUDGET: number = 64 * 1024 * 1024;
/** Deno drops (without a clean close) WebSocket messages larger than this. */
export const DENO_MAX_MESSAGE_SIZE: number = 64 * 1024 * 1024;

/** Options of a WAMP WebSocket endpoint. */
export interface WebSocketOptions {
  /**
   * Serializers this endpoint speaks, each as subprotocol `wamp.2.<name>`.
   * Default: all three, JSON, MessagePack and CBOR. The client's order of
   * preference decides which one a connection uses.
   */
  serializers?: readonly Serializer[];
  /**
   * Refuse clients that offer no subprotocol at all (HTTP 400). Default
   * `true`, as the spec requires negotiation; `false` lets such clients in
   * with JSON (if among `serializers`), without announcing a subprotocol.
   */
  requireSubprotocol?: boolean;
  /**
   * Largest WAMP message, in bytes, accepted from the peer or sent to it.
   * Default 16 MiB. A larger incoming message is a protocol violation (the
   * router ABORTs, the socket closes with 1009). A larger outgoing message is
   * never sent (see `undeliverable.ts`). Deno itself drops messages over
   * 64 MiB without a clean close, so larger values do not help.
   */
  maxMessageSize?: number;
  /**
   * Bound of one connection's outbound queue, in bytes. Default 4 MiB. When
   * the queue is non-empty and a message would take it over the bound, the
   * router is told once via `handle.overflow(bytes)` and the connection is
   * closed (1008): the peer reads too slowly. Deno's queue for a connection
   * never exceeds `max(maxOutboundBytes, maxMessageSize)`.
   */
  maxOutboundBytes?: number;
  /**
   * Flow control below that bound (see `flow_control.ts`; our framing only,
   * Deno's WebSocket cannot pause its input): the sessions that feed a
   * backlogged connection are paused. Default: on, with its defaults;
   * `false`: off (a slow consumer is closed at `maxOutboundBytes` only).
   */
  flowControl?: FlowControlOptions | false;
  /**
   * Seconds without any message or pong from the peer before Deno pings it
   * (after half of it) and closes the connection (when the second half passes
   * without a pong). Default 120; `0` disables pings and the timeout.
   * Note: a peer that stops reading is not caught by this (the ping cannot be
   * written); `maxOutboundBytes` catches it once the router sends to it.
   */
  idleTimeout?: number;
  /**
   * Milliseconds the closing handshake may take before the connection is
   * dropped (our framing only). Default 1000.
   */
  closeTimeoutMs?: number;
  /**
   * Octets that messages being received (fragmented, or split across reads)
   * may hold in memory, over all connections of the endpoint; a frame that
   * would pass it closes its connection with 1013 (our framing only).
   * Default: 64 MiB or twice `maxMessageSize`, whichever is larger.
   */
  receiveBudget?: number;
  /**
   * permessage-deflate (RFC 7692), offered to clients that ask for it (our
   * framing only). Default: off.
   */
  compression?: DeflateSettings;
  /** The configured transport id, copied into `PeerInfo.transportId`. */
  transportId?: string;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
  /** Registers every connection, so a server can close them on shutdown. Default: none. */
  tracker?: ConnectionTracker;
  /**
   * Origins allowed to open a WebSocket from a browser (`allowed_origins`,
   * `*` wildcards). Default `["*"]`; others are refused with 403 before the
   * upgrade. Requests without `Origin` (not browsers) are let in.
   */
  allowedOrigins?: readonly string[];
  /** Let in `Origin: null` (`allow_null_origin`). Default true. */
  allowNullOrigin?: boolean;
  /**
   * Largest incoming frame, in octets (`max_frame_size`): a frame header
   * announcing more closes the connection with 1009. Default 0 = no limit of
   * its own (messages are bounded by `maxMessageSize`).
   */
  maxFrameSize?: number;
  /** Send messages longer than this many octets in frames of at most this size (`auto_fragment_size`). Default 0 = one frame. */
  autoFragmentSize?: number;
  /** Octets of payload in the pings `idleTimeout` sends (`auto_ping_size`, 4-125). Default 0. */
  pingSize?: number;
  /** Echo the reason of a client's close frame, not only its code (`echo_close_codereason`). Default false. */
  echoCloseReason?: boolean;
  /**
   * Fail a connection that breaks the WebSocket protocol by dropping TCP at
   * once, without a close frame (`fail_by_drop`; our framing only, see
   * `websocket_upgrade.ts`). Default false: the close frame goes first.
   */
  failByDrop?: boolean;
  /**
   * Answer a plain HTTP request on the endpoint with a short text saying what
   * it is (`enable_webstatus`). Default true; false: a bare 426.
   */
  webStatus?: boolean;
  /** Send `Server: xbar/<version>` on the endpoint's HTTP answers (`show_server_version`). Default false. */
  showServerVersion?: boolean;
}

/** A `Deno.serve` handler for one WAMP WebSocket path. */
export type WebSocketHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
) => Response | Promise<Response>;

/**
 * Creates a handler that upgrades WebSocket requests to WAMP connections
 * attached to `acceptor`. Mount it on one path of a `Deno.serve`.
 *
 * Throws `RangeError` for invalid options (what, and the value).
 */
export function createWebSocketHandler(
  acceptor: SessionAcceptor,
  options: WebSocketOptions = {},
): WebSocketHandler {
  const {
    serializers,
    maxMessageSize,
    maxOutboundBytes,
    idleTimeout,
    requireSubprotocol,
    logger,
    tracker,
    transportId,
    origins,
    webStatus,
    upgradeRequired,
  } = resolveWebSocketOptions(options);
  if (maxMessageSize > DENO_MAX_MESSAGE_SIZE) {
    logger.log("warn", "maxMessageSize is above Deno's fixed WebSocket limit of 64 MiB", {
      maxMessageSize,
      transportId,
    });
  }

  /** Serializers whose `load()` has resolved: upgrades to them answer synchronously. */
  const loaded = new Set<Serializer>();
  return function handleWebSocket(
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.Addr>,
  ): Response | Promise<Response> {
    try {
      if (!isWebSocketUpgrade(req)) {
        if (!webStatus) {
          return new Response(null, { status: 426, headers: { upgrade: "websocket" } });
        }
        return text(426, upgradeRequired, { upgrade: "websocket" });
      }
      const origin = origins.check(req.headers.get("origin"));
      if (!origin.ok) {
        logger.log("info", "websocket upgrade refused", { reason: origin.reason, transportId });
        return text(403, `forbidden: ${origin.reason}\n`);
      }
      const choice = chooseSubprotocol(
        parseSubprotocols(req.headers.get("sec-websocket-protocol")),
        serializers,
        { requireSubprotocol },
      );
      if (!choice.ok) {
        logger.log("info", "websocket upgrade refused", { reason: choice.reason, transportId });
        return text(400, `${choice.reason}\n`);
      }
      if (!loaded.has(choice.serializer)) {
        const serializer = choice.serializer;
        return serializer.load().then(() => {
          loaded.add(serializer);
          return handleWebSocket(req, info);
        });
      }
      // Read everything about the request before upgrading it.
      const peer = formatPeerAddress(info.remoteAddr);
      const headers: Record<string, string> = {};
      req.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const url = new URL(req.url);
      let upgrade: Deno.WebSocketUpgrade;
      try {
        // Deno's own `protocol` option checks the offer by splitting the header on ", "
        // only, so it refuses a valid choice from "wamp.2.json,wamp.2.msgpack" (how
        // Node's `ws`, and so AutobahnJS, sends it). We negotiated already: announce
        // the choice on the response ourselves.
        upgrade = Deno.upgradeWebSocket(req, { idleTimeout });
        if (choice.protocol !== undefined) {
          upgrade.response.headers.set("sec-websocket-protocol", choice.protocol);
        }
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        logger.log("info", "websocket upgrade failed", { peer, error: why, transportId });
        return text(400, `invalid WebSocket upgrade request: ${why}\n`);
      }
      const peerInfo: PeerInfo = {
        type: "websocket",
        peer,
        serializer: choice.serializer.name,
        transportId,
        extra: {
          websocket_protocol: choice.protocol ?? null,
          http_headers_received: headers,
          http_request_path: url.pathname,
          is_secure: url.protocol === "https:",
        },
      };
      const conn = new WebSocketConnection(upgrade.socket, peerInfo, acceptor, {
        serializer: choice.serializer,
        maxMessageSize,
        maxOutboundBytes,
        logger,
      });
      tracker?.add(conn);
      return upgrade.response;
    } catch (err) {
      logger.log("error", "websocket handler failed", {
        error: err instanceof Error ? err.message : String(err),
        transportId,
      });
      return text(500, "internal error\n");
    }
  };
}

/** `WebSocketOptions` checked and defaulted (shared by both WebSocket implementations). */
export interface ResolvedWebSocketOptions {
  /** Serializers spoken. */
  serializers: Serializer[];
  /** Largest message, in octets. */
  maxMessageSize: number;
  /** Outbound bound, in octets. */
  maxOutboundBytes: number;
  /** Flow control below the outbound bound. */
  flow: ResolvedFlowControl;
  /** Seconds; 0 = off. */
  idleTimeout: number;
  /** Refuse clients offering no subprotocol. */
  requireSubprotocol: boolean;
  /** Milliseconds for the closing handshake. */
  closeTimeoutMs: number;
  /** Octets partial messages may hold over all connections of the endpoint. */
  receiveBudget: number;
  /** permessage-deflate settings, or undefined when off. */
  compression: DeflateSettings | undefined;
  /** Where to log. */
  logger: Logger;
  /** Connection registry. */
  tracker: ConnectionTracker | undefined;
  /** Transport id. */
  transportId: string | undefined;
  /** Which browser origins may connect. */
  origins: OriginPolicy;
  /** Largest incoming frame (0: none of its own). */
  maxFrameSize: number;
  /** Outgoing frame size for long messages (0: one frame). */
  autoFragmentSize: number;
  /** Ping payload octets. */
  pingSize: number;
  /** Echo a client's close reason. */
  echoCloseReason: boolean;
  /** Drop TCP without a close frame when the peer breaks the protocol. */
  failByDrop: boolean;
  /** Explain the endpoint in the 426 answer. */
  webStatus: boolean;
  /** Headers added to every HTTP answer of the endpoint (`server` with `showServerVersion`). */
  answerHeaders: Record<string, string>;
  /** The 426 answer text. */
  upgradeRequired: string;
}

/**
 * Checks and defaults `options`.
 *
 * @throws RangeError for invalid options (what, and the value)
 */
export function resolveWebSocketOptions(options: WebSocketOptions): ResolvedWebSocketOptions {
  const serializers = [...(options.serializers ?? DEFAULT_SERIALIZERS)];
  if (serializers.length === 0) {
    throw new RangeError("serializers: must name at least one serializer, got none");
  }
  const maxMessageSize = positiveInteger(
    "maxMessageSize",
    options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
  );
  const maxOutboundBytes = positiveInteger(
    "maxOutboundBytes",
    options.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES,
  );
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  if (!Number.isFinite(idleTimeout) || idleTimeout < 0) {
    throw new RangeError(
      `idleTimeout: must be 0 (off) or a positive number of seconds, got ${idleTimeout}`,
    );
  }
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  if (!Number.isFinite(closeTimeoutMs) || closeTimeoutMs <= 0) {
    throw new RangeError(
      `closeTimeoutMs: must be a positive number of milliseconds, got ${closeTimeoutMs}`,
    );
  }
  const receiveBudget = positiveInteger(
    "receiveBudget",
    options.receiveBudget ?? Math.max(DEFAULT_RECEIVE_BUDGET, 2 * maxMessageSize),
  );
  if (receiveBudget < maxMessageSize) {
    throw new RangeError(
      `receiveBudget: must be at least maxMessageSize (${maxMessageSize}), got ${receiveBudget}`,
    );
  }
  const spoken = serializers.map(subprotocolOf).join(", ");
  return {
    serializers,
    maxMessageSize,
    maxOutboundBytes,
    flow: resolveFlowControl(options.flowControl, maxOutboundBytes),
    idleTimeout,
    requireSubprotocol: options.requireSubprotocol ?? true,
    closeTimeoutMs,
    receiveBudget,
    compression: options.compression,
    logger: options.logger ?? nullLogger,
    tracker: options.tracker,
    transportId: options.transportId,
    origins: new OriginPolicy({
      allowedOrigins: options.allowedOrigins,
      allowNullOrigin: options.allowNullOrigin,
    }),
    maxFrameSize: nonNegativeInteger("maxFrameSize", options.maxFrameSize ?? 0),
    autoFragmentSize: nonNegativeInteger("autoFragmentSize", options.autoFragmentSize ?? 0),
    pingSize: pingSizeOf(options.pingSize ?? 0),
    echoCloseReason: options.echoCloseReason ?? false,
    failByDrop: options.failByDrop ?? false,
    webStatus: options.webStatus ?? true,
    answerHeaders: options.showServerVersion ? { server: `xbar/${XBAR_VERSION}` } : {},
    upgradeRequired:
      `This is a WAMP WebSocket endpoint. Connect with a WebSocket client offering one of the subprotocols ${spoken}.\n`,
  };
}

function isWebSocketUpgrade(req: Request): boolean {
  const upgrade = req.headers.get("upgrade");
  if (upgrade === null) return false;
  return upgrade.split(",").some((p) => p.trim().toLowerCase() === "websocket");
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: must be 0 (off) or a positive integer, got ${value}`);
  }
  return value;
}

function pingSizeOf(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 125) {
    throw new RangeError(`pingSize: must be 0-125 octets, got ${value}`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name}: must be a positive integer number of bytes, got ${value}`);
  }
  return value;
}
