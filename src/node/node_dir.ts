/**
 * The node directory (default `.crossbar`) and the files the node keeps in
 * it: the config (`config.yaml`, else `config.json`), `node.pid`, the node
 * key (`key.priv`, `key.pub`), the management socket `node.sock`, each
 * router worker's link socket `link-<worker id>.sock` and, with
 * `--logtofile`, `node.log`.
 *
 * @module
 */

import { join, resolve } from "../posix_path.ts";

/** Longest Unix socket path the system accepts, in bytes. */
const MAX_SOCKET_PATH = 107;

/** Paths of a node directory. */
export interface NodePaths {
  /** The directory (absolute). */
  dir: string;
  /** `node.pid`. */
  pidFile: string;
  /** The management socket (`node.sock`, or a short path under the temp directory when that is too long). */
  socket: string;
  /** `node.log`. */
  logFile: string;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function tooLong(path: string): boolean {
  return new TextEncoder().encode(path).length > MAX_SOCKET_PATH;
}

/** `name` under the runtime or temp directory (for socket paths too long in the node directory). */
function shortSocketPath(name: string): string {
  const tmp = Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.env.get("TMPDIR") ?? "/tmp";
  const path = join(tmp, name);
  return tooLong(path) ? join("/tmp", name) : path;
}

/** The paths of node directory `dir` (made absolute against the working directory). */
export function nodePaths(dir: string): NodePaths {
  const abs = resolve(dir);
  let socket = join(abs, "node.sock");
  if (tooLong(socket)) socket = shortSocketPath(`xbar-${fnv1a(abs)}.sock`);
  return { dir: abs, pidFile: join(abs, "node.pid"), socket, logFile: join(abs, "node.log") };
}

/**
 * The Unix socket router worker `workerId` accepts links on:
 * `link-<worker id>.sock` in the node directory, or, when that path is over
 * the system's 107-byte limit, `xbar-<hash of dir>-<hash of id>.sock` under
 * the runtime or temp directory (the socket's mode 0600 and the node key keep
 * other users out either way).
 */
export function linkSocketPath(dir: string, workerId: string): string {
  const abs = resolve(dir);
  const path = join(abs, `link-${workerId}.sock`);
  return tooLong(path) ? shortSocketPath(`xbar-${fnv1a(abs)}-${fnv1a(workerId)}.sock`) : path;
}
