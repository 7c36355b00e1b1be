/**
 * A guest worker: any executable, run by a small xbar worker process that
 * stands between it and the controller. The worker process starts the
 * program with its arguments, environment and working directory, writes the
 * configured JSON to its stdin, sends its stdout/stderr lines to the node
 * log (or drops them), and exits with the program's exit code — so the
 * controller supervises the guest like any worker. When the controller goes
 * away (even by SIGKILL) the worker process sees it and takes the program
 * down with it: no orphans.
 *
 * @module
 */

import { isAbsolute, resolve } from "../posix_path.ts";
import type { GuestWorkerConfig } from "../config/types.ts";
import type { Dict } from "../wamp/messages.ts";
import { ApplicationError } from "../wamp/errors.ts";
import type { Logger } from "../log/logger.ts";
import { ManagementError, WorkerOp } from "./management_uris.ts";
import { linuxStats } from "./process_stats.ts";
import type { WorkerHost } from "./worker_main.ts";

/** Milliseconds the program gets after SIGTERM before SIGKILL. */
export const GUEST_STOP_TIMEOUT_MS = 5000;

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** The environment a process gets from `env` (Crossbar's `options.env`). */
export function processEnv(env: GuestWorkerConfig["options"]["env"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.inherit === true) Object.assign(out, Deno.env.toObject());
  else if (Array.isArray(env.inherit)) {
    for (const name of env.inherit) {
      const v = Deno.env.get(name);
      if (v !== undefined) out[name] = v;
    }
  }
  return Object.assign(out, env.vars);
}

/** Runs one guest program. */
export class GuestWorker {
  /** Resolves with the exit code to use once the program has exited. */
  readonly ended: Promise<number>;
  #logger: Logger;
  #nodeDir: string;
  #child: Deno.ChildProcess | undefined;
  #config: GuestWorkerConfig | undefined;
  #started: string | undefined;
  #end!: (code: number) => void;
  #exited: Promise<Deno.CommandStatus> | undefined;
  #stopping = false;

  /** @param options node directory and logger */
  constructor(options: { nodeDir: string; logger: Logger }) {
    this.#nodeDir = options.nodeDir;
    this.#logger = options.logger;
    this.ended = new Promise((r) => (this.#end = r));
  }

  /** Starts the program. Rejects when it cannot be started (missing executable, bad workdir). */
  start(config: GuestWorkerConfig): Dict {
    if (this.#child) {
      throw new ApplicationError(ManagementError.ALREADY_RUNNING, {
        message: "the guest program is already running",
      });
    }
    const o = config.options;
    const cwd = o.workdir !== undefined ? resolve(this.#nodeDir, o.workdir) : this.#nodeDir;
    const exe = config.executable.includes("/") && !isAbsolute(config.executable)
      ? resolve(cwd, config.executable)
      : config.executable;
    const stdinJson = typeof o.stdin === "object" ? o.stdin : undefined;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(exe, {
        args: config.arguments,
        cwd,
        env: processEnv(o.env),
        clearEnv: true,
        stdin: stdinJson ? "piped" : "null",
        stdout: o.stdout === "log" ? "piped" : "null",
        stderr: o.stderr === "log" ? "piped" : "null",
      }).spawn();
    } catch (err) {
      throw new ApplicationError(ManagementError.START_FAILED, {
        message: `cannot start guest "${config.executable}" (resolved: ${exe}, workdir ${cwd}): ${
          err instanceof Error ? err.message : err
        }`,
      });
    }
    this.#child = child;
    this.#config = config;
    this.#started = new Date().toISOString();
    if (o.stdout === "log") void this.#pipeLines(child.stdout, "stdout");
    if (o.stderr === "log") void this.#pipeLines(child.stderr, "stderr");
    if (stdinJson) {
      const w = child.stdin.getWriter();
      w.write(new TextEncoder().encode(JSON.stringify(stdinJson.value) + "\n"))
        .then(() => (stdinJson.close ? w.close() : undefined))
        .catch((err) =>
          this.#logger.log("warn", "cannot write to the guest's stdin", { error: String(err) })
        );
    }
    this.#logger.log("info", "guest started", {
      executable: config.executable,
      pid: child.pid,
      arguments: config.arguments,
      workdir: cwd,
    });
    this.#exited = child.status;
    this.#exited.then((s) => {
      this.#logger.log(s.success || this.#stopping ? "info" : "warn", "guest exited", {
        pid: child.pid,
        code: s.code,
        signal: s.signal ?? undefined,
      });
      this.#end(s.signal ? 128 + (SIGNAL_NUMBERS[s.signal] ?? 0) : s.code);
    });
    return this.#info();
  }

  /** Stops the program: SIGTERM, then SIGKILL after `GUEST_STOP_TIMEOUT_MS`. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.#exited) return;
    this.#stopping = true;
    try {
      child.kill("SIGTERM");
    } catch {
      return; // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((r) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        r();
      }, GUEST_STOP_TIMEOUT_MS);
    });
    await Promise.race([this.#exited.then(() => {}), killed]);
    clearTimeout(timer);
    await this.#exited;
  }

  #info(): Dict {
    const child = this.#child;
    return {
      executable: this.#config?.executable,
      pid: child?.pid,
      started: this.#started,
      ...(child ? linuxStats(child.pid) : {}),
    };
  }

  /** The program's statistics (pid, CPU, memory). */
  stats(): Dict {
    return this.#info();
  }

  async #pipeLines(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr"): Promise<void> {
    const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    try {
      for await (const line of lines) {
        this.#logger.log("info", line, { stream: name });
      }
    } catch {
      // the program closed its output abruptly: nothing more to log
    }
  }
}

/** A transform stream from text chunks to lines (without line ends). */
export function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream<string, string>({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) controller.enqueue(p.endsWith("\r") ? p.slice(0, -1) : p);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}

/** The guest worker as the worker process runs it (see `worker_main.ts`). */
export function guestWorkerHost(ctx: { id: string; nodeDir: string; logger: Logger }): WorkerHost {
  const w = new GuestWorker(ctx);
  return {
    procedures: {
      [WorkerOp.CONFIGURE]: ([config]) => w.start(config as GuestWorkerConfig),
      [WorkerOp.GET_PROCESS_STATS]: () => w.stats(),
    },
    shutdown: () => w.stop(),
    ended: w.ended,
  };
}
