/**
 * A container worker: application components (TypeScript/JavaScript
 * modules, see `component.ts`, or Crossbar's Python components, each in its
 * own Python process, see `python/python_component.ts`), each on its own WAMP
 * session to a router over the transport its config names. A component whose session ends without
 * being stopped (the router went away, it was killed) is restarted per the
 * container's `component_restart` policy, with backoff (0.5 s doubling to
 * 10 s), so components reconnect after a router restart. The container ends
 * itself per its `shutdown` mode.
 *
 * @module
 */

import type {
  ContainerComponentConfig,
  ContainerOptions,
  ModuleContainerComponentConfig,
} from "../config/types.ts";
import type { Dict } from "../wamp/messages.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { CloseUri } from "../wamp/uris.ts";
import type { Logger } from "../log/logger.ts";
import { joinSession } from "../client/join_session.ts";
import { type ComponentMain, loadComponent, startComponent } from "./component.ts";
import { componentJoinOptions, connectTransport } from "./component_connection.ts";
import { absolutePythonpath, findPythonAsync } from "./python/interpreter.ts";
import { startPythonComponent } from "./python/python_component.ts";
import { ManagementError, WorkerOp } from "./management_uris.ts";
import type { WorkerHost } from "./worker_main.ts";

/** Options of a `ContainerWorker`. */
export interface ContainerWorkerOptions {
  /** Worker id. */
  id: string;
  /** Node directory (component modules are relative to it). */
  nodeDir: string;
  /** Where to log. */
  logger: Logger;
  /** Component restart policy. Default "on-failure". */
  componentRestart?: ContainerOptions["component_restart"];
  /** When the container ends itself. Default "shutdown-manual". */
  shutdown?: ContainerOptions["shutdown"];
}

type ComponentState = "starting" | "running" | "restarting" | "stopped" | "failed";

/** A component whose session runs: its id, how to stop it, and how it ends. */
interface Running {
  /** Session id. */
  session: number;
  /** Stops it on purpose (no restart). */
  stop(): Promise<void>;
  /** Settles when it ended by itself: `stopped` (left normally) or `failed`, and why. */
  ended: Promise<{ how: "stopped" | "failed"; why: string }>;
}

interface Entry {
  config: ContainerComponentConfig;
  /** The module's main function (module components). */
  main?: ComponentMain;
  /** The interpreter (Python components). */
  python?: string;
  state: ComponentState;
  running?: Running;
  started?: string;
  restarts: number;
  failures: number;
  lastError?: string;
  timer?: ReturnType<typeof setTimeout>;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/** Components of one container process. */
export class ContainerWorker {
  /** Worker id. */
  readonly id: string;
  /** Resolves with an exit code when the container's shutdown mode says it is done. */
  readonly ended: Promise<number>;
  #nodeDir: string;
  #logger: Logger;
  #restart: ContainerOptions["component_restart"];
  #mode: ContainerOptions["shutdown"];
  #entries = new Map<string, Entry>();
  #shuttingDown = false;
  #end!: (code: number) => void;

  /** @param options see ContainerWorkerOptions */
  constructor(options: ContainerWorkerOptions) {
    this.id = options.id;
    this.#nodeDir = options.nodeDir;
    this.#logger = options.logger;
    this.#restart = options.componentRestart ?? "on-failure";
    this.#mode = options.shutdown ?? "shutdown-manual";
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }

