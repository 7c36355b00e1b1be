/**
 * A worker process as the controller sees it: spawned from the same
 * executable (under `deno run` with the same flags and `cli/worker_entry.ts`;
 * from the compiled executable, or the launcher standing in for it, just
 * `<executable> worker ...`), its stdin/stdout
 * attached as a frame channel to the management router, its stderr read line
 * by line into the node log.
 *
 * @module
 */

import { fileURLToPath } from "../posix_path.ts";
import type { SessionAcceptor } from "../router/peer.ts";
import type { LogFormat } from "../log/console_logger.ts";
import type { LogLevel } from "../log/logger.ts";
import { lineSplitter } from "../worker/guest_worker.ts";
import type { WorkerKind } from "../worker/worker_main.ts";
import { thisExecutable, type XbarExecutable } from "../worker/executable.ts";
import { type AttachedChannel, attachFrameChannel } from "./stdio_peer.ts";
import type { ExitInfo } from "./supervisor.ts";
import type { RouterBoot } from "../worker/router_boot.ts";
import { encodeFrame } from "../worker/stdio_frames.ts";

/** Transport id of worker frame channels on the management router. */
export const STDIO_TRANSPORT_ID = "xbar.stdio";

/** The entry of worker processes under `deno run` (a smaller module graph than `cli/xbar.ts`). */
const WORKER_ENTRY_MODULE = new URL("../../cli/worker_entry.ts", import.meta.url);
/** The project's `deno.json` (its import map names the npm packages). */
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/**
 * The command line of a worker process, `xbar worker <args>` with this same
 * executable: the compiled executable (or the launcher standing in for it)
 * with `worker <args>`; under `deno run` the same permission and unstable
 * flags, the project's `deno.json` (so a `deno.json` near the node directory
 * cannot change how xbar's imports resolve), and `cli/worker_entry.ts <args>`
 * rather than `cli/xbar.ts worker <args>` (start-up time: Deno prepares an
 * entry's whole module graph before it runs a line). Paths are file paths,
 * never URL-encoded (a checkout under `my code/` works).
 */
export function workerCommand(
  args: string[],
  executable: XbarExecutable = thisExecutable(),
): { command: string; args: string[] } {
  if (executable.single) return { command: executable.path, args: ["worker", ...args] };
  return denoRun(WORKER_ENTRY_MODULE, args, executable);
}

function denoRun(
  entry: URL,
  args: string[],
  executable: XbarExecutable,
): { command: string; args: string[] } {
  const config = DENO_JSON.protocol === "file:" ? ["--config", fileURLToPath(DENO_JSON)] : [];
  return {
    command: executable.path,
    args: [
      "run",
      "-A",
      "--unstable-net",
      "--quiet",
      "--no-prompt",
      ...config,
      entry.protocol === "file:" ? fileURLToPath(entry) : entry.href,
      ...args,
    ],
  };
}

/** Environment variables a Deno worker needs to find its caches, kept even when a config clears the environment. */
const DENO_ENV = [
  "HOME",
  "PATH",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "DENO_NO_UPDATE_CHECK",
  "NO_COLOR",
  "TMPDIR",
];

/** The environment variable Deno (and a compiled executable) reads V8 flags from. */
export const V8_FLAGS_ENV = "DENO_V8_FLAGS";

/**
 * V8 flags of router worker processes, given in `DENO_V8_FLAGS` (the one
 * way that reaches `deno run`, the launcher and the compiled executable
 * alike). A young generation of at most 1 MiB per semi-space: V8 otherwise
 * grows it to 16 MiB under a burst of connections and keeps it. Measured
 * with `deno task bench --memory` (same run, medians): RSS growth for the
 * first 1,000 idle joined WebSocket sessions ~44 -> ~21 MB, for 1,000 more
 * ~17 -> ~7 MB. Its cost in throughput could not be told from the noise of
 * the shared 2-core machine (calls/s and router CPU per message in 0.7-1.5x
 * of the default, most runs at or above 1; one quiet run had RawSocket
 * MsgPack calls at 0.82x): see ARCHITECTURE.md "Start-up and idle memory",
 * and weigh other flags with `bench --memory --v8-flags <flags>`.
 */
export const ROUTER_WORKER_V8_FLAGS = "--max-semi-space-size=1";

/** Options of `spawnWorker`. */
export interface SpawnWorkerOptions {
  /** Worker id. */
  id: string;
  /** Worker kind. */
  kind: WorkerKind;
  /** Process title (the config's `options.title`). Default: none set. */
  title?: string;
  /** Node directory (absolute). */
  nodeDir: string;
  /** Log level and format for the worker's own log lines. */
  logLevel: LogLevel;
  /** Log format. */
  logFormat: LogFormat;
  /** Colour text log lines. */
  logColor?: boolean;
  /** The worker's environment (already computed from its config); Deno's own variables are added. */
  env: Record<string, string>;
  /**
   * Router workers: the transport types the controller will start on it
   * (`--preload`): the worker imports their modules while it waits for the
   * controller (start-up time). A hint; the transports come with the replay.
   */
  preload?: readonly string[];
  /**
   * Router workers started by `xbar start`: the realms and transports the
   * worker starts before the controller's replay (`router_boot.ts`). Sent as
   * the first frame on its stdin (`--boot stdin`): never on the command line
   * or in the environment, where other users could read its secrets.
   */
  boot?: RouterBoot;
  /**
   * The process is started before its config is known (`xbar start`, before
   * validating it): `--boot stdin` without a frame; `StartedWorkerProcess.boot`
   * sends it (or none) once the config is. Ignored with `boot`.
   */
  bootLater?: boolean;
  /** The management router the frame channel is attached to. */
  router: SessionAcceptor;
  /** Every line the worker writes to stderr. */
  onLogLine: (line: string) => void;
  /**
   * A process already started for this worker with the same settings
   * (`startWorkerProcess`, before the router existed): it is attached
   * instead of spawning another.
   */
  started?: StartedWorkerProcess;
}

