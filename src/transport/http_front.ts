/**
 * The front of every xbar HTTP listener (a WebSocket transport's port, a
 * Web transport): we accept the connections ourselves (`accept_loop.ts` on
 * `Deno.listen`, `Deno.listenTls`, Unix sockets: connection limits per
 * listener and per remote IP, accept errors such as EMFILE survived), read
 * each request head, and
 * - hand a WebSocket upgrade for one of our endpoints to its upgrader
 *   (`websocket_upgrade.ts`: our own RFC 6455 framing on the raw
 *   connection), or
 * - answer a fixed HTTP response (e.g. 404) and close, or
 * - serve the request with the `http` handler (`http1.ts`: our own HTTP/1.1,
 *   keep-alive included), then read the next head on the same connection, or
 * - with `raw`, hand a connection whose first octet is 0x7F (a WAMP RawSocket
 *   handshake, never the start of HTTP) on with the octets read so far
 *   (Crossbar's universal transport: RawSocket, WebSocket and Web on one port).
 *
 * Time limits (`FrontTimeouts`): the first request head must arrive within
 * `headMs` of the accept (TLS handshake included), every later one within
 * `idleMs` of the previous response (an idle keep-alive connection and a
 * half-sent head both count), a request body within `bodyMs` of its head,
 * and each response write within `writeMs`. A head over 16 KiB is answered
 * 431. A connection that runs out of time is answered 408 (if no request is
 * in progress) and closed; such closes are logged, throttled.
 *
 * Why not `Deno.serve`: it accepts connections itself and ends for good on
 * the first accept error (an uncaught `Http: Error: Too many open files`
 * ended the worker), cannot limit connections, and has no time limits at
 * all (idle, half-sent and kept-alive connections each held a file
 * descriptor as long as the client liked).
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { runAcceptLoop } from "./accept_loop.ts";
import { ConnectionGate, type ConnectionLimits } from "./connection_gate.ts";
import { ConnReader } from "./conn_reader.ts";
import {
  type HeadResult,
  httpResponse,
  parseRequestHead,
  type RequestHead,
} from "./http_request_head.ts";
import { type Http1Handler, serveHttp1Request } from "./http1.ts";
import { LogThrottle } from "./log_throttle.ts";
import { errorText } from "./router_call.ts";
import {
  answerAndClose,
  type ConnectionFacts,
  type WebSocketUpgrader,
} from "./websocket_upgrade.ts";
import { countedConn } from "./counted_conn.ts";

/** The first octet of a WAMP RawSocket handshake. */
const RAWSOCKET_FIRST_OCTET = 0x7f;

/** Default of each `FrontTimeouts` value: 30 s (`headMs`: 10 s). */
export const DEFAULT_FRONT_TIMEOUT_MS = 30_000;
/** Default `headMs`: 10 s. */
export const DEFAULT_HEAD_TIMEOUT_MS = 10_000;

/** Time limits of a front's connections, in milliseconds; 0 = none. */
export interface FrontTimeouts {
  /** From accept until the first request head is in. Default 10000. */
  headMs?: number;
  /** After a response, until the next request head is in (keep-alive). Default 30000. */
  idleMs?: number;
  /** From a request head until its body is in. Default 30000. */
  bodyMs?: number;
  /** For each write of a response. Default 30000. */
  writeMs?: number;
}

/** Where a request goes. */
export type FrontRoute =
  | { kind: "websocket"; upgrader: WebSocketUpgrader }
  | { kind: "answer"; status: number; text: string }
  | { kind: "http" };

/** Options of `serveFront`. */
export interface FrontOptions {
  /** Where each request goes. */
  route(head: RequestHead): FrontRoute;
  /** Serves `http` routes; without it they are answered 404. */
  http?: Http1Handler;
  /** Takes connections whose first octet is 0x7F (RawSocket), with the octets read so far. */
  raw?: (conn: Deno.Conn, first: Uint8Array, facts: ConnectionFacts) => void;
  /** Answer for an `http` handler that threw. Default: 500, logged. */
  onError?: (err: unknown) => Response;
  /** True for TLS listeners. */
  secure: boolean;
  /** Connection limits. Default: `connection_gate.ts`'s. */
  limits?: ConnectionLimits;
  /** Time limits. */
  timeouts?: FrontTimeouts;
  /** Listener name in log lines, e.g. "web transport". Default "http listener". */
  name?: string;
  /** Where to log. */
  logger: Logger;
  /** Extra log fields (`transportId`). */
  logFields?: Record<string, unknown>;
}

