/**
 * Unix domain socket files for listening endpoints: resolving the path
 * against the node directory, checking the length limit, finding a socket
 * file left behind by a killed process (and replacing it) versus one a live
 * process still serves, applying the file mode, and removing the file on
 * shutdown (only if it is still ours).
 *
 * @module
 */

import { isAbsolute, resolve } from "../posix_path.ts";

/**
 * Longest socket path in UTF-8 octets: `sun_path` is 108 octets on Linux,
 * including the terminating NUL.
 */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

/**
 * The absolute path of a socket: `path` as is when absolute, else resolved
 * against `baseDir` (the node directory; default: the working directory).
 *
 * @throws RangeError when the resulting path is empty or longer than 107 octets
 */
export function resolveUnixSocketPath(path: string, baseDir?: string): string {
  if (path === "") throw new RangeError("unix socket path: must not be empty");
  const full = isAbsolute(path) ? resolve(path) : resolve(baseDir ?? Deno.cwd(), path);
  const bytes = new TextEncoder().encode(full).length;
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES) {
    throw new RangeError(
      `unix socket path "${full}" is ${bytes} bytes long; the system limit is ` +
        `${MAX_UNIX_SOCKET_PATH_BYTES} bytes (use a shorter path or node directory)`,
    );
  }
  return full;
}

/** What `prepareUnixSocketPath` found at the path. */
export type PreparedSocketPath = "free" | "replaced-stale";

/**
 * Makes `path` ready to listen on. Nothing there: `"free"`. A socket file
 * that refuses connections (left by a killed process): removed,
 * `"replaced-stale"`. A socket that accepts a connection: throws
 * `Deno.errors.AddrInUse` ("already in use"). Anything else (a regular file,
 * a directory): throws `Deno.errors.AlreadyExists`, and the file is left alone.
 */
export async function prepareUnixSocketPath(path: string): Promise<PreparedSocketPath> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "free";
    throw err;
  }
  if (!info.isSocket) {
    throw new Deno.errors.AlreadyExists(
      `unix socket path "${path}" exists and is not a socket; not removing it`,
    );
  }
  let probe: Deno.UnixConn;
  try {
    probe = await Deno.connect({ transport: "unix", path });
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) {
      try {
        await Deno.remove(path);
      } catch (removeErr) {
        if (!(removeErr instanceof Deno.errors.NotFound)) throw removeErr;
      }
      return "replaced-stale";
    }
    if (err instanceof Deno.errors.NotFound) return "free";
    throw err;
  }
  probe.close();
  throw new Deno.errors.AddrInUse(`unix socket "${path}" is already in use by a running process`);
}

/** Identity of a socket file (device and inode), to remove only our own file later. */
export interface SocketFileId {
  /** Device. */
  dev: number;
  /** Inode. */
  ino: number | null;
}

/** The identity of the file at `path`, or undefined when it cannot be read. */
export async function socketFileId(path: string): Promise<SocketFileId | undefined> {
  try {
    const info = await Deno.lstat(path);
    return { dev: info.dev, ino: info.ino };
  } catch {
    return undefined;
  }
}

/**
 * Removes the socket file at `path` if it is still the one identified by
 * `id` (another process may have replaced it since). Returns true when a file
 * was removed; never throws for a file that is already gone.
 */
export async function removeUnixSocket(
  path: string,
  id: SocketFileId | undefined,
): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch {
    return false;
  }
  if (!info.isSocket) return false;
  if (id !== undefined && (info.dev !== id.dev || info.ino !== id.ino)) return false;
  try {
    await Deno.remove(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
