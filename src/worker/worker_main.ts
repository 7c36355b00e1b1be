/**
 * The life of a worker process (the hidden `xbar worker` command): join the
 * controller's management realm over stdin/stdout, register the worker's
 * operations, tell the controller it is ready, and run until told to shut
 * down — or until the controller is gone (stdin EOF, or re-parented to
 * PID 1 after a SIGKILL of the controller): a worker never outlives its
 * controller.
 *
 * SIGINT is ignored (a Ctrl-C in a terminal reaches the whole process group;
 * the controller orchestrates the shutdown); SIGTERM shuts the worker down
 * gracefully.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import { ConsoleLogger, type LogFormat } from "../log/console_logger.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { stdioTransport } from "./stdio_transport.ts";
import {
  internalWorkerUri,
  MANAGEMENT_REALM,
  WORKER_READY,
  WorkerOp,
  type WorkerOpName,
} from "./management_uris.ts";
import { processStats } from "./process_stats.ts";
import { RecentWarnings, recordingWarnings } from "../log/recent_warnings.ts";
import { type MetricFamily, withLabels } from "../metrics/metric_family.ts";
import { processFamilies } from "../metrics/process_collector.ts";
import { type MemoryReturn, startMemoryReturn } from "./memory_return.ts";

/** Worker kinds. */
export type WorkerKind = "router" | "container" | "guest";

/** Milliseconds a worker waits for the controller to answer a `NodeChannel` call. */
export const NODE_CALL_TIMEOUT_MS = 5000;

/** What a concrete worker offers to the worker process. */
export interface WorkerHost {
  /** Its operations (positional arguments as called by the controller). */
  procedures: Partial<Record<WorkerOpName, (args: List) => unknown>>;
  /** Stops everything gracefully. */
  shutdown(): Promise<void>;
  /** Resolves with an exit code when the worker decides to end by itself (a guest exited, a container's shutdown mode). */
  ended?: Promise<number>;
  /** The worker's own metric families, besides its process's (`get_metrics`). */
  metrics?(): MetricFamily[];
  /** The worker's part of the node summary, besides its process and warnings (`get_summary`). */
  summary?(): Dict;
}

/** The controller as a worker reaches it: calls to node procedures over the management channel. */
export interface NodeChannel {
  /** Calls a node procedure (`xbar.get_metrics`, `xbar.get_summary`); resolves with its first result. */
  call(procedure: string, args?: List): Promise<unknown>;
}

/** What a worker is built with. */
export interface WorkerContext {
  /** Worker id. */
  id: string;
  /** Node directory. */
  nodeDir: string;
  /** The worker's logger (its warnings are kept for the status page). */
  logger: Logger;
  /** The controller (calls wait until the worker has joined it). */
  node: NodeChannel;
  /**
   * The boot config `xbar start` sent first on the worker's stdin (`--boot
   * stdin`): what a router worker starts before the controller's replay
   * (`router_boot.ts`). Absent: the worker waits for the replay.
   */
  boot?: unknown;
}

/**
 * Makes a worker's host: as soon as its boot config is in (at once without
 * one), while the worker joins the controller; its procedures are registered
 * once it has joined.
 */
export type WorkerHostFactory = (ctx: WorkerContext) => WorkerHost | Promise<WorkerHost>;

/** Options of `runWorker`. */
export interface RunWorkerOptions {
  /** Worker kind. */
  kind: WorkerKind;
  /** Worker id. */
  id: string;
  /** Node directory. */
  nodeDir: string;
  /** Log level. Default "info". */
  logLevel?: LogLevel;
  /** Log format. Default "text". */
  logFormat?: LogFormat;
  /** Colour text log lines. Default false. */
  logColor?: boolean;
  /** Builds the worker. */
  create: WorkerHostFactory;
  /**
   * The first frame on stdin is the worker's boot config (`--boot stdin`),
   * handed to `create` as `WorkerContext.boot` (null: none). Default false.
   */
  boot?: boolean;
  /** Milliseconds a graceful shutdown may take before the process exits anyway. Default 10000. */
  shutdownTimeoutMs?: number;
}

const KIND_LABEL: Record<WorkerKind, string> = {
  router: "Router",
  container: "Container",
  guest: "Guest",
};

/**
 * Sends everything `console.*` writes to the worker's log (stderr, with the
 * worker's prefix): stdout carries frames, so component code that logs with
 * `console.log` must not write there.
 */
export function guardStdout(logger: Logger): void {
  const text = (args: unknown[]) =>
    args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { colors: false })).join(" ");
  const info = (...args: unknown[]) => logger.log("info", text(args));
  console.log = info;
  console.info = info;
  console.debug = (...args: unknown[]) => logger.log("debug", text(args));
  console.dir = info;
  console.table = info;
  console.warn = (...args: unknown[]) => logger.log("warn", text(args));
  console.error = (...args: unknown[]) => logger.log("error", text(args));
}

