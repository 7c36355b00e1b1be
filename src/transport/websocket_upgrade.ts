/**
 * The WebSocket opening handshake on a connection we read ourselves (RFC
 * 6455 section 4.2): checks the request head, negotiates the WAMP
 * subprotocol (`websocket_subprotocol.ts`) and permessage-deflate
 * (`websocket_deflate.ts`), writes `101 Switching Protocols` and hands the
 * connection to `WebSocketStreamConnection`.
 *
 * Answers before the upgrade, as `createWebSocketHandler` gives them on
 * Deno.serve: no `Upgrade: websocket` → 426 with a text naming the
 * subprotocols; `Sec-WebSocket-Version` not 13 → 426 with
 * `Sec-WebSocket-Version: 13`; an `Origin` the endpoint does not allow
 * (`allowedOrigins`, `allowNullOrigin`) → 403; not GET, no `Connection: upgrade`, a bad
 * `Sec-WebSocket-Key`, or no supported subprotocol → 400 with the reason.
 * The connection is closed after an error answer.
 *
 * @module
 */

import type { PeerInfo, SessionAcceptor } from "../router/peer.ts";
import { formatPeerAddress } from "./peer_address.ts";
import { httpResponse, type RequestHead } from "./http_request_head.ts";
import { resolveWebSocketOptions, type WebSocketOptions } from "./websocket.ts";
import { chooseSubprotocol, parseSubprotocols } from "./websocket_subprotocol.ts";
import { negotiateDeflate, prepareDeflate } from "./websocket_deflate.ts";
import { ReceiveBudget } from "./websocket_frame_reader.ts";
import {
  WebSocketStreamConnection,
  type WebSocketStreamOptions,
} from "./websocket_stream_connection.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { errorText } from "./router_call.ts";
import { websocketExtra } from "./received_headers.ts";

/** What the listener knows about a connection besides its bytes. */
export interface ConnectionFacts {
  /** The remote address. */
  remoteAddr: Deno.Addr;
  /** True over TLS. */
  secure: boolean;
}

