/**
 * `xbar start`: runs the node controller in the foreground until SIGINT,
 * SIGTERM or `xbar stop`.
 *
 * @module
 */

import { join } from "../src/posix_path.ts";
import { ConsoleLogger } from "../src/log/console_logger.ts";
import type { Controller } from "../src/node/controller.ts";
import { type StartedWorkerProcess, startWorkerProcess } from "../src/node/worker_process.ts";
import { routerBootOf } from "../src/worker/router_boot.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import { adoptEarlyWorker, routerWorkerStart, startEarlyWorker } from "./_early_worker.ts";
import {
  acquirePidFile,
  NodeRunningError,
  ownIdentity,
  releasePidFile,
} from "../src/node/pid_file.ts";
import { XBAR_VERSION } from "../src/version.ts";
import { importLater } from "../src/import_later.ts";
import {
  colorOf,
  dirOf,
  err,
  EXIT_CODES_HELP,
  ExitCode,
  LOG_OPTIONS,
  LOG_OPTIONS_HELP,
  logFormatOf,
  logLevelOf,
  NODE_OPTIONS,
  NODE_OPTIONS_HELP,
  out,
  parseCommand,
  UsageError,
} from "./_options.ts";

/** Help of `xbar start`. */
export const START_HELP = `Usage: xbar start [options]

Starts a node from the node directory and runs it in the foreground: the
controller (this process) and its workers (router, container and guest
processes). With no config file in the node directory it runs the embedded
default: realm "realm1", anonymous role allowed everything, WebSocket on
ws://127.0.0.1:8080/ws. Stop it with Ctrl-C, SIGTERM or "xbar stop" (workers
get --shutdown-timeout to stop gracefully; a second Ctrl-C kills them at once).

Options:
${NODE_OPTIONS_HELP}
${LOG_OPTIONS_HELP}
      --shutdown-timeout <s>  seconds a worker gets to stop before SIGKILL (default 5)
      --shutdownafter <s>     stop the node by itself after this many seconds (Crossbar's option)

${EXIT_CODES_HELP}`;

const encoder = new TextEncoder();

