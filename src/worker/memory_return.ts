/**
 * Gives memory that a worker process freed back to the operating system once
 * its resident size has stopped growing.
 *
 * Deno's native side (per-connection state, buffers) and V8's compiler
 * threads allocate with glibc's malloc, which keeps freed memory in its
 * arenas: after a burst of connections or of compilation, the process's RSS
 * stays at the burst's peak although most of it is free (measured: ~4 MB of
 * the ~19 MB that the first 1,000 idle WebSocket sessions cost a router
 * worker, `deno task bench --memory`). `malloc_trim(0)` hands every free
 * page of every arena back (madvise MADV_DONTNEED); the memory stays mapped
 * and is reused on demand.
 *
 * When: the RSS is sampled every `intervalMs`; when it grew by at least
 * `minGrowthBytes` since the last trim and then held still (within
 * `minGrowthBytes`) for one interval, the process is past a burst and the
 * trim runs — so a steady process trims never, a busy one not while it
 * grows, and an idle one after a burst within two intervals. The trim runs
 * on a blocking thread (`nonblocking` FFI call), not on the event loop.
 *
 * Where glibc's `malloc_trim` is not available (not Linux, or no FFI
 * permission), `libcTrim()` is `undefined` and nothing is started; where
 * the C library cannot be opened, the first trim fails and sampling stops.
 *
 * @module
 */

/** Options of `MemoryReturn`. */
export interface MemoryReturnOptions {
  /** The process's resident set size in bytes. */
  rss: () => number;
  /** Gives free memory back; resolves when done. */
  trim: () => Promise<void>;
  /** Milliseconds between samples. Default 1000. */
  intervalMs?: number;
  /** Growth (and stillness) threshold in bytes. Default 2 MiB. */
  minGrowthBytes?: number;
  /** Told after each trim: RSS before and after, in bytes. */
  onTrim?: (before: number, after: number) => void;
  /** Told when a trim failed; sampling has stopped. */
  onFailure?: (err: unknown) => void;
}

/** Samples the RSS and trims after growth; `stop()` ends it. The timer does not keep the process alive. */
export class MemoryReturn {
  /** Trims done. */
  trims = 0;
  /** Bytes the trims took off the RSS (sum of before - after, when positive). */
  returnedBytes = 0;
  #o: MemoryReturnOptions;
  #min: number;
  #timer: ReturnType<typeof setInterval>;
  /** RSS after the last trim (or at start). */
  #floor: number;
  /** RSS at the previous sample. */
  #last: number;
  #trimming = false;
  #stopped = false;

  /** Starts sampling. */
  constructor(options: MemoryReturnOptions) {
    this.#o = options;
    this.#min = options.minGrowthBytes ?? 2 * 1024 * 1024;
    this.#floor = this.#last = options.rss();
    this.#timer = setInterval(() => this.sampleNow(), options.intervalMs ?? 1000);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops sampling. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Takes one sample (and trims when due); the timer calls it every `intervalMs`. */
  sampleNow(): void {
    if (this.#trimming || this.#stopped) return;
    const now = this.#o.rss();
    const grew = now - this.#floor >= this.#min;
    const still = Math.abs(now - this.#last) < this.#min;
    this.#last = now;
    if (now < this.#floor) this.#floor = now;
    if (!grew || !still) return;
    this.#trimming = true;
    this.#o.trim().then(
      () => {
        const after = this.#o.rss();
        this.trims++;
        if (now > after) this.returnedBytes += now - after;
        this.#floor = this.#last = after;
        this.#o.onTrim?.(now, after);
      },
      (err) => {
        // Cannot trim here (e.g. no glibc): stop looking.
        this.stop();
        this.#o.onFailure?.(err);
      },
    ).finally(() => (this.#trimming = false));
  }
}

/**
 * glibc's `malloc_trim(0)` on a blocking thread, or `undefined` where it
 * cannot be called (not Linux, no FFI permission). The library is opened on
 * the first call (~1 ms, kept off start-up); the returned promise rejects
 * when it cannot be (no glibc).
 */
export function libcTrim(): (() => Promise<void>) | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  } catch {
    return undefined;
  }
  let trim: (() => Promise<number>) | undefined;
  return async () => {
    if (trim === undefined) {
      const lib = Deno.dlopen("libc.so.6", {
        malloc_trim: { parameters: ["usize"], result: "i32", nonblocking: true },
      });
      trim = () => lib.symbols.malloc_trim(0n);
    }
    await trim();
  };
}

/** The process's resident set size in bytes. */
export function processRss(): number {
  return Deno.memoryUsage().rss;
}

/** Starts a `MemoryReturn` with glibc's trim where it is available; `undefined` elsewhere. */
export function startMemoryReturn(
  options: Omit<MemoryReturnOptions, "rss" | "trim"> = {},
): MemoryReturn | undefined {
  const trim = libcTrim();
  if (trim === undefined) return undefined;
  return new MemoryReturn({ rss: processRss, trim, ...options });
}
