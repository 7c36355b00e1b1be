/**
 * Crossbar's universal transport: one TCP port (optionally TLS) that serves
 * RawSocket, WebSocket and the Web services, chosen by the first octet a
 * client sends: 0x7F is a RawSocket handshake, anything else is HTTP.
 *
 * Deno's HTTP server cannot take over a connection whose first octets were
 * already read, so HTTP connections are relayed, octet for octet, to a web
 * server (`web.ts`) of this transport that listens on a Unix socket in a
 * private directory (mode 0700) nothing else can reach. The relay adds the
 * client's address to the first request in a header that web server trusts
 * (replacing any such header the client sent), and asks for the connection
 * to be closed after a request that is not a WebSocket upgrade, so every
 * request on it carries the address; WebSocket connections are relayed as
 * they are after the upgrade.
 *
 * @module
 */

import { join } from "node:path";
import type { SessionAcceptor } from "../router/peer.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { RawSocketConnection } from "./rawsocket_connection.ts";
import { lengthExponentFor, RAWSOCKET_MAGIC } from "./rawsocket_protocol.ts";
import { formatPeerAddress } from "./peer_address.ts";
import { serveWeb, type WebOptions, type WebServer } from "./web.ts";
import { loadTlsCredentials, type TlsFiles } from "./tls.ts";
import { errorText } from "./router_call.ts";

/** The header the relay sets and the private web server trusts. */
export const UNIVERSAL_PEER_HEADER = "x-xbar-universal-peer";

const MAX_HEAD = 64 * 1024;
const FIRST_BYTES_TIMEOUT_MS = 10_000;

/** Options of {@link serveUniversal}. */
export interface UniversalOptions {
  /** Where to listen. */
  endpoint: { hostname?: string; port: number; reusePort?: boolean; tls?: TlsFiles };
  /** RawSocket on this port (absent: RawSocket clients are closed). */
  rawsocket?: {
    serializers: Serializer[];
    maxMessageSize: number;
    transportId?: string;
  };
  /** The Web side: paths (WebSocket paths included) and options; absent: HTTP clients are closed. */
  web?: Omit<WebOptions, "endpoint" | "peerHeader" | "baseDir" | "logger">;
  /** Base directory of relative paths (static directories, TLS files). */
  baseDir?: string;
  /** Where to log. */
  logger?: Logger;
  /** Transport id for logs. */
  transportId?: string;
}

/** A running universal transport. */
export interface UniversalServer {
  /** The TCP address. */
  readonly addr: Deno.NetAddr;
  /** Stops listening, closes connections and the private web server. Idempotent. */
  shutdown(): Promise<void>;
}

/** A connection that first gives back octets already read from it. */
class Replayed
  implements Pick<Deno.Conn, "read" | "write" | "closeWrite" | "close" | "remoteAddr"> {
  #conn: Deno.Conn;
  #head: Uint8Array | undefined;
  constructor(conn: Deno.Conn, head: Uint8Array) {
    this.#conn = conn;
    this.#head = head.length > 0 ? head : undefined;
  }
  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }
  read(p: Uint8Array): Promise<number | null> {
    const head = this.#head;
    if (!head) return this.#conn.read(p);
    const n = Math.min(p.length, head.length);
    p.set(head.subarray(0, n));
    this.#head = n < head.length ? head.subarray(n) : undefined;
    return Promise.resolve(n);
  }
  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
  close(): void {
    this.#conn.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfHeadEnd(buf: Uint8Array): number {
  for (let i = 3; i < buf.length; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
  }
  return -1;
}

/**
 * The request head with the peer header set (any the client sent removed)
 * and, unless it is a WebSocket upgrade, `Connection: close`.
 */
export function rewriteHead(head: string, peer: string): string {
  const lines = head.split("\r\n");
  const requestLine = lines.shift() ?? "";
  const fields = lines.filter((l) => l !== "");
  const name = (l: string) => l.slice(0, l.indexOf(":")).trim().toLowerCase();
  const upgrade = fields.some((l) =>
    name(l) === "upgrade" && /websocket/i.test(l.slice(l.indexOf(":") + 1))
  );
  const kept = fields.filter((l) => {
    const n = name(l);
    return n !== UNIVERSAL_PEER_HEADER && (upgrade || n !== "connection");
  });
  if (!upgrade) kept.push("Connection: close");
  kept.push(`${UNIVERSAL_PEER_HEADER}: ${peer}`);
  return [requestLine, ...kept, "", ""].join("\r\n");
}

async function pump(from: Pick<Deno.Conn, "read">, to: Pick<Deno.Conn, "write">): Promise<void> {
  const buf = new Uint8Array(16 * 1024);
  while (true) {
    const n = await from.read(buf);
    if (n === null) return;
    let off = 0;
    while (off < n) off += await to.write(buf.subarray(off, n));
  }
}

