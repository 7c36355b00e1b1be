/**
 * The node controller (the `xbar start` process): runs the management
 * router (realm `xbar.node`, reachable only over worker frame channels and
 * the node directory's Unix socket), spawns and supervises the workers, and
 * boots the node by replaying its config as management operations — so
 * everything the config does can also be done at runtime.
 *
 * Boot: for each worker in config order (or all at once with
 * `enable_parallel_worker_start`): spawn → wait for `worker_ready` → replay
 * (router: realms, then router components, then transports; container: its
 * options, then components; guest: the program). A router's `configure`,
 * realms and transports (those before a component, and those after) are sent
 * without waiting for each answer: the worker runs them in the order they
 * arrive (start-up time). Any failure stops the boot: everything started is
 * stopped again and `start()` rejects (the first failure in call order).
 *
 * Supervision: an unexpected exit is logged with its exit code or signal and
 * handed to the worker's restart policy (`supervisor.ts`); a restarted worker
 * gets its whole desired state replayed. A worker given up on triggers the
 * controller's `shutdown` options.
 *
 * Scale-up links: router workers that serve a common realm are linked into
 * one router for it (`link_mesh.ts`). A router worker's replay starts with
 * `configure` (its router id `<node id>/<worker id>`, the node key, its link
 * socket) and ends with `set_links` (the links it dials; the worker listens
 * on its link socket from the first `set_links` on); a realm started or
 * stopped at runtime, or a router worker added, removed or given up on,
 * sends the changed plans to the workers concerned. When a router worker's
 * process exits, the others are told at once (`link_peer`, down) so calls
 * routed to it fail without waiting for heartbeats; once it is back they are
 * told again (`link_peer`, up) and redial it at once.
 *
 * Shutdown: containers and guests first, then routers; each worker is asked
 * to shut down (GOODBYE `wamp.close.system_shutdown` to its sessions,
 * listeners closed, Unix sockets removed) and SIGKILLed if it is not gone
 * within `workerStopTimeoutMs`; then the management socket is removed.
 *
 * @module
 */

import { resolve } from "../posix_path.ts";
import { importLater } from "../import_later.ts";
import type {
  ContainerComponentConfig,
  GuestWatch,
  NodeConfig,
  RouterComponentConfig,
  TransportConfig,
  WorkerConfig,
  WorkerOptions,
} from "../config/types.ts";
import { watchDirectories } from "./dir_watcher.ts";
import type { Dict, List } from "../wamp/messages.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { LogFormat } from "../log/console_logger.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { Router } from "../router/router.ts";
import type { AuthenticatorFactory } from "../router/authn/authenticator.ts";
import type { PeerInfo } from "../router/peer.ts";
import { type RawSocketServer, serveRawSocket } from "../transport/rawsocket_server.ts";
import { DEFAULT_CONTROLLER_OPTIONS } from "../config/defaults.ts";
import { jsonSerializer } from "../serializer/json.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { Deferred } from "../client/_deferred.ts";
import {
  internalWorkerUri,
  MANAGEMENT_REALM,
  ManagementError,
  ManagementRole,
  NodeProcedure,
  WORKER_READY,
  WorkerOp,
  type WorkerOpName,
  workerUri,
} from "../worker/management_uris.ts";
import { processStats } from "../worker/process_stats.ts";
import { processEnv } from "../worker/guest_worker.ts";
import type { WorkerKind } from "../worker/worker_main.ts";
import {
  fragmentErrorText,
  type FragmentResult,
  validateContainerComponentFragment,
  validateRealmFragment,
  validateRouterComponentFragment,
  validateTransportFragment,
  validateWorkerFragments,
} from "./config_fragments.ts";
import { ManagedWorker } from "./managed_worker.ts";
import { describeExit, type ExitInfo, isFailure } from "./supervisor.ts";
import { meshPlan, routerIdOf } from "./link_mesh.ts";
import { linkSocketPath } from "./node_dir.ts";
import type { RouterLinkSettings } from "../worker/router_worker.ts";
import {
  configuredTitle,
  spawnWorker,
  type StartedWorkerProcess,
  STDIO_TRANSPORT_ID,
} from "./worker_process.ts";
import { type NodeFacts, NodeTelemetry } from "./node_telemetry.ts";
import { recordingWarnings } from "../log/recent_warnings.ts";

/** Transport id of the management Unix socket. */
export const MANAGEMENT_TRANSPORT_ID = "xbar.management";
const CONTROLLER_TRANSPORT_ID = "xbar.controller";

