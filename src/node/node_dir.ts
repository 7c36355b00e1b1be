/**
 * The node directory (default `.crossbar`) and the files the node keeps in
 * it: the config (`config.yaml`, else `config.json`), `node.pid`, the node
 * key (`key.priv`, `key.pub`), the management socket `node.sock` and, with
 * `--logtofile`, `node.log`.
 *
 * @module
 */

import { join, resolve } from "node:path";

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

/** The paths of node directory `dir` (made absolute against the working directory). */
export function nodePaths(dir: string): NodePaths {
  const abs = resolve(dir);
  let socket = join(abs, "node.sock");
  if (new TextEncoder().encode(socket).length > MAX_SOCKET_PATH) {
    const tmp = Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.env.get("TMPDIR") ?? "/tmp";
    socket = join(tmp, `xbar-${fnv1a(abs)}.sock`);
  }
  return { dir: abs, pidFile: join(abs, "node.pid"), socket, logFile: join(abs, "node.log") };
}
