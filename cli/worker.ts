/**
 * `xbar worker` (hidden): the worker process the controller spawns from the
 * compiled executable (or the launcher standing in for it). Not for people:
 * its stdin/stdout carry the frame channel to the controller.
 *
 * The hosts are imported with literal specifiers so that the compiled
 * executable's graph has them. Under `deno run`, worker processes start
 * from `worker_entry.ts` instead (a smaller module graph to prepare).
 *
 * @module
 */

import { runWorkerCommand, type WorkerHostLoader } from "./_worker_command.ts";

export { WORKER_HELP } from "./_worker_command.ts";

/** Each kind's host module, imported by the worker of that kind only (start-up time). */
const HOSTS: WorkerHostLoader = async (kind, preload) => {
  switch (kind) {
    case "router": {
      const m = await import("../src/worker/router_worker.ts");
      m.preloadTransports(preload);
      return m.routerWorkerHost;
    }
    case "container":
      return (await import("../src/worker/container_worker.ts")).containerWorkerHost;
    case "guest":
      return (await import("../src/worker/guest_worker.ts")).guestWorkerHost;
  }
};

/** Runs `xbar worker`. Resolves with the exit code. */
export function worker(args: string[]): Promise<number> {
  return runWorkerCommand(args, HOSTS);
}
