/**
 * Opening a listening socket for any xbar listener: TCP (optionally TLS) or
 * a Unix domain socket, from one endpoint description.
 *
 * Unix sockets: the path is resolved against `baseDir` (the node
 * directory); a socket file left by a killed process is detected and
 * replaced, one a live process serves is `Deno.errors.AddrInUse`. The file
 * is created with mode `mode` (default `0o600`: only the node's user may
 * connect; `0o660` lets its group in): the process umask is narrowed while
 * the socket is bound, so the file never exists with a wider mode, and the
 * mode is then set explicitly (the umask alone cannot widen it). `close()`
 * removes the file if it is still ours.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { describeTlsSource, loadTlsCredentials, type TlsFiles } from "./tls.ts";
import {
  prepareUnixSocketPath,
  removeUnixSocket,
  resolveUnixSocketPath,
  type SocketFileId,
  socketFileId,
} from "./unix_socket_path.ts";

/** Default mode of a listening Unix socket file: owner read/write only. */
export const DEFAULT_UNIX_SOCKET_MODE = 0o600;

/** A TCP endpoint to listen on. */
export interface TcpListenEndpoint {
  /** Endpoint type. */
  type: "tcp";
  /** Port; 0 picks a free one. */
  port: number;
  /** Address to bind. Default `0.0.0.0`. */
  hostname?: string;
  /** Share the port with other processes (SO_REUSEPORT; needs `--unstable-net`). Default false. */
  reusePort?: boolean;
  /** Accept queue depth (`listen(2)` backlog). Default: Deno's (511). */
  backlog?: number;
  /** TLS key and certificate; absent = plain TCP. */
  tls?: TlsFiles;
  /** ALPN protocols offered over TLS (e.g. `["h2", "http/1.1"]`). Default none. */
  alpnProtocols?: string[];
}

/** A Unix socket endpoint to listen on. */
export interface UnixListenEndpoint {
  /** Endpoint type. */
  type: "unix";
  /** Socket path; relative to `baseDir`. */
  path: string;
  /** File mode of the socket. Default `0o600`. */
  mode?: number;
}

/** Where to listen. */
export type ListenEndpoint = TcpListenEndpoint | UnixListenEndpoint;

/** An open listener. */
export interface OpenListener {
  /** The listener. */
  readonly listener: Deno.Listener;
  /** `tcp4:127.0.0.1:8080`, `tcp6:[::1]:8080` or `unix:/abs/path`. */
  readonly address: string;
  /** The TCP port (0 for Unix sockets). */
  readonly port: number;
  /** True over TLS. */
  readonly tls: boolean;
  /** Closes the listener (if still open) and removes a Unix socket file that is still ours. */
  close(): Promise<void>;
}

/** Options of `openListener`. */
export interface OpenListenerOptions {
  /** Directory relative Unix paths and TLS files are resolved against. Default: the working directory. */
  baseDir?: string;
  /** Where to log (a replaced stale socket file). */
  logger?: Logger;
  /** Transport id for log lines. */
  transportId?: string;
}

type Umask = (mask?: number) => number;

/**
 * Binds `endpoint`. Rejects with a `RangeError` for invalid endpoint values,
 * a `TlsConfigError` for unusable TLS files, `Deno.errors.AddrInUse` when the
 * address is taken, or the system's error.
 */
export async function openListener(
  endpoint: ListenEndpoint,
  options: OpenListenerOptions = {},
): Promise<OpenListener> {
  switch (endpoint?.type) {
    case "tcp":
      return await openTcp(endpoint, options);
    case "unix":
      return await openUnix(endpoint, options);
    default:
      throw new RangeError(
        `endpoint.type: must be "tcp" or "unix", got ${
          JSON.stringify((endpoint as { type?: unknown })?.type)
        }`,
      );
  }
}

async function openTcp(e: TcpListenEndpoint, options: OpenListenerOptions): Promise<OpenListener> {
  const port = e.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`endpoint.port: must be an integer 0-65535, got ${port}`);
  }
  if (e.backlog !== undefined && (!Number.isInteger(e.backlog) || e.backlog < 1)) {
    throw new RangeError(`endpoint.backlog: must be a positive integer, got ${e.backlog}`);
  }
  const hostname = e.hostname ?? "0.0.0.0";
  const common = {
    transport: "tcp" as const,
    hostname,
    port,
    ...(e.reusePort ? { reusePort: true } : {}),
    ...(e.backlog !== undefined ? { tcpBacklog: e.backlog } : {}),
  };
  let listener: Deno.Listener;
  if (e.tls) {
    const creds = await loadTlsCredentials(e.tls, { baseDir: options.baseDir });
    try {
      listener = Deno.listenTls({
        ...common,
        ...creds,
        ...(e.alpnProtocols ? { alpnProtocols: e.alpnProtocols } : {}),
      });
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse || err instanceof Deno.errors.PermissionDenied) {
        throw err;
      }
      throw new Error(
        `TLS key ${describeTlsSource(e.tls.key, options.baseDir)} / certificate ` +
          `${describeTlsSource(e.tls.certificate, options.baseDir)}: not usable: ${
            err instanceof Error ? err.message : String(err)
          }`,
      );
    }
  } else {
    listener = Deno.listen(common);
  }
  const addr = listener.addr as Deno.NetAddr;
  const v6 = addr.hostname.includes(":");
  const address = v6
    ? `tcp6:[${addr.hostname}]:${addr.port}`
    : `tcp4:${addr.hostname}:${addr.port}`;
  return {
    listener,
    address,
    port: addr.port,
    tls: e.tls !== undefined,
    close() {
      closeQuietly(listener);
      return Promise.resolve();
    },
  };
}

async function openUnix(
  e: UnixListenEndpoint,
  options: OpenListenerOptions,
): Promise<OpenListener> {
  const mode = e.mode ?? DEFAULT_UNIX_SOCKET_MODE;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new RangeError(`endpoint.mode: must be a file mode 0-0o777, got ${e.mode}`);
  }
  const path = resolveUnixSocketPath(e.path, options.baseDir);
  const found = await prepareUnixSocketPath(path);
  if (found === "replaced-stale") {
    options.logger?.log("warn", "removed a stale unix socket file left by a previous process", {
      path,
      transportId: options.transportId,
    });
  }
  const umask = (Deno as unknown as { umask?: Umask }).umask;
  let old: number | undefined;
  try {
    // Bind with no permission beyond `mode`: the file never exists wider.
    old = umask?.(0o777 & ~mode);
  } catch {
    old = undefined; // no umask on this platform
  }
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ transport: "unix", path });
  } finally {
    if (old !== undefined) umask?.(old);
  }
  let id: SocketFileId | undefined;
  try {
    await Deno.chmod(path, mode);
    id = await socketFileId(path);
  } catch (err) {
    closeQuietly(listener);
    await removeUnixSocket(path, undefined).catch(() => false);
    throw new Error(
      `unix socket "${path}": cannot set mode ${mode.toString(8).padStart(4, "0")}: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  let closed: Promise<void> | undefined;
  return {
    listener,
    address: `unix:${path}`,
    port: 0,
    tls: false,
    close() {
      closed ??= (async () => {
        closeQuietly(listener);
        await removeUnixSocket(path, id).catch(() => false);
      })();
      return closed;
    },
  };
}

function closeQuietly(listener: Deno.Listener): void {
  try {
    listener.close();
  } catch {
    // already closed
  }
}