  /** Sets the container options (sent by the controller before the components). */
  configure(options: Partial<Pick<ContainerOptions, "component_restart" | "shutdown">>): Dict {
    if (options.component_restart) this.#restart = options.component_restart;
    if (options.shutdown) this.#mode = options.shutdown;
    return { component_restart: this.#restart, shutdown: this.#mode };
  }

  /** Loads, connects and starts a component. Rejects when the first start fails (nothing is retried then). */
  async startComponent(config: ContainerComponentConfig): Promise<Dict> {
    const existing = this.#entries.get(config.id);
    if (existing && existing.state !== "stopped" && existing.state !== "failed") {
      throw new ApplicationError(ManagementError.ALREADY_RUNNING, {
        message: `component "${config.id}" is already running on worker "${this.id}"`,
      });
    }
    const entry: Entry = { config, state: "starting", restarts: 0, failures: 0 };
    try {
      if (config.type === "module") entry.main = await loadComponent(this.#nodeDir, config);
      else {
        const lookup = await findPythonAsync(config.python, this.#nodeDir);
        if (!lookup.ok) throw new Error(`component "${config.id}": ${lookup.error}`);
        entry.python = lookup.python.path;
      }
    } catch (err) {
      throw new ApplicationError(ManagementError.START_FAILED, { message: errText(err) });
    }
    this.#entries.set(config.id, entry);
    try {
      await this.#run(entry);
    } catch (err) {
      this.#entries.delete(config.id);
      throw new ApplicationError(ManagementError.START_FAILED, { message: errText(err) });
    }
    return this.#info(entry);
  }

  /** Stops a component (no restart). */
  async stopComponent(id: string): Promise<Dict> {
    const e = this.#entries.get(id);
    if (!e || e.state === "stopped" || e.state === "failed") {
      throw new ApplicationError(ManagementError.NOT_RUNNING, {
        message: `no component "${id}" running on worker "${this.id}"`,
      });
    }
    await this.#stop(e);
    this.#entries.delete(id);
    this.#logger.log("info", "component stopped", { component: id });
    this.#checkShutdownMode("stopped");
    return { id };
  }

  /** Every component with its state. */
  getComponents(): Dict[] {
    return [...this.#entries.values()].map((e) => this.#info(e));
  }

  /** Stops every component. Idempotent. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    await Promise.all([...this.#entries.values()].map((e) => this.#stop(e)));
  }

  async #stop(e: Entry): Promise<void> {
    clearTimeout(e.timer);
    e.state = "stopped";
    const r = e.running;
    e.running = undefined;
    if (r) await r.stop();
  }

  /** Connects a module component, joins and runs its main function. */
  async #runModule(config: ModuleContainerComponentConfig, main: ComponentMain): Promise<Running> {
    const transport = await connectTransport(config.transport, this.#nodeDir);
    const session = await joinSession(transport, config.realm, {
      ...(await componentJoinOptions(config)),
      onerror: (err) =>
        this.#logger.log("error", "component handler failed", {
          component: config.id,
          error: errText(err),
        }),
    });
    const component = await startComponent(main, session, config);
    return {
      session: session.id,
      stop: () => component.stop(),
      ended: session.closed.then((info) => {
        const byItself = info.reason === CloseUri.NORMAL ||
          info.reason === CloseUri.GOODBYE_AND_OUT;
        return {
          how: byItself ? "stopped" : "failed",
          why: `${info.reason}${info.details.message ? `: ${info.details.message}` : ""}`,
        };
      }),
    };
  }

  async #run(e: Entry): Promise<void> {
    const { config } = e;
    const running = config.type === "module"
      ? await this.#runModule(config, e.main!)
      : await startPythonComponent({
        config,
        nodeDir: this.#nodeDir,
        python: e.python!,
        pythonpath: absolutePythonpath(config.pythonpath ?? [], this.#nodeDir),
        logger: this.#logger,
      });
    e.running = running;
    e.state = "running";
    e.started = new Date().toISOString();
    this.#logger.log("info", "component started", {
      component: config.id,
      realm: config.realm,
      session: running.session,
      restarts: e.restarts,
    });
    const runningSince = Date.now();
    running.ended.then((end) => {
      if (e.running !== running || e.state !== "running" || this.#shuttingDown) return;
      e.running = undefined;
      if (Date.now() - runningSince > MAX_DELAY_MS) e.failures = 0;
      this.#ended(e, end.how, end.why);
    });
  }

  #ended(e: Entry, how: "stopped" | "failed", why: string): void {
    const restart = this.#restart === "always" ||
      (this.#restart === "on-failure" && how === "failed");
    e.lastError = how === "failed" ? why : undefined;
    if (!restart) {
      e.state = how;
      this.#logger.log(how === "failed" ? "warn" : "info", `component ${how}`, {
        component: e.config.id,
        reason: why,
      });
      this.#checkShutdownMode(how);
      return;
    }
    e.state = "restarting";
    const delay = Math.min(FIRST_DELAY_MS * 2 ** e.failures, MAX_DELAY_MS);
    e.failures++;
    this.#logger.log("warn", "component session ended; restarting", {
      component: e.config.id,
      reason: why,
      delay_ms: delay,
    });
    e.timer = setTimeout(async () => {
      if (e.state !== "restarting" || this.#shuttingDown) return;
      e.restarts++;
      try {
        await this.#run(e);
      } catch (err) {
        if (e.state !== "restarting" || this.#shuttingDown) return;
        this.#ended(e, "failed", errText(err));
      }
    }, delay);
  }

  #checkShutdownMode(how: "stopped" | "failed"): void {
    if (this.#shuttingDown) return;
    const live = [...this.#entries.values()].filter((x) =>
      x.state === "running" || x.state === "starting" || x.state === "restarting"
    );
    const end = (this.#mode === "shutdown-on-any-component-failed" && how === "failed") ||
      this.#mode === "shutdown-on-any-component-stopped" ||
      (this.#mode === "shutdown-on-last-component-stopped" && live.length === 0);
    if (end) {
      this.#logger.log("info", "container shutting down per its shutdown mode", {
        mode: this.#mode,
      });
      this.#end(how === "failed" ? 1 : 0);
    }
  }

  #info(e: Entry): Dict {
    const out: Dict = {
      id: e.config.id,
      ...(e.config.type === "module"
        ? { module: e.config.module }
        : { type: e.config.type, classname: e.config.classname }),
      realm: e.config.realm,
      state: e.state,
      restarts: e.restarts,
    };
    if (e.running && e.state === "running") out.session = e.running.session;
    if (e.started) out.started = e.started;
    if (e.lastError) out.last_error = e.lastError;
    return out;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The container worker as the worker process runs it (see `worker_main.ts`). */
export function containerWorkerHost(
  ctx: { id: string; nodeDir: string; logger: Logger },
): WorkerHost {
  const w = new ContainerWorker(ctx);
  return {
    procedures: {
      [WorkerOp.CONFIGURE]: ([options]) =>
        w.configure((options ?? {}) as Partial<ContainerOptions>),
      [WorkerOp.GET_COMPONENTS]: () => w.getComponents(),
      [WorkerOp.START_COMPONENT]: ([config]) =>
        w.startComponent(config as ContainerComponentConfig),
      [WorkerOp.STOP_COMPONENT]: ([id]) => w.stopComponent(String(id)),
    },
    shutdown: () => w.shutdown(),
    ended: w.ended,
  };
}