/** What starting a worker process needs before the management router exists. */
export type StartWorkerOptions = Omit<SpawnWorkerOptions, "router" | "onLogLine" | "started">;

/**
 * A worker process started before the controller could attach it (start-up
 * time: it boots while the controller sets itself up). Its stderr lines are
 * kept until `spawnWorker` adopts it; its frames wait in the pipe.
 */
export interface StartedWorkerProcess {
  /** The settings it was started with. */
  readonly options: StartWorkerOptions;
  /** Kills it (when it is never adopted). */
  discard(): void;
  /**
   * Sends the boot config of a process started with `bootLater` (null: none,
   * it waits for the replay). Once, before it is adopted.
   */
  boot(boot: RouterBoot | null): void;
  /** Internal: the process and its log lines so far. */
  readonly child: Deno.ChildProcess;
  /** Internal: sets where log lines go (the kept ones first). */
  logTo(sink: (line: string) => void): void;
  /** Internal: settles when stderr ends. */
  readonly stderrDone: Promise<void>;
}

/** A spawned worker process. */
export interface WorkerProcess {
  /** Process id. */
  readonly pid: number;
  /** The frame channel. */
  readonly channel: AttachedChannel;
  /** Settles once, when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Sends a signal; false when the process is already gone. */
  kill(signal: Deno.Signal): boolean;
}

/**
 * The process title to give a worker: the config's `options.title` when it
 * names one, none for the default (`xbar-<kind>-<id>`, filled in by the
 * config check), since setting a title replaces the command line `ps` shows.
 */
export function configuredTitle(kind: WorkerKind, id: string, title: string): string | undefined {
  return title === "" || title === `xbar-${kind}-${id}` ? undefined : title;
}

/**
 * Starts a worker's process without attaching it to a router yet (see
 * `StartedWorkerProcess`). Throws when the executable cannot be started.
 */
export function startWorkerProcess(options: StartWorkerOptions): StartedWorkerProcess {
  const { command, args } = workerCommand([
    "--type",
    options.kind,
    "--id",
    options.id,
    "--dir",
    options.nodeDir,
    "--loglevel",
    options.logLevel,
    "--logformat",
    options.logFormat,
    ...(options.logColor ? ["--color", "true"] : []),
    ...(options.title !== undefined && options.title !== "" ? ["--title", options.title] : []),
    ...(options.preload?.length ? ["--preload", [...new Set(options.preload)].join(",")] : []),
    ...(options.boot || options.bootLater ? ["--boot", "stdin"] : []),
  ]);
  const env = { ...options.env };
  for (const name of DENO_ENV) {
    const v = Deno.env.get(name);
    if (v !== undefined && env[name] === undefined) env[name] = v;
  }
  if (options.kind === "router") {
    // Ours first: flags the worker's own environment names come after and win.
    const own = env[V8_FLAGS_ENV];
    env[V8_FLAGS_ENV] = own ? `${ROUTER_WORKER_V8_FLAGS},${own}` : ROUTER_WORKER_V8_FLAGS;
  }
  env.DENO_NO_UPDATE_CHECK ??= "1";
  const child = new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    cwd: options.nodeDir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Queued ahead of every frame the channel writes once it is attached (a
  // stream's writes go out in order, also across writers).
  let bootSent = false;
  const sendBoot = (boot: RouterBoot | null) => {
    if (bootSent) throw new Error(`worker "${options.id}": its boot config was sent already`);
    bootSent = true;
    const writer = child.stdin.getWriter();
    writer.write(encodeFrame(boot)).catch(() => {}); // the process is gone: its exit tells
    writer.releaseLock();
  };
  if (options.boot) sendBoot(options.boot);
  else if (!options.bootLater) bootSent = true;
  const kept: string[] = [];
  let sink: ((line: string) => void) | undefined;
  const stderrDone = (async () => {
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    try {
      for await (const line of lines) {
        if (sink) sink(line);
        else kept.push(line);
      }
    } catch {
      // stderr closed abruptly
    }
  })();
  return {
    options,
    child,
    stderrDone,
    boot: sendBoot,
    logTo(to) {
      for (const line of kept.splice(0)) to(line);
      sink = to;
    },
    discard() {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone already
      }
      child.stdout.cancel().catch(() => {});
      child.stdin.close().catch(() => {});
    },
  };
}

/** Spawns a worker process (or adopts `options.started`). Throws when the executable cannot be started. */
export function spawnWorker(options: SpawnWorkerOptions): WorkerProcess {
  const started = options.started ?? startWorkerProcess(options);
  const { child, stderrDone } = started;
  started.logTo(options.onLogLine);
  const channel = attachFrameChannel(options.router, {
    input: child.stdout,
    output: child.stdin,
    info: {
      type: "stdio",
      peer: `stdio:${options.id}:${child.pid}`,
      serializer: "json",
      transportId: STDIO_TRANSPORT_ID,
      extra: { worker: options.id, pid: child.pid },
    },
  });
  const exited = child.status.then(async (s) => {
    await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 200))]);
    return { code: s.code, signal: s.signal };
  });
  let gone = false;
  exited.then(() => (gone = true));
  return {
    pid: child.pid,
    channel,
    exited,
    kill(signal: Deno.Signal): boolean {
      if (gone) return false;
      try {
        child.kill(signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}
