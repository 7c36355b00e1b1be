/**
 * `node.pid` in the node directory: one node per directory. The file holds
 * JSON (`{"pid": 1234, "socket": "/abs/node.sock", "started": "...", ...}`) and
 * is created exclusively, so two nodes starting at once cannot both win. A
 * file whose process is gone (or is no longer an xbar node: the pid was
 * reused) is stale and replaced.
 *
 * @module
 */

/** What `node.pid` records about a running node. */
export interface PidRecord {
  /** The controller's process id. */
  pid: number;
  /** The management socket (absolute path). */
  socket: string;
  /** When the node started (ISO 8601). */
  started: string;
  /** The node directory (absolute). */
  dir: string;
  /** xbar version. */
  version?: string;
}

/** Thrown by `acquirePidFile` when a live node owns the directory. */
export class NodeRunningError extends Error {
  /** The live node. */
  readonly record: PidRecord;
  /** @param record the live node's pid record */
  constructor(record: PidRecord) {
    super(`a node is already running from "${record.dir}" (pid ${record.pid})`);
    this.name = "NodeRunningError";
    this.record = record;
  }
}

/**
 * True when process `pid` exists and looks like an xbar node. On Linux the
 * command line is checked (a reused pid of some other program is not a
 * node); elsewhere any live process counts.
 */
export function isNodeProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false; // zombie or dead
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return cmdline.some((a) => /xbar/.test(a)) && !cmdline.includes("worker");
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    // no /proc (macOS, BSD): ask the kernel whether the pid exists
    try {
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
}

/** Reads `path`; `undefined` when there is no file or it cannot be parsed. */
export async function readPidFile(path: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  try {
    const v = JSON.parse(text);
    if (typeof v === "object" && v !== null && Number.isInteger(v.pid)) return v as PidRecord;
  } catch {
    // Crossbar writes JSON too; a bare number is accepted below
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) ? { pid, socket: "", started: "", dir: "" } : undefined;
}

/** The live node recorded in `path`, or `undefined` (no file, or a stale one). */
export async function runningNode(path: string): Promise<PidRecord | undefined> {
  const rec = await readPidFile(path);
  return rec && isNodeProcess(rec.pid) ? rec : undefined;
}

/**
 * Writes `record` to `path` exclusively. A stale file is removed first (and
 * `onStale` told); a live node's file makes it throw `NodeRunningError`.
 */
export async function acquirePidFile(
  path: string,
  record: PidRecord,
  onStale?: (stale: PidRecord | undefined) => void,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(record, null, 2) + "\n", { createNew: true });
      return;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    const existing = await readPidFile(path);
    if (existing && isNodeProcess(existing.pid) && existing.pid !== Deno.pid) {
      throw new NodeRunningError({ ...existing, dir: existing.dir || record.dir });
    }
    onStale?.(existing);
    try {
      await Deno.remove(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const existing = await readPidFile(path);
  throw new NodeRunningError(existing ?? record);
}

/** Removes `path` if it still records this process. */
export async function releasePidFile(path: string): Promise<void> {
  const rec = await readPidFile(path).catch(() => undefined);
  if (rec?.pid !== Deno.pid) return;
  try {
    await Deno.remove(path);
  } catch {
    // already gone
  }
}