/** Runs `xbar start`. Resolves with the exit code. */
export async function start(args: string[]): Promise<number> {
  const v = parseCommand(args, {
    ...NODE_OPTIONS,
    ...LOG_OPTIONS,
    "shutdown-timeout": { type: "string" },
    shutdownafter: { type: "string" },
  });
  if (v.help) {
    out(START_HELP);
    return ExitCode.OK;
  }
  const requestedLevel = logLevelOf(v.loglevel);
  const level = requestedLevel === "none" ? "error" : requestedLevel;
  const format = logFormatOf(v.logformat);
  const color = !v.logtofile && colorOf(v.color);
  if (v.logdir !== undefined && !v.logtofile) {
    throw new UsageError("--logdir: only with --logtofile (the log goes to stderr otherwise)");
  }
  const shutdownAfter = v.shutdownafter === undefined ? undefined : Number(v.shutdownafter);
  if (shutdownAfter !== undefined && !(Number.isFinite(shutdownAfter) && shutdownAfter > 0)) {
    throw new UsageError(
      `--shutdownafter: must be a positive number of seconds, got ${v.shutdownafter}`,
    );
  }
  const stopTimeout = v["shutdown-timeout"] === undefined ? 5 : Number(v["shutdown-timeout"]);
  if (!Number.isFinite(stopTimeout) || stopTimeout <= 0) {
    throw new UsageError(
      `--shutdown-timeout: must be a positive number of seconds, got ${v["shutdown-timeout"]}`,
    );
  }
  const paths = nodePaths(dirOf(v));
  try {
    await Deno.mkdir(paths.dir, { recursive: true });
  } catch (e) {
    err(
      `xbar: cannot create the node directory "${paths.dir}": ${
        e instanceof Error ? e.message : e
      }`,
    );
    return ExitCode.ERROR;
  }

  let write = (line: string) => {
    try {
      Deno.stderr.writeSync(encoder.encode(line + "\n"));
    } catch {
      // stderr gone
    }
  };
  let logFile: Deno.FsFile | undefined;
  if (requestedLevel === "none") write = () => {};
  else if (v.logtofile) {
    const file = typeof v.logdir === "string" ? join(v.logdir, "node.log") : paths.logFile;
    try {
      if (typeof v.logdir === "string") await Deno.mkdir(v.logdir, { recursive: true });
      logFile = await Deno.open(file, { append: true, create: true });
    } catch (e) {
      err(`xbar: cannot open the log file "${file}": ${e instanceof Error ? e.message : e}`);
      return ExitCode.ERROR;
    }
    const f = logFile;
    write = (line: string) => {
      try {
        f.writeSync(encoder.encode(line + "\n"));
      } catch {
        // disk full or file gone: nothing sensible to do with a log line
      }
    };
  }
  const logger = new ConsoleLogger({ kind: "Controller", level, format, color, write });
  // The terminal sees log lines unless they go to a file or nowhere: then a
  // failure to start is printed there once as well.
  const logsReachTerminal = requestedLevel !== "none" && !v.logtofile;

  // The first router worker's process boots while the config is checked
  // (start-up time, `_early_worker.ts`); the checks' modules are imported
  // with importLater for the same reason.
  let early = await startEarlyWorker({
    dir: paths.dir,
    config: typeof v.config === "string" ? v.config : undefined,
    logLevel: level,
    logFormat: format,
  });
  const [{ loadConfig }, { formatConfigError, sortedErrors }, { componentModuleRule }, {
    environmentRules,
  }] = await Promise.all([
    importLater<typeof import("../src/config/load_config.ts")>(
      new URL("../src/config/load_config.ts", import.meta.url),
    ),
    importLater<typeof import("../src/config/format.ts")>(
      new URL("../src/config/format.ts", import.meta.url),
    ),
    importLater<typeof import("../src/worker/component_check.ts")>(
      new URL("../src/worker/component_check.ts", import.meta.url),
    ),
    importLater<typeof import("../src/worker/environment_rules.ts")>(
      new URL("../src/worker/environment_rules.ts", import.meta.url),
    ),
  ]).catch((e) => {
    early?.discard();
    throw e;
  });
  const loaded = await loadConfig({
    dir: paths.dir,
    config: typeof v.config === "string" ? v.config : undefined,
    componentModule: componentModuleRule(paths.dir),
    environment: environmentRules(paths.dir),
  });
  for (const w of loaded.warnings) logger.log("warn", `config: ${formatConfigError(w)}`);
  if (!loaded.config) {
    early?.discard();
    err(
      `xbar: the config has ${loaded.errors.length} error${
        loaded.errors.length === 1 ? "" : "s"
      }; nothing started:`,
    );
    for (const e of sortedErrors(loaded.errors)) err(`  ${formatConfigError(e)}`);
    return ExitCode.ERROR;
  }
  const config = loaded.config;

  try {
    await acquirePidFile(paths.pidFile, {
      pid: Deno.pid,
      socket: paths.socket,
      started: new Date().toISOString(),
      dir: paths.dir,
      version: XBAR_VERSION,
      ...ownIdentity(),
    }, (stale) => {
      logger.log("warn", "removing a stale pid file", { file: paths.pidFile, pid: stale?.pid });
    });
  } catch (e) {
    early?.discard();
    if (e instanceof NodeRunningError) {
      err(`xbar: ${e.message}; stop it with: xbar stop --dir ${JSON.stringify(paths.dir)}`);
      return ExitCode.CONFLICT;
    }
    err(`xbar: cannot write "${paths.pidFile}": ${e instanceof Error ? e.message : e}`);
    return ExitCode.ERROR;
  }

  // Router workers boot (a Deno process each: the longest part of start-up)
  // while the controller loads and sets itself up; it adopts them at launch.
  const started = new Map<string, StartedWorkerProcess>();
  for (const w of config.workers) {
    if (w.type !== "router" || w.options.disabled) continue;
    const want = routerWorkerStart(w, { dir: paths.dir, logLevel: level, logFormat: format });
    if (early && early.options.id === w.id) {
      const adopted = adoptEarlyWorker(early, w, want);
      early = undefined;
      if (adopted) {
        started.set(w.id, adopted);
        continue;
      }
    }
    try {
      // it listens at once, without waiting for the controller
      started.set(w.id, startWorkerProcess({ ...want, boot: routerBootOf(w) }));
    } catch {
      // the controller spawns it at launch and reports why it cannot
    }
  }

  early?.discard(); // no enabled router worker of its id
  let controller: Controller | undefined;
  try {
    // Prepared and loaded while the router workers boot (importLater).
    const [{ Controller }, { loadOrCreateNodeKey }] = await Promise.all([
      importLater<typeof import("../src/node/controller.ts")>(
        new URL("../src/node/controller.ts", import.meta.url),
      ),
      importLater<typeof import("../src/node/node_key.ts")>(
        new URL("../src/node/node_key.ts", import.meta.url),
      ),
    ]);
    const key = await loadOrCreateNodeKey(paths.dir, (m) => logger.log("warn", m));
    if (key.created) logger.log("info", "node key created", { public_key: key.publicKey });
    const nodeId = config.controller.id ?? `node_${key.publicKey.slice(0, 8)}`;
    logger.log("info", "starting node", {
      node: nodeId,
      version: XBAR_VERSION,
      dir: paths.dir,
      config: loaded.file ?? "(embedded default config)",
      workers: config.workers.length,
    });
    controller = new Controller({
      nodeDir: paths.dir,
      config,
      configFile: loaded.file,
      logger,
      writeLogLine: write,
      logLevel: level,
      logFormat: format,
      logColor: color,
      socketPath: paths.socket,
      nodeId,
      publicKey: key.publicKey,
      privateKey: key.privateKey,
      version: XBAR_VERSION,
      workerStopTimeoutMs: stopTimeout * 1000,
      started,
    });
    const c = controller;
    const onSignal = (sig: string) => () => {
      if (c.shuttingDown) {
        logger.log("warn", `${sig} received again: killing the workers`);
        c.kill();
        return;
      }
      logger.log("info", `${sig} received`);
      void c.shutdown(sig);
    };
    const onInt = onSignal("SIGINT");
    const onTerm = onSignal("SIGTERM");
    Deno.addSignalListener("SIGINT", onInt);
    Deno.addSignalListener("SIGTERM", onTerm);
    let shutdownTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      await c.start();
      logger.log("info", "node ready", {
        node: nodeId,
        workers: c.workers.size,
        socket: paths.socket,
        startup_ms: Math.round(performance.now()),
      });
      if (shutdownAfter !== undefined) {
        shutdownTimer = setTimeout(() => {
          logger.log("info", "shutting down: --shutdownafter elapsed", { seconds: shutdownAfter });
          void c.shutdown("shutdownafter", 0);
        }, shutdownAfter * 1000);
      }
    } catch (e) {
      // the controller has logged why; say it once more only where the log is not seen
      if (!logsReachTerminal) {
        err(`xbar: the node could not start: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const code = await c.done;
    clearTimeout(shutdownTimer);
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
    return code;
  } catch (e) {
    logger.log("error", "node failed", { error: e instanceof Error ? e.message : String(e) });
    await controller?.shutdown("controller error", 1);
    return ExitCode.ERROR;
  } finally {
    for (const p of started.values()) p.discard(); // never adopted (the controller failed early)
    await releasePidFile(paths.pidFile);
    logFile?.close();
  }
}