/** Options of a `Controller`. */
export interface ControllerOptions {
  /** Node directory (absolute). */
  nodeDir: string;
  /** The validated node config. */
  config: NodeConfig;
  /** Where the config came from (absent: the embedded default). */
  configFile?: string;
  /** The controller's logger. */
  logger: Logger;
  /** Where worker log lines go (the same sink as the controller's own lines). */
  writeLogLine: (line: string) => void;
  /** Log level handed to workers. */
  logLevel: LogLevel;
  /** Log format handed to workers. */
  logFormat: LogFormat;
  /** Workers colour their text log lines (default false). */
  logColor?: boolean;
  /** Absolute path of the management Unix socket. */
  socketPath: string;
  /** Node id. */
  nodeId: string;
  /** Node public key (hex). */
  publicKey: string;
  /** Node private key (hex): handed to router workers over their frame channel, for their links. */
  privateKey: string;
  /** xbar version. */
  version: string;
  /** Milliseconds a worker gets to shut down gracefully before SIGKILL. Default 5000. */
  workerStopTimeoutMs?: number;
  /** Milliseconds a new worker process gets to report ready. Default 30000. */
  workerReadyTimeoutMs?: number;
  /**
   * Worker processes `xbar start` started before the controller existed
   * (start-up time), by worker id: their first launch adopts them; any not
   * adopted are killed when the node stops.
   */
  started?: Map<string, StartedWorkerProcess>;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fixedRole(role: string, authid: (info: PeerInfo) => string): AuthenticatorFactory {
  return (info) => ({
    hello: () => ({
      kind: "welcome",
      info: { authid: authid(info), authrole: role, authmethod: "trusted", authprovider: "xbar" },
    }),
    authenticate: () => ({
      kind: "abort",
      uri: ErrorUri.PROTOCOL_VIOLATION,
      message: "AUTHENTICATE without a pending challenge",
    }),
  });
}

/** Public operations per worker type (besides `get_logs`, answered by the controller itself). */
const OPS: Record<WorkerKind, WorkerOpName[]> = {
  router: [
    WorkerOp.GET_REALMS,
    WorkerOp.START_REALM,
    WorkerOp.STOP_REALM,
    WorkerOp.GET_TRANSPORTS,
    WorkerOp.START_TRANSPORT,
    WorkerOp.STOP_TRANSPORT,
    WorkerOp.GET_COMPONENTS,
    WorkerOp.START_COMPONENT,
    WorkerOp.STOP_COMPONENT,
    WorkerOp.GET_LINKS,
    WorkerOp.GET_PROCESS_STATS,
  ],
  container: [
    WorkerOp.GET_COMPONENTS,
    WorkerOp.START_COMPONENT,
    WorkerOp.STOP_COMPONENT,
    WorkerOp.GET_PROCESS_STATS,
  ],
  guest: [WorkerOp.GET_PROCESS_STATS],
};

/** The node controller. */
export class Controller {
  /** The management router (realm `xbar.node`). */
  readonly router: Router;
  /** Settles with the exit code once the node has stopped. */
  readonly done: Promise<number>;
  #o: ControllerOptions;
  #log: Logger;
  #workers = new Map<string, ManagedWorker>();
  #session: Session | undefined;
  #socket: RawSocketServer | undefined;
  #started = new Date().toISOString();
  #shutdown: Promise<void> | undefined;
  #exitCode = 0;
  #done = new Deferred<number>();
  #telemetry = new NodeTelemetry();

  /** @param options see ControllerOptions */
  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#log = recordingWarnings(options.logger, this.#telemetry.warnings);
    this.done = this.#done.promise;
    const Role = ManagementRole;
    this.router = new Router({
      realms: [{
        name: MANAGEMENT_REALM,
        roles: [
          { name: Role.CONTROLLER, permissions: [{ uri: "", match: "prefix", allow: all() }] },
          {
            name: Role.ADMIN,
            permissions: [
              { uri: "xbar.", match: "prefix", allow: { call: true, subscribe: true } },
              { uri: "xbar.internal.", match: "prefix", allow: {} },
            ],
          },
          {
            name: Role.WORKER,
            permissions: [
              { uri: "xbar.internal.worker.", match: "prefix", allow: { register: true } },
              { uri: WORKER_READY, match: "exact", allow: { call: true } },
              // the metrics and status page services of router workers show the whole node
              { uri: NodeProcedure.GET_METRICS, match: "exact", allow: { call: true } },
              { uri: NodeProcedure.GET_SUMMARY, match: "exact", allow: { call: true } },
            ],
          },
        ],
      }],
      logger: options.logger,
      authenticator: () => ({
        hello: () => ({
          kind: "abort",
          uri: ErrorUri.NOT_AUTHORIZED,
          message: "not a management transport",
        }),
        authenticate: () => ({
          kind: "abort",
          uri: ErrorUri.NOT_AUTHORIZED,
          message: "not a management transport",
        }),
      }),
    });
    this.router.setAuthenticator(
      CONTROLLER_TRANSPORT_ID,
      fixedRole(Role.CONTROLLER, () => "controller"),
    );
    this.router.setAuthenticator(
      STDIO_TRANSPORT_ID,
      fixedRole(Role.WORKER, (info) => String(info.extra?.worker ?? "worker")),
    );
    this.router.setAuthenticator(MANAGEMENT_TRANSPORT_ID, fixedRole(Role.ADMIN, () => "admin"));
  }

