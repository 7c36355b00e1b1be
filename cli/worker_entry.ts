/**
 * Entry module of worker processes under `deno run` (source checkouts): the
 * same as `xbar worker <args>`, with a module graph of its own. Deno prepares
 * an entry's whole graph, statically analyzable dynamic imports included,
 * before it runs a line; from `xbar.ts` a worker would prepare the
 * controller and every command and worker kind too. Here the kind's host is
 * imported with `importLater`, so a router worker prepares only the router
 * host's graph, when it imports it. The compiled executable
 * (and the launcher standing in for it) runs `xbar worker` (`worker.ts`).
 *
 * @module
 */

import { runWorkerCommand, type WorkerHostLoader } from "./_worker_command.ts";
import { ExitCode, UsageError } from "./_command_basics.ts";
import { thisExecutable } from "../src/worker/executable.ts";
import { importLater } from "../src/import_later.ts";

/** Imports a kind's host with `importLater` (not prepared up front). */
export const lazyHosts: WorkerHostLoader = async (kind, preload) => {
  switch (kind) {
    case "router": {
      const m = await importLater<typeof import("../src/worker/router_worker.ts")>(
        new URL("../src/worker/router_worker.ts", import.meta.url),
      );
      m.preloadTransports(preload);
      return m.routerWorkerHost;
    }
    case "container":
      return (await importLater<typeof import("../src/worker/container_worker.ts")>(
        new URL("../src/worker/container_worker.ts", import.meta.url),
      )).containerWorkerHost;
    case "guest":
      return (await importLater<typeof import("../src/worker/guest_worker.ts")>(
        new URL("../src/worker/guest_worker.ts", import.meta.url),
      )).guestWorkerHost;
  }
};

if (import.meta.main) {
  thisExecutable(); // as xbar.ts does: read (and clear) XBAR_LAUNCHER before spawning anything
  let code: number;
  try {
    code = await runWorkerCommand(Deno.args, lazyHosts);
  } catch (e) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`xbar worker: ${e instanceof Error ? e.message : String(e)}\n`),
    );
    code = e instanceof UsageError ? ExitCode.USAGE : ExitCode.ERROR;
  }
  Deno.exit(code);
}
