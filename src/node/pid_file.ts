/**
 * `node.pid` in the node directory: one node per directory. The file holds
 * JSON (`{"pid": 1234, "socket": "/abs/node.sock", "started": "...", ...}`) and
 * is created exclusively, so two nodes starting at once cannot both win. A
 * file whose process is gone is stale and replaced.
 *
 * Whether the recorded process is still the node that wrote the file is
 * decided by what cannot be faked by names: on Linux the file records the
 * process's start time (`/proc/<pid>/stat`, clock ticks since boot) and the
 * boot id, and the node is live exactly when a process with that pid, start
 * time and boot runs (a reused pid has another start time). A renamed
 * executable or a node directory called `worker` changes nothing. Without
 * `/proc` (macOS, BSD), or for a file without a start time (written by
 * something else), any live process with that pid counts: a pid file is never
 * removed while its process might be the node.
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
  /** The controller's start time in clock ticks after boot (`/proc/<pid>/stat` field 22; Linux). */
  start_ticks?: number;
  /** `/proc/sys/kernel/random/boot_id` when the node started (Linux). */
  boot_id?: string;
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

/** How the kernel tells one process from every other, ever (Linux). */
export interface ProcessIdentity {
  /** Start time in clock ticks after boot. */
  startTicks: number;
  /** The boot it started in. */
  bootId: string;
}

/**
 * The identity of process `pid` (Linux): `undefined` when it does not exist
 * or is a zombie; `null` when this system has no `/proc` to ask.
 */
export function processIdentity(pid: number): ProcessIdentity | undefined | null {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return hasProc() ? undefined : null;
    return null;
  }
  // fields after the command name (which may itself contain ") "): state is field 3, starttime field 22
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  const startTicks = Number(fields[19]);
  if (!Number.isSafeInteger(startTicks)) return null;
  return { startTicks, bootId: bootId() ?? "" };
}

function hasProc(): boolean {
  try {
    return Deno.statSync("/proc/self/stat").isFile;
  } catch {
    return false;
  }
}

function bootId(): string | undefined {
  try {
    return Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
  } catch {
    return undefined;
  }
}

/** True when process `pid` exists (not asking `/proc`: `kill -0`). */
function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.kill(pid, "SIGCONT"); // harmless to a running process; ESRCH when there is none
    return true;
  } catch (err) {
    return err instanceof Deno.errors.PermissionDenied; // someone else's process
  }
}

/** What this process writes into `node.pid` to be recognised later (Linux: start time and boot id). */
export function ownIdentity(): Pick<PidRecord, "start_ticks" | "boot_id"> {
  const id = processIdentity(Deno.pid);
  return id ? { start_ticks: id.startTicks, boot_id: id.bootId } : {};
}

/**
 * True when the node `record` describes is still running: the same pid,
 * start time and boot (Linux, when the record has a start time), else a live
 * process with that pid.
 */
export function isLiveNode(record: PidRecord): boolean {
  const id = processIdentity(record.pid);
  if (id === undefined) return false;
  if (id === null) return processExists(record.pid);
  if (record.start_ticks === undefined) return true;
  return id.startTicks === record.start_ticks &&
    (record.boot_id === undefined || id.bootId === "" || id.bootId === record.boot_id);
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
  return rec && isLiveNode(rec) ? rec : undefined;
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
    if (existing && existing.pid !== Deno.pid && isLiveNode(existing)) {
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