  /** Workers by id. */
  get workers(): ReadonlyMap<string, ManagedWorker> {
    return this.#workers;
  }

  /**
   * Starts the management API and boots every (enabled) worker of the config.
   * Rejects (after stopping what was started, and logging why) when the node
   * cannot boot.
   */
  async start(): Promise<void> {
    // Only a title the config names: setting one replaces the command line `ps` shows.
    const title = this.#o.config.controller.options.title;
    if (title !== DEFAULT_CONTROLLER_OPTIONS.title) {
      // imported only then: it uses node:process, and a process's first
      // `node:` import sets up Deno's Node compatibility layer (start-up time)
      (await importLater<typeof import("./process_title.ts")>(
        new URL("./process_title.ts", import.meta.url),
      )).setProcessTitle(title);
    }
    this.#session = await joinSession(
      localPair(this.router, {
        info: { transportId: CONTROLLER_TRANSPORT_ID, peer: "controller" },
      }),
      MANAGEMENT_REALM,
      {
        agent: "xbar-controller",
        onerror: (err) =>
          this.#log.log("error", "management handler failed", { error: errText(err) }),
      },
    );
    await this.#registerNodeProcedures(this.#session);
    try {
      this.#socket = await serveRawSocket(this.router, {
        endpoint: { type: "unix", path: this.#o.socketPath, mode: 0o600 },
        serializers: [jsonSerializer],
        transportId: MANAGEMENT_TRANSPORT_ID,
        maxConnections: this.#o.config.controller.options.management_max_connections,
        name: "management socket",
        logger: this.#log,
      });
    } catch (err) {
      const e = new Error(
        `cannot open the management socket "${this.#o.socketPath}": ${errText(err)}`,
      );
      this.#log.log("error", "node start failed; stopping", { error: e.message });
      await this.#finish(1);
      throw e;
    }
    const configs = this.#o.config.workers.filter((w) => {
      if (w.options.disabled) {
        this.#log.log("info", "worker disabled in the config; not starting it", { worker: w.id });
      }
      return !w.options.disabled;
    });
    try {
      if (this.#o.config.controller.options.enable_parallel_worker_start) {
        await Promise.all(configs.map((c) => this.#addAndLaunch(c)));
      } else {
        for (const c of configs) await this.#addAndLaunch(c);
      }
    } catch (err) {
      this.#log.log("error", "node start failed; stopping", { error: errText(err) });
      await this.shutdown("start failed", 1);
      throw err;
    }
  }

  /** Stops the node (see the module doc). Idempotent; resolves when everything is stopped. */
  shutdown(reason: string, exitCode = 0): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#exitCode = exitCode;
      this.#log.log("info", "node shutting down", { reason });
      const workers = [...this.#workers.values()];
      for (const w of workers) {
        clearTimeout(w.restartTimer);
        w.watch?.close();
      }
      const routers = workers.filter((w) => w.type === "router");
      const others = workers.filter((w) => w.type !== "router");
      await Promise.all(others.map((w) => this.#stopProcess(w)));
      await Promise.all(routers.map((w) => this.#stopProcess(w)));
      await this.#finish(this.#exitCode);
      this.#log.log("info", "node stopped");
    })();
    return this.#shutdown;
  }

  /** True once `shutdown()` has been called. */
  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Sends SIGKILL to every worker process at once (a second Ctrl-C); `shutdown()` then completes quickly. */
  kill(): void {
    for (const w of this.#workers.values()) {
      clearTimeout(w.restartTimer);
      w.stopRequested = true;
      w.process?.kill("SIGKILL");
    }
  }

  async #finish(code: number): Promise<void> {
    for (const p of this.#o.started?.values() ?? []) p.discard();
    this.#o.started?.clear();
    if (this.#session?.isOpen) await this.#session.leave().catch(() => {});
    await this.#socket?.shutdown().catch(() => {});
    this.router.shutdown("node stopped");
    this.#done.resolve(code);
  }

  // ---- workers ---------------------------------------------------------

  async #addAndLaunch(config: WorkerConfig): Promise<ManagedWorker> {
    const w = new ManagedWorker(config);
    if (w.type === "router") {
      w.routerId = routerIdOf(this.#o.nodeId, w.id);
      w.linkSocket = linkSocketPath(this.#o.nodeDir, w.id);
    }
    this.#workers.set(w.id, w);
    await this.#registerWorkerProcedures(w);
    try {
      await this.#launch(w);
    } catch (err) {
      w.state = "failed";
      w.lastError = errText(err);
      throw err;
    }
    if (config.type === "guest" && config.options.watch) this.#watchGuest(w, config.options.watch);
    return w;
  }

  /**
   * Crossbar's guest `watch`: when something in the watched directories
   * changes, the guest worker is stopped and, `timeout` seconds later,
   * started again (changes meanwhile fold into that one restart).
   */
  #watchGuest(w: ManagedWorker, watch: GuestWatch): void {
    const dirs = watch.directories.map((d) => resolve(this.#o.nodeDir, d));
    const restart = async (paths: string[]) => {
      if (this.shuttingDown || w.watchRestarting || this.#workers.get(w.id) !== w) return;
      w.watchRestarting = true;
      try {
        this.#log.log("info", "watched files changed: restarting the guest", {
          worker: w.id,
          paths: paths.slice(0, 5),
          in_seconds: watch.timeout,
        });
        await this.#stopProcess(w);
        await new Promise((r) => setTimeout(r, watch.timeout * 1000));
        if (this.shuttingDown || this.#workers.get(w.id) !== w) return;
        await this.#launch(w);
      } catch (err) {
        w.state = "failed";
        w.lastError = errText(err);
        this.#log.log("error", "the guest could not be restarted", {
          worker: w.id,
          error: errText(err),
        });
      } finally {
        w.watchRestarting = false;
      }
    };
    try {
      w.watch = watchDirectories(dirs, (paths) => void restart(paths));
      this.#log.log("info", "watching for changes", { worker: w.id, directories: dirs });
    } catch (err) {
      this.#log.log("error", "cannot watch the guest's directories", {
        worker: w.id,
        directories: dirs,
        error: errText(err),
      });
    }
  }

  /** Spawns the worker's process and replays its desired state. On failure the process is killed and the error thrown. */
  async #launch(w: ManagedWorker): Promise<void> {
    const t0 = performance.now();
    w.launching = true;
    w.stopRequested = false;
    w.state = "starting";
    w.lastError = undefined;
    w.ready = new Deferred<Dict>();
    const env = w.config.type === "guest" ? Deno.env.toObject() : processEnv(w.config.options.env);
    let started = this.#o.started?.get(w.id); // started early by `xbar start`: adopt it
    this.#o.started?.delete(w.id);
    if (started !== undefined && started.options.kind !== w.type) {
      started.discard();
      started = undefined;
    }
    let proc;
    try {
      proc = spawnWorker({
        started,
        id: w.id,
        kind: w.type,
        title: configuredTitle(w.type, w.id, w.config.options.title),
        nodeDir: this.#o.nodeDir,
        logLevel: this.#o.logLevel,
        logFormat: this.#o.logFormat,
        logColor: this.#o.logColor ?? false,
        env,
        preload: [...w.transports.values()].map((t) => t.type),
        router: this.router,
        onLogLine: (line) => {
          w.addLog(line);
          this.#o.writeLogLine(line);
        },
      });
    } catch (err) {
      w.launching = false;
      throw new Error(`worker "${w.id}": cannot spawn a process: ${errText(err)}`);
    }
    w.process = proc;
    w.started = new Date().toISOString();
    proc.exited.then((exit) => this.#onExit(w, proc, exit));
    try {
      const timeoutMs = this.#o.workerReadyTimeoutMs ?? 30000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        w.ready.promise,
        proc.exited.then((exit) => {
          throw new Error(`worker "${w.id}" exited before it was ready (${describeExit(exit)})`);
        }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`worker "${w.id}" did not report ready within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      await this.#replay(w);
    } catch (err) {
      proc.kill("SIGKILL");
      await proc.exited;
      w.launching = false;
      if (w.process === proc) w.process = undefined;
      throw err;
    }
    w.launching = false;
    w.state = "running";
    this.#log.log("info", "worker started", {
      worker: w.id,
      type: w.type,
      pid: proc.pid,
      ms: Math.round(performance.now() - t0),
    });
    if (w.routerId) {
      this.#tellRouters(w, WorkerOp.LINK_PEER, [w.routerId, true]);
      this.#syncMesh();
    }
  }

  async #replay(w: ManagedWorker): Promise<void> {
    const call = (op: WorkerOpName, arg: unknown) => this.#callWorker(w, op, [arg]);
    const c = w.config;
    switch (c.type) {
      case "router": {
        const links: RouterLinkSettings = {
          router_id: w.routerId!,
          public_key: this.#o.publicKey,
          private_key: this.#o.privateKey,
          link_socket: w.linkSocket!,
          preload: [...new Set([...w.transports.values()].map((t) => t.type))],
        };
        // Sent without waiting for each answer (the worker runs them in the
        // order they arrive, after `configure`): one round trip to the first
        // listener instead of one per call. The first failure in call order
        // fails the launch, as when awaited one by one.
        const transports = () =>
          [...w.transports.values()].map((t) => call(WorkerOp.START_TRANSPORT, t));
        const first = [
          call(WorkerOp.CONFIGURE, links),
          ...[...w.realms.values()].map((r) => call(WorkerOp.START_REALM, r)),
        ];
        if (w.components.size > 0) {
          await inOrder(first);
          for (const comp of w.components.values()) {
            await call(WorkerOp.START_COMPONENT, withWorkerPython(comp, c.options));
          }
          await inOrder(transports());
        } else {
          await inOrder([...first, ...transports()]);
        }
        const plan = this.#meshPlan().get(w.id) ?? [];
        await call(WorkerOp.SET_LINKS, plan);
        w.linkPlan = JSON.stringify(plan);
        break;
      }
      case "container":
        await call(WorkerOp.CONFIGURE, {
          component_restart: c.options.component_restart,
          shutdown: c.options.shutdown,
        });
        for (const comp of w.components.values()) {
          await call(WorkerOp.START_COMPONENT, withWorkerPython(comp, c.options));
        }
        break;
      case "guest": {
        const info = await call(WorkerOp.CONFIGURE, c) as Dict | undefined;
        w.guestPid = typeof info?.pid === "number" ? info.pid : undefined;
        break;
      }
      default: {
        const never: never = c;
        throw new Error(`unknown worker type ${(never as { type: string }).type}`);
      }
    }
  }

  /** Calls the worker's own procedure; resolves with the first result value. A worker that does not answer within `timeoutMs` fails the call (`wamp.error.timeout`). */
  async #callWorker(
    w: ManagedWorker,
    op: WorkerOpName,
    args: List,
    timeoutMs = 60_000,
  ): Promise<unknown> {
    if (!this.#session) throw new Error("the controller is not started");
    try {
      const r = await this.#session.call(internalWorkerUri(w.id, op), args, {}, {
        timeout: timeoutMs,
      });
      return r.args[0];
    } catch (err) {
      if (err instanceof ApplicationError && err.uri === ErrorUri.NO_SUCH_PROCEDURE) {
        throw new ApplicationError(ManagementError.WORKER_NOT_RUNNING, {
          message: `worker "${w.id}" is not running (${w.state})`,
        });
      }
      throw err;
    }
  }

  #onExit(w: ManagedWorker, proc: { pid: number }, exit: ExitInfo): void {
    this.#killOrphanedGuest(w);
    if (w.process?.pid !== proc.pid) return;
    w.process = undefined;
    w.lastExit = { ...exit, at: new Date().toISOString() };
    w.linkPlan = undefined;
    if (w.routerId && !this.#shutdown) {
      this.#tellRouters(w, WorkerOp.LINK_PEER, [w.routerId, false]);
    }
    if (w.stopRequested || this.#shutdown) {
      w.state = "stopped";
      this.#log.log("info", "worker stopped", {
        worker: w.id,
        pid: proc.pid,
        exit: describeExit(exit),
      });
      return;
    }
    if (w.launching) return; // the launcher reports it
    this.#log.log(isFailure(exit) ? "warn" : "info", "worker exited", {
      worker: w.id,
      pid: proc.pid,
      code: exit.signal === null ? exit.code : undefined,
      signal: exit.signal ?? undefined,
    });
    this.#supervise(w, exit);
  }

  #supervise(w: ManagedWorker, exit: ExitInfo): void {
    if (this.#shutdown) return;
    const d = w.tracker.onExit(exit);
    if (d.action === "stop") {
      w.state = isFailure(exit) ? "failed" : "stopped";
      w.lastError = isFailure(exit)
        ? `${describeExit(exit)}; not restarted: ${d.reason}`
        : undefined;
      this.#log.log(isFailure(exit) ? "error" : "info", "worker not restarted", {
        worker: w.id,
        reason: d.reason,
      });
      if (w.routerId) this.#syncMesh();
      this.#applyShutdownTriggers(exit);
      return;
    }
    w.state = "restarting";
    this.#log.log("warn", "restarting worker", {
      worker: w.id,
      after: describeExit(exit),
      delay_ms: d.delayMs,
      attempt: d.attempt,
    });
    w.restartTimer = setTimeout(() => {
      w.restartTimer = undefined;
      if (this.#shutdown || w.state !== "restarting") return;
      this.#launch(w).then(
        () =>
          this.#log.log("info", "worker restarted", { worker: w.id, restarts: w.tracker.total }),
        (err) => {
          w.lastError = errText(err);
          this.#log.log("error", "worker restart failed", { worker: w.id, error: errText(err) });
          if (!w.stopRequested) this.#supervise(w, { code: 1, signal: null });
        },
      );
    }, d.delayMs);
  }

  #applyShutdownTriggers(exit: ExitInfo): void {
    const triggers = this.#o.config.controller.options.shutdown;
    const live = [...this.#workers.values()].some((w) =>
      w.state === "running" || w.state === "starting" || w.state === "restarting"
    );
    if (triggers.includes("shutdown_on_worker_exit")) {
      void this.shutdown("a worker exited (shutdown_on_worker_exit)", isFailure(exit) ? 1 : 0);
    } else if (triggers.includes("shutdown_on_worker_exit_with_error") && isFailure(exit)) {
      void this.shutdown("a worker failed (shutdown_on_worker_exit_with_error)", 1);
    } else if (triggers.includes("shutdown_on_last_worker_exit") && !live) {
      void this.shutdown("the last worker exited (shutdown_on_last_worker_exit)", 0);
    }
  }

  /**
   * A guest worker process normally takes its program down with it; when it
   * was itself SIGKILLed (a straggler at shutdown, or by hand), its program
   * is killed here.
   */
  #killOrphanedGuest(w: ManagedWorker): void {
    const pid = w.guestPid;
    w.guestPid = undefined;
    if (pid === undefined) return;
    try {
      Deno.kill(pid, "SIGKILL");
      this.#log.log("warn", "killed the program of a guest worker that is gone", {
        worker: w.id,
        pid,
      });
    } catch {
      // already exited with its worker: the normal case
    }
  }

  /** Stops the worker's process on purpose: graceful shutdown, SIGKILL after the timeout. */
  async #stopProcess(w: ManagedWorker): Promise<void> {
    clearTimeout(w.restartTimer);
    w.restartTimer = undefined;
    w.stopRequested = true;
    const proc = w.process;
    if (!proc) {
      if (w.state !== "failed") w.state = "stopped";
      return;
    }
    w.state = "stopping";
    const timeoutMs = this.#o.workerStopTimeoutMs ?? 5000;
    // ask nicely over the management realm, else with SIGTERM
    this.#callWorker(w, WorkerOp.SHUTDOWN, [], 2000).catch(() => proc.kill("SIGTERM"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"expired">((
      r,
    ) => (timer = setTimeout(() => r("expired"), timeoutMs)));
    const outcome = await Promise.race([proc.exited, expired]);
    clearTimeout(timer);
    if (outcome === "expired") {
      this.#log.log("warn", "worker did not stop in time; killing it", {
        worker: w.id,
        pid: proc.pid,
        timeout_ms: timeoutMs,
      });
      proc.kill("SIGKILL");
      await proc.exited;
    }
    w.state = "stopped";
  }

  async #removeWorker(w: ManagedWorker): Promise<void> {
    this.#workers.delete(w.id);
    w.watch?.close();
    if (w.routerId) this.#syncMesh();
    await Promise.all(w.registrations.map((r) => r.unregister().catch(() => {})));
    w.registrations = [];
  }

  // ---- scale-up links --------------------------------------------------

  /** The mesh over the router workers that are (or will be again) up, in worker order. */
  #meshPlan() {
    const live = [...this.#workers.values()].filter((w) =>
      w.routerId !== undefined &&
      (w.state === "starting" || w.state === "running" || w.state === "restarting")
    );
    return meshPlan(
      this.#o.nodeId,
      live.map((w) => ({ id: w.id, realms: w.realms.keys(), socket: w.linkSocket! })),
    );
  }

  /** Sends every running router worker whose links changed its new plan. */
  #syncMesh(): void {
    if (this.#shutdown) return;
    const plan = this.#meshPlan();
    for (const w of this.#workers.values()) {
      if (!w.routerId || w.state !== "running" || w.launching) continue;
      const mine = plan.get(w.id) ?? [];
      const text = JSON.stringify(mine);
      if (text === w.linkPlan) continue;
      w.linkPlan = text;
      this.#callWorker(w, WorkerOp.SET_LINKS, [mine]).catch((err) => {
        if (w.linkPlan === text) w.linkPlan = undefined;
        this.#log.log("warn", "cannot update a router worker's links", {
          worker: w.id,
          error: errText(err),
        });
      });
    }
  }

  /** Calls `op` on every running router worker but `except` (errors are logged). */
  #tellRouters(except: ManagedWorker, op: WorkerOpName, args: List): void {
    for (const w of this.#workers.values()) {
      if (w === except || !w.routerId || w.state !== "running" || w.launching) continue;
      this.#callWorker(w, op, args, 5000).catch((err) =>
        this.#log.log("debug", "router worker not told about a peer", {
          worker: w.id,
          op,
          error: errText(err),
        })
      );
    }
  }

  // ---- management API --------------------------------------------------

  #worker(id: unknown): ManagedWorker {
    const w = typeof id === "string" ? this.#workers.get(id) : undefined;
    if (!w) {
      throw new ApplicationError(ManagementError.NO_SUCH_WORKER, {
        message: `no worker ${JSON.stringify(id)} (workers: ${
          [...this.#workers.keys()].join(", ") || "none"
        })`,
      });
    }
    return w;
  }

  #notShuttingDown(): void {
    if (this.#shutdown) {
      throw new ApplicationError(ManagementError.SHUTTING_DOWN, {
        message: "the node is shutting down",
      });
    }
  }

  /** The node as `xbar.get_status` shows it. */
  status(): Dict {
    const counts: Record<string, number> = {};
    for (const w of this.#workers.values()) counts[w.state] = (counts[w.state] ?? 0) + 1;
    return {
      node: this.#o.nodeId,
      state: this.#shutdown ? "stopping" : "running",
      pid: Deno.pid,
      version: this.#o.version,
      started: this.#started,
      uptime: Math.round(performance.now()) / 1000,
      directory: this.#o.nodeDir,
      config: this.#o.configFile ?? "(embedded default config)",
      socket: this.#o.socketPath,
      public_key: this.#o.publicKey,
      workers: this.#workers.size,
      worker_states: counts,
      title: this.#o.config.controller.options.title,
      ...(this.#o.config.controller.extra !== undefined
        ? { extra: this.#o.config.controller.extra }
        : {}),
    };
  }

  #facts(): NodeFacts {
    return {
      node: this.#o.nodeId,
      public_key: this.#o.publicKey,
      version: this.#o.version,
      started: this.#started,
      state: this.#shutdown ? "stopping" : "running",
    };
  }

  async #registerNodeProcedures(s: Session): Promise<void> {
    const reg = (uri: string, fn: (args: List, kwargs: Dict) => unknown) =>
      s.register(uri, (a, k) => fn(a, k));
    await reg(WORKER_READY, ([info]) => {
      const d = (info ?? {}) as Dict;
      const w = this.#workers.get(String(d.id));
      if (!w?.ready || !w.launching) {
        throw new ApplicationError(ManagementError.NO_SUCH_WORKER, {
          message: `unexpected worker_ready from ${d.id}`,
        });
      }
      w.ready.resolve(d);
      return null;
    });
    await reg(NodeProcedure.GET_STATUS, () => this.status());
    await reg(NodeProcedure.GET_CONFIG, () => this.#o.config);
    await reg(NodeProcedure.GET_WORKERS, () => [...this.#workers.values()].map((w) => w.info()));
    await reg(NodeProcedure.GET_WORKER, ([id]) => this.#worker(id).info());
    await reg(NodeProcedure.GET_PROCESS_STATS, () => processStats());
    const ask = (w: ManagedWorker, op: WorkerOpName, ms: number) => this.#callWorker(w, op, [], ms);
    await reg(
      NodeProcedure.GET_METRICS,
      () => this.#telemetry.metrics(this.#facts(), [...this.#workers.values()], ask),
    );
    await reg(
      NodeProcedure.GET_SUMMARY,
      () => this.#telemetry.summary(this.#facts(), [...this.#workers.values()], ask),
    );
    await reg(
      NodeProcedure.GET_WORKER_LOGS,
      ([id, limit]) => this.#worker(id).logs(Number(limit ?? 100)),
    );
    await reg(NodeProcedure.START_WORKER, ([raw]) => this.#apiStartWorker(raw));
    await reg(NodeProcedure.STOP_WORKER, async ([id]) => {
      this.#notShuttingDown();
      const w = this.#worker(id);
      await this.#stopProcess(w);
      await this.#removeWorker(w);
      this.#log.log("info", "worker removed", { worker: w.id });
      return { id: w.id, state: "stopped" };
    });
    await reg(NodeProcedure.RESTART_WORKER, async ([id]) => {
      this.#notShuttingDown();
      const w = this.#worker(id);
      await this.#stopProcess(w);
      try {
        await this.#launch(w);
      } catch (err) {
        w.state = "failed";
        w.lastError = errText(err);
        throw new ApplicationError(ManagementError.START_FAILED, { message: errText(err) });
      }
      return w.info();
    });
    await reg(NodeProcedure.SHUTDOWN, () => {
      setTimeout(() => void this.shutdown("asked through the management API"), 0);
      return { node: this.#o.nodeId, state: "stopping" };
    });
  }

  async #apiStartWorker(raw: unknown): Promise<Dict | Dict[]> {
    this.#notShuttingDown();
    const given = typeof raw === "object" && raw !== null ? (raw as Dict).id : undefined;
    const configs = this.#checked(validateWorkerFragments(raw));
    if (given === undefined) {
      const base = freeId("worker", this.#workers);
      for (const c of configs) {
        const id = c.type === "router" && c.replica ? `${base}-${c.replica.index}` : base;
        (c as { id: string }).id = id;
        c.options.title = `xbar-${c.type}-${id}`;
        if (c.type === "router" && c.replica) c.replica.of = base;
      }
    }
    for (const c of configs) {
      if (this.#workers.has(c.id)) {
        throw new ApplicationError(ManagementError.WORKER_EXISTS, {
          message: `worker "${c.id}" already exists`,
        });
      }
    }
    const started: Dict[] = [];
    for (const config of configs) {
      try {
        started.push((await this.#addAndLaunch(config)).info());
      } catch (err) {
        const w = this.#workers.get(config.id);
        if (w) await this.#removeWorker(w);
        throw new ApplicationError(ManagementError.START_FAILED, {
          message: errText(err),
          ...(started.length > 0 ? { kwargs: { started: started.map((i) => i.id) } } : {}),
        });
      }
    }
    return configs.length === 1 && !(configs[0].type === "router" && configs[0].replica)
      ? started[0]
      : started;
  }

  #checked<T>(r: FragmentResult<T>): T {
    if (r.ok) return r.value;
    throw new ApplicationError(ManagementError.INVALID_CONFIG, {
      message: fragmentErrorText(r.errors),
      kwargs: { errors: r.errors.map((e) => ({ ...e })) },
    });
  }

  async #registerWorkerProcedures(w: ManagedWorker): Promise<void> {
    const s = this.#session;
    if (!s) return;
    const running = () => {
      if (w.state !== "running") {
        throw new ApplicationError(ManagementError.WORKER_NOT_RUNNING, {
          message: `worker "${w.id}" is ${w.state}`,
        });
      }
    };
    const forward = (op: WorkerOpName) => async (args: List) => {
      running();
      return await this.#callWorker(w, op, args);
    };
    const handlers: Partial<Record<WorkerOpName, (args: List) => unknown>> = {};
    for (const op of OPS[w.type]) handlers[op] = forward(op);
    handlers[WorkerOp.GET_LOGS] = ([limit]) => w.logs(Number(limit ?? 100));
    if (w.type === "router") {
      handlers[WorkerOp.START_REALM] = async ([raw]) => {
        running();
        const realm = this.#checked(validateRealmFragment(raw));
        const out = await this.#callWorker(w, WorkerOp.START_REALM, [realm]);
        w.realms.set(realm.name, realm);
        this.#syncMesh();
        return out;
      };
      handlers[WorkerOp.STOP_REALM] = async ([name]) => {
        running();
        const out = await this.#callWorker(w, WorkerOp.STOP_REALM, [name]);
        w.realms.delete(String(name));
        this.#syncMesh();
        return out;
      };
      handlers[WorkerOp.START_TRANSPORT] = async ([raw]) => {
        running();
        const t: TransportConfig = this.#checked(validateTransportFragment(raw));
        if ((raw as Dict | undefined)?.id === undefined) t.id = freeId("transport", w.transports);
        if (w.transports.has(t.id)) {
          throw new ApplicationError(ManagementError.ALREADY_RUNNING, {
            message: `transport "${t.id}" exists`,
          });
        }
        const out = await this.#callWorker(w, WorkerOp.START_TRANSPORT, [t]);
        w.transports.set(t.id, t);
        return out;
      };
      handlers[WorkerOp.STOP_TRANSPORT] = async ([id]) => {
        running();
        const out = await this.#callWorker(w, WorkerOp.STOP_TRANSPORT, [id]);
        w.transports.delete(String(id));
        return out;
      };
    }
    if (w.type !== "guest") {
      handlers[WorkerOp.START_COMPONENT] = async ([raw]) => {
        running();
        const comp: RouterComponentConfig | ContainerComponentConfig = w.type === "router"
          ? this.#checked(validateRouterComponentFragment(raw, [...w.realms.values()]))
          : this.#checked(validateContainerComponentFragment(raw));
        if ((raw as Dict | undefined)?.id === undefined) {
          comp.id = freeId("component", w.components);
        }
        if (w.components.has(comp.id)) {
          throw new ApplicationError(ManagementError.ALREADY_RUNNING, {
            message: `component "${comp.id}" exists`,
          });
        }
        const options = w.config.type === "guest" ? undefined : w.config.options;
        const out = await this.#callWorker(w, WorkerOp.START_COMPONENT, [
          options ? withWorkerPython(comp, options) : comp,
        ]);
        w.components.set(comp.id, comp);
        return out;
      };
      handlers[WorkerOp.STOP_COMPONENT] = async ([id]) => {
        running();
        const out = await this.#callWorker(w, WorkerOp.STOP_COMPONENT, [id]);
        w.components.delete(String(id));
        return out;
      };
    }
    for (const [op, fn] of Object.entries(handlers)) {
      w.registrations.push(
        await s.register(workerUri(w.id, op as WorkerOpName), (args) => fn(args)),
      );
    }
  }
}

function all() {
  return { call: true, register: true, publish: true, subscribe: true };
}

function freeId(prefix: string, taken: ReadonlyMap<string, unknown>): string {
  for (let n = 1;; n++) {
    const id = `${prefix}${String(n).padStart(3, "0")}`;
    if (!taken.has(id)) return id;
  }
}

/** A Python component with its worker's `pythonpath` and `python` (the worker runs it with them). */
function withWorkerPython<C extends RouterComponentConfig | ContainerComponentConfig>(
  comp: C,
  options: WorkerOptions,
): C {
  if (comp.type === "module") return comp;
  return {
    ...comp,
    pythonpath: options.pythonpath ?? [],
    ...(options.python !== undefined ? { python: options.python } : {}),
  };
}

/**
 * Awaits calls sent back to back: resolves with their values, or rejects with
 * the first failure in call order (the later ones' failures are dropped; they
 * follow from it or are reported by the worker's log).
 */
async function inOrder(calls: Promise<unknown>[]): Promise<unknown[]> {
  for (const p of calls) p.catch(() => {});
  const out: unknown[] = [];
  for (const p of calls) out.push(await p);
  return out;
}
