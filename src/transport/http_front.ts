/**
 * The front of an HTTP listener that carries WebSockets: we accept the
 * connections ourselves (`Deno.listen`, `Deno.listenTls`, Unix sockets),
 * read the first request head, and
 * - hand a WebSocket upgrade for one of our endpoints to its upgrader
 *   (`websocket_upgrade.ts`: our own RFC 6455 framing on the raw connection,
 *   which `Deno.serve` cannot give us), or
 * - answer a fixed HTTP response (e.g. 404) and close, or
 * - pass the whole connection (the octets read so far first) to an
 *   `HttpFallback`: a `Deno.serve` on loopback behind us that serves every
 *   other HTTP request of a Web transport (static files, long-poll, bridges;
 *   keep-alive included) with the real peer address and scheme, or
 * - with `raw`, hand a connection whose first octet is 0x7F (a WAMP RawSocket
 *   handshake, never the start of HTTP) on with the octets read so far
 *   (Crossbar's universal transport: RawSocket, WebSocket and Web on one port).
 *
 * A connection that does not send a complete request head within
 * `headTimeoutMs` (or sends more than 16 KiB of head) is answered 408 (431)
 * and closed. Accept errors (e.g. out of file descriptors) are logged and
 * the loop goes on after a short pause.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { errorText } from "./router_call.ts";
import { httpResponse, parseRequestHead, type RequestHead } from "./http_request_head.ts";
import {
  answerAndClose,
  type ConnectionFacts,
  type WebSocketUpgrader,
} from "./websocket_upgrade.ts";
import type { HttpFallback } from "./http_fallback.ts";

/** The first octet of a WAMP RawSocket handshake. */
const RAWSOCKET_FIRST_OCTET = 0x7f;

/** Default `headTimeoutMs`: 10 s. */
export const DEFAULT_HEAD_TIMEOUT_MS = 10_000;

/** Where a request goes. */
export type FrontRoute =
  | { kind: "websocket"; upgrader: WebSocketUpgrader }
  | { kind: "answer"; status: number; text: string }
  | { kind: "http" };

/** Options of `serveFront`. */
export interface FrontOptions {
  /** Where each first request goes. */
  route(head: RequestHead): FrontRoute;
  /** Serves `http` routes; without it they are answered 404. */
  fallback?: HttpFallback;
  /** Takes connections whose first octet is 0x7F (RawSocket), with the octets read so far. */
  raw?: (conn: Deno.Conn, first: Uint8Array, facts: ConnectionFacts) => void;
  /** True for TLS listeners. */
  secure: boolean;
  /** Milliseconds for the first request head. Default 10 s. */
  headTimeoutMs?: number;
  /** Where to log. */
  logger: Logger;
  /** Extra log fields. */
  logFields?: Record<string, unknown>;
}

/** A running front. */
export interface Front {
  /** Stops accepting (connections already handed on stay). */
  close(): void;
  /** Resolves when the accept loop has ended. */
  readonly finished: Promise<void>;
}

/** Accepts connections from `listener` and routes them. */
export function serveFront(listener: Deno.Listener, options: FrontOptions): Front {
  let closed = false;
  const headTimeout = options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
  const log = options.logger;
  const finished = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closed || err instanceof Deno.errors.BadResource) return;
        log.log("error", "accept failed", { error: errorText(err), ...options.logFields });
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      serveConnection(conn, options, headTimeout).catch((err) => {
        log.log("error", "connection failed", { error: errorText(err), ...options.logFields });
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
    }
  })();
  return {
    close() {
      if (closed) return;
      closed = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
    },
    finished,
  };
}

async function serveConnection(
  conn: Deno.Conn,
  options: FrontOptions,
  headTimeout: number,
): Promise<void> {
  let remoteAddr: Deno.Addr;
  try {
    remoteAddr = conn.remoteAddr;
  } catch {
    conn.close();
    return;
  }
  const facts: ConnectionFacts = { remoteAddr, secure: options.secure };
  let buf = new Uint8Array(4096);
  let end = 0;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    answerAndClose(conn, httpResponse(408, {}, "request head not received in time\n"));
  }, headTimeout);
  try {
    for (;;) {
      if (end === buf.length) {
        const grown = new Uint8Array(buf.length * 2);
        grown.set(buf);
        buf = grown;
      }
      let n: number | null;
      try {
        n = await conn.read(buf.subarray(end));
      } catch {
        n = null;
      }
      if (timedOut) return;
      if (n === null) {
        try {
          conn.close();
        } catch {
          // already closed
        }
        return;
      }
      end += n;
      if (options.raw !== undefined && buf[0] === RAWSOCKET_FIRST_OCTET) {
        clearTimeout(timer);
        options.raw(conn, buf.slice(0, end), facts);
        return;
      }
      const parsed = parseRequestHead(buf, end);
      if (parsed.kind === "incomplete") continue;
      clearTimeout(timer);
      if (parsed.kind === "error") {
        await answerAndClose(conn, httpResponse(parsed.status, {}, `${parsed.reason}\n`));
        return;
      }
      const head = parsed.head;
      const route = options.route(head);
      switch (route.kind) {
        case "websocket":
          route.upgrader.upgrade(conn, head, buf.slice(head.length, end), facts);
          return;
        case "answer":
          await answerAndClose(conn, httpResponse(route.status, {}, route.text));
          return;
        case "http":
          if (options.fallback === undefined) {
            await answerAndClose(conn, httpResponse(404, {}, "not found\n"));
          } else {
            options.fallback.pass(conn, buf.subarray(0, end), facts);
          }
          return;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Where `listenFront` listens. */
export type FrontEndpoint =
  | {
    type: "tcp";
    /** Interface to bind. */
    hostname: string;
    /** Port; 0 picks a free one. */
    port: number;
    /** SO_REUSEPORT (needs `--unstable-net`). */
    reusePort?: boolean;
    /** TLS credentials (PEM texts): listen with TLS, HTTP/1.1 only. */
    tls?: { cert: string; key: string };
  }
  | {
    type: "unix";
    /** Socket path (prepared by the caller). */
    path: string;
  };

/** A listening front. */
export interface ListeningFront {
  /** The bound address. */
  addr: Deno.Addr;
  /** The accept loop. */
  front: Front;
}

/** Binds `endpoint` and starts a front on it. Throws when it cannot bind. */
export function listenFront(
  endpoint: FrontEndpoint,
  options: Omit<FrontOptions, "secure">,
): ListeningFront {
  let listener: Deno.Listener;
  let secure = false;
  if (endpoint.type === "unix") {
    listener = Deno.listen({ transport: "unix", path: endpoint.path });
  } else if (endpoint.tls !== undefined) {
    secure = true;
    listener = Deno.listenTls(
      {
        hostname: endpoint.hostname,
        port: endpoint.port,
        cert: endpoint.tls.cert,
        key: endpoint.tls.key,
        alpnProtocols: ["http/1.1"],
        reusePort: endpoint.reusePort ?? false,
      } as Deno.ListenTlsOptions & Deno.TlsCertifiedKeyPem,
    );
  } else {
    listener = Deno.listen({
      hostname: endpoint.hostname,
      port: endpoint.port,
      reusePort: endpoint.reusePort ?? false,
    });
  }
  return { addr: listener.addr, front: serveFront(listener, { ...options, secure }) };
}