/** Runs a worker process until it ends; resolves with the process exit code. */
export async function runWorker(options: RunWorkerOptions): Promise<number> {
  const warnings = new RecentWarnings();
  const logger = recordingWarnings(
    new ConsoleLogger({
      level: options.logLevel ?? "info",
      format: options.logFormat ?? "text",
      color: options.logColor === true,
      kind: KIND_LABEL[options.kind],
    }),
    warnings,
  );
  guardStdout(logger);
  const parentPid = Deno.ppid;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let shuttingDown = false;
  let host: WorkerHost | undefined;
  let session: Session | undefined;
  let memoryReturn: MemoryReturn | undefined;

  const shutdown = async (why: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log("info", "worker shutting down", { reason: why });
    const timer = setTimeout(() => {
      logger.log("warn", "graceful shutdown took too long; exiting");
      finish(code);
    }, options.shutdownTimeoutMs ?? 10000);
    try {
      await host?.shutdown();
    } catch (err) {
      logger.log("error", "worker shutdown failed", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (session?.isOpen) await session.leave().catch(() => {});
    clearTimeout(timer);
    finish(code);
  };

  const onSigint = () => {};
  const onSigterm = () => void shutdown("SIGTERM", 0);
  Deno.addSignalListener("SIGINT", onSigint);
  Deno.addSignalListener("SIGTERM", onSigterm);
  // Backup to stdin EOF: re-parented means the controller is gone.
  const orphanWatch = setInterval(() => {
    const ppid = Deno.ppid;
    if (ppid !== parentPid || ppid === 1) void shutdown("the controller is gone (re-parented)", 1);
  }, 500);

  // The host is made while the worker joins the controller (with a boot
  // config, a router worker starts listening without waiting for it); calls
  // to the controller wait for the join.
  let joined!: (s: Session) => void;
  const management = new Promise<Session>((resolve) => (joined = resolve));
  const node: NodeChannel = {
    call: async (procedure, args = []) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the controller did not answer ${procedure} in time`)),
          NODE_CALL_TIMEOUT_MS,
        );
      });
      try {
        return (await Promise.race([
          management.then((m) => m.call(procedure, args, {}, { timeout: NODE_CALL_TIMEOUT_MS })),
          late,
        ])).args[0];
      } finally {
        clearTimeout(timer);
      }
    },
  };
  let onBoot: ((value: unknown) => void) | undefined;
  const boot = options.boot
    ? new Promise<unknown>((resolve) => (onBoot = resolve))
    : Promise.resolve(undefined);
  const created = boot.then((b) =>
    options.create({
      id: options.id,
      nodeDir: options.nodeDir,
      logger,
      node,
      ...(b !== undefined && b !== null ? { boot: b } : {}),
    })
  );
  created.then((h) => {
    host = h;
    if (shuttingDown) void h.shutdown(); // shut down while it was being made
  }, () => {}); // a failure surfaces after the join

  try {
    session = await joinSession(stdioTransport({ first: onBoot }), MANAGEMENT_REALM, {
      authid: options.id,
      agent: `xbar-worker-${options.id}`,
      onerror: (err) => logger.log("error", "management handler failed", { error: String(err) }),
    });
    session.closed.then((info) => {
      if (!shuttingDown) {
        void shutdown(`the controller is gone (${info.details.message ?? info.reason})`, 1);
      }
    });
    joined(session);
    const h = host = await created;
    host.ended?.then((code) => void shutdown("the worker ended", code));
    // This process's statistics, with what it gave back to the OS (a guest
    // host answers with its program's instead).
    const ownStats = (): Dict => {
      const s = processStats() as unknown as Dict;
      if (memoryReturn !== undefined) {
        s.memory_trims = memoryReturn.trims;
        s.memory_returned = memoryReturn.returnedBytes;
      }
      return s;
    };
    const stats = (): Dict =>
      (h.procedures[WorkerOp.GET_PROCESS_STATS]?.([]) as Dict | undefined) ?? ownStats();
    const procedures: Partial<Record<WorkerOpName, (args: List) => unknown>> = {
      [WorkerOp.GET_PROCESS_STATS]: ownStats,
      [WorkerOp.GET_METRICS]: () => [
        ...withLabels(processFamilies(stats()), { process: "worker" }),
        ...(h.metrics?.() ?? []),
      ],
      [WorkerOp.GET_SUMMARY]: () => ({
        ...(h.summary?.() ?? {}),
        process: stats(),
        warnings: warnings.list(),
      }),
      ...host.procedures,
      [WorkerOp.SHUTDOWN]: () => {
        // answer first, then stop
        setTimeout(() => void shutdown("asked by the controller", 0), 0);
        return { id: options.id };
      },
    };
    // All at once, and `worker_ready` right behind them: one round trip over
    // the pipe, not one per procedure (start-up time). The router handles a
    // session's messages in order, so every procedure is registered when the
    // controller learns the worker is ready.
    const s = session;
    await Promise.all([
      ...Object.entries(procedures).map(([op, fn]) =>
        s.register(internalWorkerUri(options.id, op as WorkerOpName), (args) => fn(args))
      ),
      s.call(WORKER_READY, [{ id: options.id, type: options.kind, pid: Deno.pid }]),
    ]);
    logger.log("debug", "worker ready", { id: options.id, type: options.kind });
    // Past bursts (of connections, of compilation), free memory goes back to the OS.
    const mb = (n: number) => Math.round(n / 1e5) / 10;
    memoryReturn = startMemoryReturn({
      onTrim: (before, after) =>
        logger.log("debug", "freed memory returned to the OS", {
          rss_mb_before: mb(before),
          rss_mb_after: mb(after),
        }),
      onFailure: (err) =>
        logger.log("debug", "cannot return freed memory to the OS", {
          error: err instanceof Error ? err.message : String(err),
        }),
    });
  } catch (err) {
    if (!shuttingDown) {
      logger.log("error", "worker failed to start", {
        error: err instanceof Error ? err.message : String(err),
      });
      void shutdown("start failed", 1);
    }
  }

  const code = await finished;
  clearInterval(orphanWatch);
  memoryReturn?.stop();
  Deno.removeSignalListener("SIGINT", onSigint);
  Deno.removeSignalListener("SIGTERM", onSigterm);
  return code;
}