/** Upgrades requests read off a connection to WAMP WebSocket connections. */
export interface WebSocketUpgrader {
  /**
   * Answers `head` (already read from `conn`; `rest` are the octets read
   * after it): a WAMP connection after 101, or an HTTP error and a close.
   * Never throws.
   */
  upgrade(conn: Deno.Conn, head: RequestHead, rest: Uint8Array, facts: ConnectionFacts): void;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Creates the upgrader of one endpoint (options as `createWebSocketHandler`).
 *
 * @throws RangeError for invalid options
 */
export function createWebSocketUpgrader(
  acceptor: SessionAcceptor,
  options: WebSocketOptions = {},
): WebSocketUpgrader {
  const o = resolveWebSocketOptions(options);
  const { logger, transportId } = o;
  const budget = new ReceiveBudget(o.receiveBudget);
  const idle = o.idleTimeout > 0 ? new IdleWatch(o.idleTimeout * 500) : undefined;
  const logFields = transportId === undefined ? undefined : { transportId };

  // Connection settings, one object per serializer (a connection with
  // permessage-deflate gets a copy with its own codec): idle memory.
  const shared = new Map<Serializer, WebSocketStreamOptions>();
  const optionsFor = (serializer: Serializer): WebSocketStreamOptions => {
    let opts = shared.get(serializer);
    if (opts === undefined) {
      opts = {
        serializer,
        maxMessageSize: o.maxMessageSize,
        maxOutboundBytes: o.maxOutboundBytes,
        flow: o.flow,
        closeTimeoutMs: o.closeTimeoutMs,
        budget,
        deflate: undefined,
        logger,
        logFields,
        maxFrameSize: o.maxFrameSize,
        autoFragmentSize: o.autoFragmentSize,
        pingSize: o.pingSize,
        echoCloseReason: o.echoCloseReason,
        failByDrop: o.failByDrop,
      };
      shared.set(serializer, opts);
    }
    return opts;
  };

  async function upgrade(
    conn: Deno.Conn,
    head: RequestHead,
    rest: Uint8Array,
    facts: ConnectionFacts,
  ): Promise<void> {
    const h = head.headers;
    const refuse = (status: number, text: string, headers: Record<string, string> = {}) =>
      answerAndClose(conn, httpResponse(status, { ...o.answerHeaders, ...headers }, text));
    if (!hasToken(h.get("upgrade"), "websocket")) {
      // With enable_webstatus off, a bare 426 (no text about the endpoint).
      const headers = { ...o.answerHeaders, upgrade: "websocket", connection: "Upgrade" };
      if (!o.webStatus) return answerAndClose(conn, httpResponse(426, headers, ""));
      return refuse(426, o.upgradeRequired, headers);
    }
    const origin = o.origins.check(h.get("origin"));
    if (!origin.ok) {
      logger.log("info", "websocket upgrade refused", { reason: origin.reason, transportId });
      return refuse(403, `forbidden: ${origin.reason}\n`);
    }
    const key = h.get("sec-websocket-key") ?? "";
    const version = h.get("sec-websocket-version");
    if (
      head.method !== "GET" || !hasToken(h.get("connection"), "upgrade") || !KEY.test(key) ||
      version === null
    ) {
      return refuse(
        400,
        "invalid WebSocket upgrade request: needs GET, Connection: upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version\n",
      );
    }
    if (version !== "13") {
      return refuse(426, "unsupported WebSocket version: this endpoint speaks version 13\n", {
        "sec-websocket-version": "13",
      });
    }
    const choice = chooseSubprotocol(
      parseSubprotocols(h.get("sec-websocket-protocol")),
      o.serializers,
      {
        requireSubprotocol: o.requireSubprotocol,
      },
    );
    if (!choice.ok) {
      logger.log("info", "websocket upgrade refused", { reason: choice.reason, transportId });
      return refuse(400, `${choice.reason}\n`);
    }
    await choice.serializer.load();
    if (o.compression !== undefined) await prepareDeflate(o.compression);
    const deflate = o.compression === undefined
      ? undefined
      : negotiateDeflate(h.get("sec-websocket-extensions"), o.compression);
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
    const response: Record<string, string> = {
      ...o.answerHeaders,
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": btoa(String.fromCharCode(...new Uint8Array(digest))),
    };
    if (choice.protocol !== undefined) response["sec-websocket-protocol"] = choice.protocol;
    if (deflate !== undefined) response["sec-websocket-extensions"] = deflate.response;
    const info: PeerInfo = {
      type: "websocket",
      peer: formatPeerAddress(facts.remoteAddr),
      serializer: choice.serializer.name,
      transportId,
      extra: websocketExtra(choice.protocol ?? null, h, head.path, facts.secure),
    };
    const ws = new WebSocketStreamConnection(
      conn,
      httpResponse(101, response),
      rest,
      info,
      acceptor,
      deflate === undefined
        ? optionsFor(choice.serializer)
        : { ...optionsFor(choice.serializer), deflate: deflate.codec },
    );
    o.tracker?.add(ws);
    idle?.add(ws);
  }

  return {
    upgrade(conn, head, rest, facts) {
      upgrade(conn, head, rest, facts).catch((err) => {
        logger.log("error", "websocket upgrade failed", { error: errorText(err), transportId });
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
    },
  };
}

function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  return value.split(",").some((p) => p.trim().toLowerCase() === token);
}

/** Writes `bytes` to `conn`, then closes it. Never throws. */
export async function answerAndClose(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  try {
    let at = 0;
    while (at < bytes.length) at += await conn.write(bytes.subarray(at));
  } catch {
    // the peer is gone
  }
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** What the idle watch looks at. */
interface Watched {
  readonly done: Promise<void>;
  idleCheck(): boolean;
}

/**
 * One timer for all connections of an endpoint: every `periodMs` each
 * connection is asked whether it heard from its peer (no timer per
 * connection, nothing per message).
 */
class IdleWatch {
  #set = new Set<Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #period: number;
  constructor(periodMs: number) {
    this.#period = Math.max(50, periodMs);
  }
  add(c: Watched): void {
    this.#set.add(c);
    c.done.then(() => {
      this.#set.delete(c);
      if (this.#set.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    });
    if (this.#timer === undefined) {
      const timer = setInterval(() => {
        for (const w of this.#set) w.idleCheck();
      }, this.#period);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }
}
