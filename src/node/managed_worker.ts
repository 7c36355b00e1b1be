/**
 * The controller's record of one worker: its config and desired state (what
 * is replayed into the process after every (re)start), its current process,
 * its supervision state and its recent log lines.
 *
 * @module
 */

import type { DirWatch } from "./dir_watcher.ts";
import type {
  ContainerComponentConfig,
  RealmConfig,
  RouterComponentConfig,
  TransportConfig,
  WorkerConfig,
} from "../config/types.ts";
import type { Dict } from "../wamp/messages.ts";
import type { Registration } from "../client/registration.ts";
import { Deferred } from "../client/_deferred.ts";
import { type ExitInfo, RestartTracker } from "./supervisor.ts";
import type { WorkerProcess } from "./worker_process.ts";

/** Lifecycle states of a worker. */
export type WorkerState = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

/** How many log lines are kept per worker for `get_logs`. */
export const LOG_LINES_KEPT = 1000;

/** One worker as the controller supervises it. */
export class ManagedWorker {
  /** Worker id. */
  readonly id: string;
  /** Worker config (normalized; the realms/transports/components lists are the boot set). */
  readonly config: WorkerConfig;
  /** Realms to run (router workers), by name. */
  readonly realms = new Map<string, RealmConfig>();
  /** Transports to run (router workers), by id. */
  readonly transports = new Map<string, TransportConfig>();
  /** Components to run, by id. */
  readonly components = new Map<string, RouterComponentConfig | ContainerComponentConfig>();
  /** Supervision. */
  readonly tracker: RestartTracker;
  /** Public management procedures registered for this worker. */
  registrations: Registration[] = [];
  /** Current state. */
  state: WorkerState = "stopped";
  /** The running process. */
  process: WorkerProcess | undefined;
  /** When the current process was started (ISO 8601). */
  started: string | undefined;
  /** How the last process ended. */
  lastExit: (ExitInfo & { at: string }) | undefined;
  /** Why the worker was given up on, or failed to start. */
  lastError: string | undefined;
  /** Resolved by the worker's `worker_ready` call. */
  ready: Deferred<Dict> | undefined;
  /** True while a launch (spawn + replay) is in progress: exits are handled by the launcher. */
  launching = false;
  /** True when the current process is being stopped on purpose (no restart). */
  stopRequested = false;
  /** A guest worker's program (its own child process), while it runs. */
  guestPid: number | undefined;
  /** The guest `watch` on its directories (guest workers with the option). */
  watch: DirWatch | undefined;
  /** True while a `watch` restart is in progress. */
  watchRestarting = false;
  /** Pending restart. */
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** Router workers: the router id on links (`<node id>/<worker id>`). */
  routerId: string | undefined;
  /** Router workers: the Unix socket it accepts links on. */
  linkSocket: string | undefined;
  /** Router workers: the links last sent to the running process (JSON), to send only changes. */
  linkPlan: string | undefined;
  #logs: string[] = [];

  /** @param config the worker's normalized config */
  constructor(config: WorkerConfig) {
    this.id = config.id;
    this.config = config;
    this.tracker = new RestartTracker(config.options.restart);
    if (config.type === "router") {
      for (const r of config.realms) this.realms.set(r.name, r);
      for (const t of config.transports) this.transports.set(t.id, t);
    }
    if (config.type !== "guest") {
      for (const c of config.components) {
        this.components.set(c.id, c);
      }
    }
  }

  /** Worker type. */
  get type(): WorkerConfig["type"] {
    return this.config.type;
  }

  /** Keeps a log line (the newest `LOG_LINES_KEPT`). */
  addLog(line: string): void {
    this.#logs.push(line);
    if (this.#logs.length > LOG_LINES_KEPT) {
      this.#logs.splice(0, this.#logs.length - LOG_LINES_KEPT);
    }
  }

  /** The newest `limit` log lines, oldest first. */
  logs(limit = 100): string[] {
    return this.#logs.slice(-Math.max(0, Math.min(limit, LOG_LINES_KEPT)));
  }

  /** The worker as the management API shows it. */
  info(): Dict {
    const out: Dict = {
      id: this.id,
      type: this.type,
      state: this.state,
      restarts: this.tracker.total,
      restart_policy: this.config.options.restart.policy,
      title: this.config.options.title,
    };
    if (this.config.options.extra !== undefined) out.extra = this.config.options.extra;
    if (this.process) out.pid = this.process.pid;
    if (this.started) out.started = this.started;
    if (this.lastExit) out.last_exit = { ...this.lastExit };
    if (this.lastError) out.last_error = this.lastError;
    if (this.config.type === "router") {
      out.realms = [...this.realms.keys()];
      out.transports = [...this.transports.keys()];
      if (this.routerId) out.router_id = this.routerId;
      if (this.config.replica) out.replica = { ...this.config.replica };
    }
    if (this.type !== "guest") out.components = [...this.components.keys()];
    if (this.config.type === "guest") out.executable = this.config.executable;
    return out;
  }
}
