/**
 * `xbar worker` (hidden): the worker process the controller spawns. Not for
 * people: its stdin/stdout carry the frame channel to the controller.
 *
 * @module
 */

import { runWorker, type WorkerHostFactory, type WorkerKind } from "../src/worker/worker_main.ts";
import type { LogLevel } from "../src/log/logger.ts";
import { ExitCode, logFormatOf, logLevelOf, out, parseCommand, UsageError } from "./_options.ts";

/** Help of `xbar worker`. */
export const WORKER_HELP =
  `Usage: xbar worker --type router|container|guest --id <id> --dir <dir> [--loglevel L] [--logformat F] [--title T]

Internal: a worker process, spawned by the node controller ("xbar start").
Its stdin and stdout carry WAMP frames to the controller; do not run it by hand.`;

/** Each kind's host module, imported by the worker of that kind only (start-up time). */
const HOSTS: Record<WorkerKind, () => Promise<WorkerHostFactory>> = {
  router: async () => (await import("../src/worker/router_worker.ts")).routerWorkerHost,
  container: async () => (await import("../src/worker/container_worker.ts")).containerWorkerHost,
  guest: async () => (await import("../src/worker/guest_worker.ts")).guestWorkerHost,
};

function workerLevel(level: LogLevel | "none"): LogLevel {
  if (level === "none") throw new UsageError("--loglevel none is for xbar start, not for a worker");
  return level;
}

/** Runs `xbar worker`. Resolves with the exit code. */
export async function worker(args: string[]): Promise<number> {
  const v = parseCommand(args, {
    type: { type: "string" },
    id: { type: "string" },
    dir: { type: "string" },
    loglevel: { type: "string" },
    logformat: { type: "string" },
    color: { type: "string" },
    title: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    out(WORKER_HELP);
    return ExitCode.OK;
  }
  const kind = v.type as WorkerKind;
  if (!(kind in HOSTS)) {
    throw new UsageError(
      `--type: must be router, container or guest, got ${JSON.stringify(v.type)}`,
    );
  }
  if (typeof v.id !== "string" || typeof v.dir !== "string") {
    throw new UsageError("--id and --dir are required");
  }
  // The host module loads while the worker joins the controller.
  const host = HOSTS[kind]();
  host.catch(() => {}); // awaited in create(); a failure surfaces there
  if (typeof v.title === "string") {
    (await import("../src/node/process_title.ts")).setProcessTitle(v.title);
  }
  return await runWorker({
    kind,
    id: v.id,
    nodeDir: v.dir,
    logLevel: workerLevel(logLevelOf(v.loglevel)),
    logFormat: logFormatOf(v.logformat),
    logColor: v.color === "true",
    create: async (ctx) => (await host)(ctx),
  });
}
