/**
 * Process statistics for the management API (`get_process_stats`).
 *
 * @module
 */

/** Statistics of one process. */
export interface ProcessStats {
  /** Process id. */
  pid: number;
  /** Seconds since the process started. */
  uptime: number;
  /** Resident set size in bytes. */
  rss: number;
  /** V8 heap in use, in bytes. */
  heap_used: number;
  /** V8 heap allocated, in bytes. */
  heap_total: number;
  /** Memory outside the V8 heap (buffers), in bytes. */
  external: number;
  /** CPU seconds in user mode (Linux; absent elsewhere). */
  cpu_user?: number;
  /** CPU seconds in kernel mode (Linux; absent elsewhere). */
  cpu_system?: number;
  /** Open file descriptors (Linux; absent elsewhere). */
  fds?: number;
  /** Times a worker gave freed memory back to the OS (`memory_return.ts`; workers on glibc only). */
  memory_trims?: number;
  /** Bytes those trims took off the RSS. */
  memory_returned?: number;
}

/** This process's statistics. */
export function processStats(): ProcessStats {
  const m = Deno.memoryUsage();
  const out: ProcessStats = {
    pid: Deno.pid,
    uptime: Math.round(performance.now()) / 1000,
    rss: m.rss,
    heap_used: m.heapUsed,
    heap_total: m.heapTotal,
    external: m.external,
  };
  Object.assign(out, linuxStats("self"));
  return out;
}

/** CPU times and open files of process `pid` from /proc (Linux), or nothing. */
export function linuxStats(pid: number | "self"): Partial<ProcessStats> {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // fields after the command name (which may contain spaces) start at ") "
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = 100; // USER_HZ on Linux
    const out: Partial<ProcessStats> = {
      cpu_user: Number(f[11]) / ticks,
      cpu_system: Number(f[12]) / ticks,
    };
    try {
      let n = 0;
      for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
      out.fds = n;
    } catch {
      // not readable: leave it out
    }
    if (pid !== "self") out.rss = Number(f[21]) * 4096;
    return out;
  } catch {
    return {};
  }
}
