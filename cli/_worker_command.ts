/**
 * The body of `xbar worker` (hidden): parses its command line and runs the
 * worker, with the worker kind's host module coming from a loader the entry
 * chooses (`worker.ts` for `xbar worker`, `worker_entry.ts` under
 * `deno run`). Not for people: stdin/stdout carry the frame channel to the
 * controller.
 *
 * @module
 */

import { runWorker, type WorkerHostFactory, type WorkerKind } from "../src/worker/worker_main.ts";
import type { LogLevel } from "../src/log/logger.ts";
import { ExitCode, logFormatOf, logLevelOf, UsageError } from "./_command_basics.ts";

/** Help of `xbar worker`. */
export const WORKER_HELP =
  `Usage: xbar worker --type router|container|guest --id <id> --dir <dir> [--loglevel L] [--logformat F] [--title T] [--preload types] [--boot stdin]

Internal: a worker process, spawned by the node controller ("xbar start").
Its stdin and stdout carry WAMP frames to the controller; do not run it by hand.`;

/**
 * Loads the host module of a worker kind (imported by the worker of that kind
 * only). `preload`: transport types a router worker will start (`--preload`),
 * whose modules the loader starts importing once the host is loaded.
 */
export type WorkerHostLoader = (
  kind: WorkerKind,
  preload: readonly string[],
) => Promise<WorkerHostFactory>;

const KINDS: readonly string[] = ["router", "container", "guest"];

const VALUED = new Set([
  "type",
  "id",
  "dir",
  "loglevel",
  "logformat",
  "color",
  "title",
  "preload",
  "boot",
]);

/**
 * Parses a worker's command line (`--name value`, `--name=value`, `-h`,
 * `--help`; strict, no positionals) without `node:util`: see
 * `_command_basics.ts` for why the worker does not import `node:` modules.
 * Throws `UsageError`.
 */
export function parseWorkerArgs(args: string[]): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") {
      values.help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUED.has(name)) throw new UsageError(`Unknown option '--${name}'`);
    if (eq >= 0) {
      values[name] = arg.slice(eq + 1);
    } else if (i + 1 < args.length) {
      values[name] = args[++i];
    } else {
      throw new UsageError(`Option '--${name} <value>' argument missing`);
    }
  }
  return values;
}

function workerLevel(level: LogLevel | "none"): LogLevel {
  if (level === "none") throw new UsageError("--loglevel none is for xbar start, not for a worker");
  return level;
}

/** Runs `xbar worker <args>`, loading the kind's host with `hosts`. Resolves with the exit code. */
export async function runWorkerCommand(args: string[], hosts: WorkerHostLoader): Promise<number> {
  const v = parseWorkerArgs(args);
  if (v.help) {
    Deno.stdout.writeSync(new TextEncoder().encode(WORKER_HELP + "\n"));
    return ExitCode.OK;
  }
  if (typeof v.type !== "string" || !KINDS.includes(v.type)) {
    throw new UsageError(
      `--type: must be router, container or guest, got ${JSON.stringify(v.type)}`,
    );
  }
  const kind = v.type as WorkerKind;
  if (v.boot !== undefined && v.boot !== "stdin") {
    throw new UsageError(`--boot: must be stdin, got ${JSON.stringify(v.boot)}`);
  }
  if (typeof v.id !== "string" || typeof v.dir !== "string") {
    throw new UsageError("--id and --dir are required");
  }
  // The host module loads while the worker joins the controller.
  const preload = typeof v.preload === "string" ? v.preload.split(",").filter((t) => t !== "") : [];
  const host = hosts(kind, preload);
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
    boot: v.boot === "stdin",
  });
}