/** Starts a universal transport for `acceptor` (the router). */
export async function serveUniversal(
  acceptor: SessionAcceptor,
  options: UniversalOptions,
): Promise<UniversalServer> {
  const logger = options.logger ?? nullLogger;
  let dir: string | undefined;
  let web: WebServer | undefined;
  let socket: string | undefined;
  if (options.web) {
    dir = await Deno.makeTempDir({ prefix: "xbar-uni-" });
    await Deno.chmod(dir, 0o700);
    socket = join(dir, "web.sock");
    try {
      web = await serveWeb(acceptor, {
        ...options.web,
        endpoint: { port: 0, path: socket },
        peerHeader: UNIVERSAL_PEER_HEADER,
        baseDir: options.baseDir,
        logger,
      });
    } catch (err) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw err;
    }
  }
  const e = options.endpoint;
  let listener: Deno.Listener;
  try {
    if (e.tls) {
      const creds = await loadTlsCredentials(e.tls, { baseDir: options.baseDir });
      listener = Deno.listenTls({
        transport: "tcp",
        hostname: e.hostname ?? "0.0.0.0",
        port: e.port,
        ...(e.reusePort ? { reusePort: true } : {}),
        ...creds,
      });
    } else {
      listener = Deno.listen({
        transport: "tcp",
        hostname: e.hostname ?? "0.0.0.0",
        port: e.port,
        ...(e.reusePort ? { reusePort: true } : {}),
      });
    }
  } catch (err) {
    await web?.shutdown();
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  const addr = listener.addr as Deno.NetAddr;
  const open = new Set<Deno.Conn>();
  const raw = options.rawsocket;
  const rawOptions = raw && {
    serializers: raw.serializers,
    lengthExponent: lengthExponentFor(raw.maxMessageSize),
    maxOutboundBytes: 4 * 1024 * 1024,
    handshakeTimeoutMs: FIRST_BYTES_TIMEOUT_MS,
    closeTimeoutMs: 1000,
    secure: e.tls !== undefined,
    transportId: raw.transportId,
    logger,
    admit: () => true,
    release: () => {},
  };

  const relay = async (conn: Deno.Conn, first: Uint8Array) => {
    let buf = first;
    let end = indexOfHeadEnd(buf);
    const chunk = new Uint8Array(4096);
    while (end < 0 && buf.length < MAX_HEAD) {
      const n = await conn.read(chunk);
      if (n === null) return;
      buf = concat(buf, chunk.subarray(0, n));
      end = indexOfHeadEnd(buf);
    }
    if (end < 0) return; // not HTTP, or a head too large: drop it
    const peer = formatPeerAddress(conn.remoteAddr);
    const head = rewriteHead(new TextDecoder().decode(buf.subarray(0, end)), peer);
    const upstream = await Deno.connect({ transport: "unix", path: socket! });
    try {
      await upstream.write(concat(new TextEncoder().encode(head), buf.subarray(end)));
      // client → server until the client is done (then half-close), server → client until
      // the server is done; then the caller closes the client connection, which ends both
      const up = pump(conn, upstream).then(() => upstream.closeWrite(), () => {}).catch(() => {});
      await pump(upstream, conn).catch(() => {});
      void up;
    } finally {
      try {
        upstream.close();
      } catch {
        // closed
      }
    }
  };

  const serve = async (conn: Deno.Conn) => {
    open.add(conn);
    let rawsocket = false;
    try {
      const first = new Uint8Array(4096);
      const timer = setTimeout(() => conn.close(), FIRST_BYTES_TIMEOUT_MS);
      const n = await conn.read(first).finally(() => clearTimeout(timer));
      if (n === null || n === 0) return;
      const head = first.subarray(0, n);
      if (head[0] === RAWSOCKET_MAGIC) {
        if (!rawOptions) return;
        rawsocket = true;
        const c = new RawSocketConnection(new Replayed(conn, head), acceptor, rawOptions);
        await c.done;
        return;
      }
      if (!socket) return;
      await relay(conn, head);
    } catch (err) {
      logger.log("debug", "universal transport connection ended", {
        peer: (() => {
          try {
            return formatPeerAddress(conn.remoteAddr);
          } catch {
            return "unknown";
          }
        })(),
        error: errorText(err),
      });
    } finally {
      open.delete(conn);
      if (!rawsocket) {
        try {
          conn.close();
        } catch {
          // closed
        }
      }
    }
  };

  const accepting = (async () => {
    try {
      for await (const conn of listener) void serve(conn);
    } catch {
      // listener closed
    }
  })();
  logger.log("info", "universal transport listening", {
    address: `${addr.hostname}:${addr.port}`,
    tls: e.tls !== undefined,
    rawsocket: raw !== undefined,
    web: web !== undefined,
    transportId: options.transportId,
  });

  let stopping: Promise<void> | undefined;
  return {
    addr,
    shutdown() {
      stopping ??= (async () => {
        try {
          listener.close();
        } catch {
          // closed
        }
        await accepting;
        await web?.shutdown();
        for (const c of open) {
          try {
            c.close();
          } catch {
            // closed
          }
        }
        if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
        logger.log("info", "universal transport stopped", { transportId: options.transportId });
      })();
      return stopping;
    },
  };
}