/** A running front. */
export interface Front {
  /** Stops accepting; idle HTTP connections are closed, busy ones after their response (upgraded connections stay). */
  close(): void;
  /** Closes every HTTP connection now (upgraded connections stay: their owners close them). */
  abort(): void;
  /** Resolves when the accept loop has ended. */
  readonly finished: Promise<void>;
  /** Resolves when the accept loop has ended and no HTTP request is being served. */
  readonly idle: Promise<void>;
  /** Connections open now (upgraded ones included). */
  readonly connections: number;
  /** The limits in force (refusal counters included). */
  readonly gate: ConnectionGate;
}

function timeoutOf(name: string, v: number | undefined, fallback: number): number {
  const ms = v ?? fallback;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`timeouts.${name}: must be 0 (none) or a number of ms, got ${ms}`);
  }
  return ms;
}

const REFUSED = httpResponse(503, {}, "too many connections, try again later\n");

interface FrontState {
  options: FrontOptions;
  headMs: number;
  idleMs: number;
  bodyMs: number;
  writeMs: number;
  timeoutLog: (phase: string, peer: string) => void;
  onError: (err: unknown) => Response;
  closing: boolean;
  /** HTTP connections between requests (closed at once on `close()`). */
  waiting: Set<Deno.Conn>;
  /** Every connection still in the front's hands (not upgraded). */
  live: Set<Deno.Conn>;
  changed: () => void;
}

