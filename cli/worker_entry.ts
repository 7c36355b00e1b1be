/**
 * Entry module of worker processes under `deno run` (source checkouts): the
 * same as `xbar worker <args>`, with a module graph of its own. Deno prepares
 * an entry's whole graph, statically analyzable dynamic imports included,
 * before it runs a line; from `xbar.ts` a worker would prepare the
 * controller and every command and worker kind too. Here the kind's host is
 * imported by a specifier Deno does not analyze, so a router worker prepares
 * only the router host's graph, when it imports it. The compiled executable
 * (and the launcher standing in for it) runs `xbar worker` (`worker.ts`).
 *
 * @module
 */

import { runWorkerCommand, type WorkerHostLoader } from "./_worker_command.ts";
import { err, ExitCode, UsageError } from "./_options.ts";
import { thisExecutable } from "../src/worker/executable.ts";

/** Each kind's host module, relative to this file, and its factory's export name. */
export const WORKER_HOST_MODULES = {
  router: ["../src/worker/router_worker.ts", "routerWorkerHost"],
  container: ["../src/worker/container_worker.ts", "containerWorkerHost"],
  guest: ["../src/worker/guest_worker.ts", "guestWorkerHost"],
} as const;

/** Imports a kind's host by a URL computed at run time (not prepared up front). */
export const lazyHosts: WorkerHostLoader = async (kind) => {
  const [path, name] = WORKER_HOST_MODULES[kind];
  const mod = await import(new URL(path, import.meta.url).href);
  return mod[name];
};

if (import.meta.main) {
  thisExecutable(); // as xbar.ts does: read (and clear) XBAR_LAUNCHER before spawning anything
  let code: number;
  try {
    code = await runWorkerCommand(Deno.args, lazyHosts);
  } catch (e) {
    err(`xbar worker: ${e instanceof Error ? e.message : String(e)}`);
    code = e instanceof UsageError ? ExitCode.USAGE : ExitCode.ERROR;
  }
  Deno.exit(code);
}
