/**
 * Watches directories (recursively) and reports changes, at most once per
 * change burst: the guest worker `watch` option (Crossbar's) restarts the
 * guest when files in its watched directories change.
 *
 * @module
 */

/** A running watch. */
export interface DirWatch {
  /** Stops watching. Idempotent. */
  close(): void;
}

/**
 * Calls `onChange(paths)` when something in `dirs` is created, modified or
 * removed; events within `quietMs` of the first are folded into that call.
 * Throws when a directory cannot be watched.
 */
export function watchDirectories(
  dirs: string[],
  onChange: (paths: string[]) => void,
  quietMs = 100,
): DirWatch {
  const watcher = Deno.watchFs(dirs, { recursive: true });
  let pending: Set<string> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  (async () => {
    try {
      for await (const ev of watcher) {
        if (ev.kind === "access" || ev.kind === "other") continue;
        if (pending) {
          for (const p of ev.paths) pending.add(p);
          continue;
        }
        pending = new Set(ev.paths);
        timer = setTimeout(() => {
          const paths = [...pending!];
          pending = undefined;
          if (!closed) onChange(paths);
        }, quietMs);
      }
    } catch {
      // closed
    }
  })();
  return {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // already closed
      }
    },
  };
}