/** Accepts connections from `listener` and routes them. Throws `RangeError` for invalid options. */
export function serveFront(listener: Deno.Listener, options: FrontOptions): Front {
  const log = options.logger;
  const name = options.name ?? "http listener";
  const transportId = options.logFields?.transportId as string | undefined;
  const t = options.timeouts ?? {};
  let wake = () => {};
  const throttles = new Map<string, LogThrottle>();
  const state: FrontState = {
    options,
    headMs: timeoutOf("headMs", t.headMs, DEFAULT_HEAD_TIMEOUT_MS),
    idleMs: timeoutOf("idleMs", t.idleMs, DEFAULT_FRONT_TIMEOUT_MS),
    bodyMs: timeoutOf("bodyMs", t.bodyMs, DEFAULT_FRONT_TIMEOUT_MS),
    writeMs: timeoutOf("writeMs", t.writeMs, DEFAULT_FRONT_TIMEOUT_MS),
    timeoutLog: (phase, peer) => {
      let t = throttles.get(phase);
      if (t === undefined) {
        t = new LogThrottle(log, 10_000, {
          message: `${name}: connection closed: timed out`,
          fields: { ...options.logFields, phase },
          level: "info",
        });
        throttles.set(phase, t);
      }
      t.hit({ peer });
    },
    onError: options.onError ?? ((err) => {
      log.log("error", `${name}: request handler failed`, {
        error: errorText(err),
        ...options.logFields,
      });
      return new Response("internal error\n", {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }),
    closing: false,
    waiting: new Set(),
    live: new Set(),
    changed: () => wake(),
  };
  const gate = new ConnectionGate(options.limits ?? {}, { logger: log, name, transportId });
  const loop = runAcceptLoop(listener, {
    gate,
    logger: log,
    name,
    transportId,
    onConnection(raw, slot) {
      try {
        (raw as Deno.TcpConn).setNoDelay?.(true); // tcp_nodelay: always on
      } catch {
        // a connection reset before we got to it: the reader sees it
      }
      const conn = countedConn(raw, slot);
      serveConnection(conn, state).catch((err) => {
        log.log("error", `${name}: connection failed`, {
          error: errorText(err),
          ...options.logFields,
        });
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
    },
    // A refusal is written in plain text: not over TLS (no handshake yet).
    onRefused: options.secure ? undefined : (conn) => answerAndClose(conn, REFUSED),
  });
  const idle = (async () => {
    await loop.done;
    while (state.live.size > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    for (const t of throttles.values()) t.flush();
  })();
  return {
    close() {
      if (state.closing) return;
      state.closing = true;
      void loop.stop();
      for (const c of state.waiting) closeQuietly(c);
    },
    abort() {
      state.closing = true;
      void loop.stop();
      for (const c of state.live) closeQuietly(c);
    },
    finished: loop.done,
    idle,
    get connections() {
      return gate.open;
    },
    gate,
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function serveConnection(conn: Deno.Conn, state: FrontState): Promise<void> {
  let remoteAddr: Deno.Addr;
  try {
    remoteAddr = conn.remoteAddr;
  } catch {
    closeQuietly(conn);
    return;
  }
  const { options } = state;
  const facts: ConnectionFacts = { remoteAddr, secure: options.secure };
  const reader = new ConnReader(conn);
  state.live.add(conn);
  let handedOver = false;
  try {
    for (let first = true;; first = false) {
      // Wait for the next request head (the first within headMs, later ones within idleMs).
      const limit = first ? state.headMs : state.idleMs;
      state.waiting.add(conn);
      if (state.closing) return;
      const parsed = await readHead(
        reader,
        conn,
        limit,
        () => state.timeoutLog(first ? "request head" : "keep-alive", peer(facts)),
        first && options.raw !== undefined,
      );
      state.waiting.delete(conn);
      if (parsed === undefined) return;
      if (parsed.kind === "raw") {
        handedOver = true;
        state.live.delete(conn);
        state.changed();
        options.raw!(conn, reader.take(reader.available), facts);
        return;
      }
      if (parsed.kind === "error") {
        await answerAndClose(conn, httpResponse(parsed.status, {}, `${parsed.reason}\n`));
        return;
      }
      const head = parsed.head;
      reader.consume(head.length);
      const route = options.route(head);
      switch (route.kind) {
        case "websocket":
          handedOver = true;
          state.live.delete(conn);
          state.changed();
          route.upgrader.upgrade(conn, head, reader.take(reader.available), facts);
          return;
        case "answer":
          await answerAndClose(conn, httpResponse(route.status, {}, route.text));
          return;
        case "http": {
          if (options.http === undefined) {
            await answerAndClose(conn, httpResponse(404, {}, "not found\n"));
            return;
          }
          const outcome = await serveHttp1Request(head, {
            conn,
            reader,
            remoteAddr,
            secure: options.secure,
            handler: options.http,
            bodyMs: state.bodyMs,
            writeMs: state.writeMs,
            closing: () => state.closing,
            onError: state.onError,
            onTimeout: (phase) => state.timeoutLog(phase, peer(facts)),
          });
          if (outcome === "close") return;
          break;
        }
      }
    }
  } finally {
    state.waiting.delete(conn);
    if (!handedOver) {
      closeQuietly(conn);
      state.live.delete(conn);
      state.changed();
    }
  }
}

function peer(facts: ConnectionFacts): string {
  const a = facts.remoteAddr;
  return a.transport === "tcp" ? `${a.hostname}:${a.port}` : a.transport;
}

/**
 * Reads until `reader` holds a whole request head: the parse result, or
 * undefined when the connection ended or `limitMs` passed (then 408 was
 * sent if anything had arrived, and the connection closed).
 */
async function readHead(
  reader: ConnReader,
  conn: Deno.Conn,
  limitMs: number,
  onTimeout: () => void,
  rawAllowed = false,
): Promise<Exclude<HeadResult, { kind: "incomplete" }> | { kind: "raw" } | undefined> {
  let timedOut = false;
  const timer = limitMs > 0
    ? setTimeout(() => {
      timedOut = true;
      onTimeout();
      if (reader.available > 0) {
        void answerAndClose(conn, httpResponse(408, {}, "request head not received in time\n"));
      } else closeQuietly(conn);
    }, limitMs)
    : undefined;
  try {
    for (;;) {
      if (reader.available > 0) {
        const v = reader.view();
        if (rawAllowed && v[0] === RAWSOCKET_FIRST_OCTET) return { kind: "raw" };
        const parsed = parseRequestHead(v, v.length);
        if (parsed.kind !== "incomplete") return parsed;
      }
      if (!await reader.fill()) return undefined;
      if (timedOut) return undefined;
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
    /** Accept queue depth. Default: Deno's (511). */
    backlog?: number;
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
        ...(endpoint.backlog !== undefined ? { tcpBacklog: endpoint.backlog } : {}),
      } as Deno.ListenTlsOptions & Deno.TlsCertifiedKeyPem,
    );
  } else {
    listener = Deno.listen({
      hostname: endpoint.hostname,
      port: endpoint.port,
      reusePort: endpoint.reusePort ?? false,
      ...(endpoint.backlog !== undefined ? { tcpBacklog: endpoint.backlog } : {}),
    });
  }
  try {
    return { addr: listener.addr, front: serveFront(listener, { ...options, secure }) };
  } catch (err) {
    listener.close();
    throw err;
  }
}
