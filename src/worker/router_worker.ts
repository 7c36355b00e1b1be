/**
 * A router worker: one `Router` with the realms, transports and router
 * components the controller starts on it (replaying the node config, or at
 * runtime through the management API). Every operation takes the
 * normalized config shape of `src/config/types.ts`.
 *
 * @module
 */

import type {
  PythonRouterComponentConfig,
  RealmConfig as NodeRealmConfig,
  RouterComponentConfig,
  TransportConfig,
} from "../config/types.ts";
import type { Dict } from "../wamp/messages.ts";
import { ApplicationError } from "../wamp/errors.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { Logger } from "../log/logger.ts";
import { Router } from "../router/router.ts";
import { configureRoles } from "../router/authz/configure_roles.ts";
import type { AuthenticatorFactory } from "../router/authn/authenticator.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { ManagementError, NodeProcedure, WorkerOp } from "./management_uris.ts";
import type { NodeChannel, WorkerContext, WorkerHost } from "./worker_main.ts";
import type { MetricFamily } from "../metrics/metric_family.ts";
import { isMetricFamilies } from "../metrics/metric_family.ts";
import { linkFamilies, messageTotals, routerFamilies } from "../metrics/router_collector.ts";
import type { NodeSummary } from "../metrics/node_summary.ts";
import type { StatusSource } from "../transport/web_service.ts";
import { routerRealmConfig } from "./realm_config.ts";
import { preloadTransports, type RunningTransport, startTransport } from "./router_transports.ts";
import type { StartedComponent } from "./component.ts";
import type { RunningPythonComponent } from "./python/python_component.ts";
import { importLater } from "../import_later.ts";
import type { LinkPeerSpec, RouterLinks } from "./router_links.ts";
import { LOCAL_LINK_HEARTBEAT_MS } from "./link_heartbeat.ts";
import type { RealmRlinks } from "./rlinks.ts";
import { readRouterBoot, type RouterBoot } from "./router_boot.ts";

export { preloadTransports } from "./router_transports.ts";

/**
 * A router worker's link settings, handed over by the controller in the
 * worker's `configure` call (never on the command line: it carries the node's
 * private key).
 */
export interface RouterLinkSettings {
  /** This router's id on its links: `<node id>/<worker id>`. */
  router_id: string;
  /** The node's Ed25519 public key (64 hex). */
  public_key: string;
  /** The node's Ed25519 private seed (64 hex). */
  private_key: string;
  /** Absolute path of the Unix socket this worker accepts links on. */
  link_socket: string;
  /** Link heartbeat, ms. Default 1000. */
  heartbeat_ms?: number;
  /**
   * Transport types the controller starts next (its config replay): their
   * modules are imported while the worker configures its links and realms.
   */
  preload?: string[];
}

/** Options of a `RouterWorker`. */
export interface RouterWorkerOptions {
  /** Worker id. */
  id: string;
  /** Node directory: relative paths (Unix sockets, TLS files, component modules) are resolved against it. */
  nodeDir: string;
  /** Where to log. */
  logger: Logger;
  /** Links to the node's other router workers (absent: the router links to nobody). */
  links?: RouterLinkSettings;
  /** The controller: the metrics and status page services show the whole node through it. */
  node?: NodeChannel;
}

interface RunningRealm {
  config: NodeRealmConfig;
  started: string;
  /** Its rlinks to other nodes, when it has any. */
  rlinks?: RealmRlinks;
}

interface RunningComponent {
  config: RouterComponentConfig;
  started: string;
  /** Session id. */
  session: number;
  /** Stops it (cleanup, leave; for Python: the process). */
  stop(): Promise<void>;
}

/**
 * Component modules, imported when a config first starts a component
 * (`importLater`): they use `node:path`/`node:url`, and a worker's first
 * `node:` import sets up Deno's Node compatibility layer (start-up time).
 */
const componentModules = {
  module: () =>
    importLater<typeof import("./component.ts")>(new URL("./component.ts", import.meta.url)),
  interpreter: () =>
    importLater<typeof import("./python/interpreter.ts")>(
      new URL("./python/interpreter.ts", import.meta.url),
    ),
  python: () =>
    importLater<typeof import("./python/python_component.ts")>(
      new URL("./python/python_component.ts", import.meta.url),
    ),
};

/**
 * The link listener and dialer (`router_links.ts`, with the RawSocket server
 * and client it uses), imported when the controller first sets this worker's
 * links (`set_links`, after its transports in the replay): not on the path to
 * the first listener (start-up time).
 */
/**
 * Rlinks to other nodes (`rlinks.ts`, with the WebSocket and RawSocket
 * clients they dial with) and their trust rules, imported when a realm with
 * rlinks starts (start-up time).
 */
const rlinkModules = () =>
  Promise.all([
    importLater<typeof import("./rlinks.ts")>(new URL("./rlinks.ts", import.meta.url)),
    importLater<typeof import("../config/rlink_trust.ts")>(
      new URL("../config/rlink_trust.ts", import.meta.url),
    ),
  ]);

/**
 * The router's link identity and link manager (`link/`), imported when the
 * controller's `configure` gives the router its links: a worker booted from
 * its config listens before that (start-up time).
 */
const linkModules = () =>
  Promise.all([
    importLater<typeof import("../router/link/link_identity.ts")>(
      new URL("../router/link/link_identity.ts", import.meta.url),
    ),
    importLater<typeof import("../router/link/link_manager.ts")>(
      new URL("../router/link/link_manager.ts", import.meta.url),
    ),
  ]);

const routerLinksModule = () =>
  importLater<typeof import("./router_links.ts")>(new URL("./router_links.ts", import.meta.url));

function fail(uri: string, message: string): never {
  throw new ApplicationError(uri, { message });
}

/** Lets a router component's in-process session in with its configured role. */
function componentAuthenticator(id: string, role: string): AuthenticatorFactory {
  return () => ({
    hello: () => ({
      kind: "welcome",
      info: { authid: id, authrole: role, authmethod: "trusted", authprovider: "static" },
    }),
    authenticate: () => ({
      kind: "abort",
      uri: ErrorUri.PROTOCOL_VIOLATION,
      message: "AUTHENTICATE without a pending challenge",
    }),
  });
}

/** Realms, transports and components of one router process. */
export class RouterWorker {
  /** The router. */
  readonly router: Router;
  /** Worker id. */
  readonly id: string;
  #nodeDir: string;
  #logger: Logger;
  #realms = new Map<string, RunningRealm>();
  #transports = new Map<string, RunningTransport>();
  #components = new Map<string, RunningComponent>();
  #shuttingDown = false;

  #linkSettings: RouterLinkSettings | undefined;
  /** The link listener, once listening (see `#startLinks`). */
  #links: RouterLinks | undefined;
  #linksStarting: Promise<RouterLinks> | undefined;
  #status: StatusSource | undefined;

  /** Use `RouterWorker.create` (the router's link identity is built asynchronously). */
  private constructor(options: RouterWorkerOptions, router: Router) {
    this.id = options.id;
    this.#nodeDir = options.nodeDir;
    this.#logger = options.logger;
    this.router = router;
    if (options.node) this.#status = nodeStatusSource(options.node);
  }

  /**
   * A router worker; with `options.links`, its router takes links, and the
   * worker listens for them on its link socket from the controller's first
   * `set_links` (its replay sends it after the transports).
   */
  static async create(options: RouterWorkerOptions): Promise<RouterWorker> {
    const worker = RouterWorker.unlinked(options);
    if (options.links) await worker.enableLinks(options.links);
    return worker;
  }

  /**
   * A router worker whose router takes no links until `enableLinks` (a
   * worker started from its boot config: the link identity comes with the
   * controller's `configure`). `options.links` is ignored.
   */
  static unlinked(options: RouterWorkerOptions): RouterWorker {
    return new RouterWorker(
      { ...options, links: undefined },
      new Router({ logger: options.logger }),
    );
  }

  /**
   * Gives the router its link identity (`configure`): from now on it accepts
   * links, and listens for them on its link socket from the first
   * `set_links`. Throws when links are enabled already.
   */
  async enableLinks(l: RouterLinkSettings): Promise<void> {
    if (this.#linkSettings) throw new Error(`router worker "${this.id}" has its links already`);
    const [{ linkIdentity }, { routerLinks }] = await linkModules();
    const identity = await linkIdentity(l.router_id, {
      publicKey: l.public_key,
      privateKey: l.private_key,
    });
    if (this.#linkSettings) throw new Error(`router worker "${this.id}" has its links already`);
    const router = this.router;
    router.enableLinks(routerLinks(identity, {
      heartbeatMs: l.heartbeat_ms ?? LOCAL_LINK_HEARTBEAT_MS,
      siblings: (realm) => siblingRouters(router, l.router_id, realm),
    }));
    this.#linkSettings = l;
  }

  /**
   * Listens for router links on the link socket (once; a failure is thrown as
   * `xbar.error.start_failed` and the next call tries again).
   */
  #startLinks(l: RouterLinkSettings): Promise<RouterLinks> {
    this.#linksStarting ??= (async () => {
      const { RouterLinks } = await routerLinksModule();
      const links = new RouterLinks(this.router, {
        publicKey: l.public_key,
        socketPath: l.link_socket,
        logger: this.#logger,
        heartbeatMs: l.heartbeat_ms,
      });
      try {
        await links.listen();
      } catch (err) {
        this.#linksStarting = undefined;
        fail(
          ManagementError.START_FAILED,
          `cannot listen for router links on "${l.link_socket}": ${
            err instanceof Error ? err.message : err
          }`,
        );
      }
      if (this.#shuttingDown) {
        await links.shutdown();
        fail(ManagementError.NOT_RUNNING, `router worker "${this.id}" is shutting down`);
      }
      this.#logger.log("debug", "listening for router links", {
        router: l.router_id,
        socket: l.link_socket,
      });
      return this.#links = links;
    })();
    return this.#linksStarting;
  }

  /** Starts a realm. Throws `xbar.error.already_running` when one of that name runs. */
  async startRealm(config: NodeRealmConfig): Promise<Dict> {
    const withRlinks = config.rlinks.length > 0 ? await rlinkModules() : undefined;
    if (this.#realms.has(config.name)) {
      fail(
        ManagementError.ALREADY_RUNNING,
        `realm "${config.name}" is already running on worker "${this.id}"`,
      );
    }
    const { realm, roles } = routerRealmConfig(config);
    const r = this.router.addRealm(realm);
    if (roles.length > 0) configureRoles(r, roles, { logger: this.#logger });
    let rlinks: RealmRlinks | undefined;
    if (withRlinks) {
      const [{ RealmRlinks }, { rlinkTrustedKeys }] = withRlinks;
      try {
        rlinks = new RealmRlinks(this.router, config, {
          nodeDir: this.#nodeDir,
          trusted: () =>
            rlinkTrustedKeys({ transports: [...this.#transports.values()].map((t) => t.config) }),
          logger: this.#logger,
        });
      } catch (err) {
        this.router.removeRealm(config.name);
        fail(
          ManagementError.START_FAILED,
          `realm "${config.name}": rlinks: ${err instanceof Error ? err.message : err}`,
        );
      }
      this.#logger.log("info", "rlinks started", {
        realm: config.name,
        rlinks: config.rlinks.map((l) => l.id),
      });
    }
    const started = new Date().toISOString();
    this.#realms.set(config.name, { config, started, ...(rlinks ? { rlinks } : {}) });
    this.#logger.log("info", "realm started", {
      realm: config.name,
      roles: config.roles.map((x) => x.name),
    });
    return { name: config.name, started };
  }

  /** Stops a realm: its sessions get GOODBYE `wamp.close.close_realm`. */
  stopRealm(name: string): Dict {
    const running = this.#realms.get(name);
    if (!running) {
      fail(ManagementError.NOT_RUNNING, `no realm "${name}" on worker "${this.id}"`);
    }
    void running.rlinks?.stop();
    this.router.removeRealm(name);
    this.#realms.delete(name);
    this.#logger.log("info", "realm stopped", { realm: name });
    return { name };
  }

  /** Running realms: `sessions` on this worker, `remote_sessions` on linked routers. */
  getRealms(): Dict[] {
    return [...this.#realms.values()].map((r) => {
      const realm = this.router.realm(r.config.name);
      let remote = 0;
      for (const s of realm?.sessions.values() ?? []) if (s.link) remote++;
      return {
        name: r.config.name,
        started: r.started,
        sessions: (realm?.sessions.size ?? 0) - remote,
        remote_sessions: remote,
        roles: r.config.roles.map((x) => x.name),
      };
    });
  }

  /** Starts a listening transport. */
  async startTransport(config: TransportConfig): Promise<Dict> {
    if (this.#transports.has(config.id)) {
      fail(
        ManagementError.ALREADY_RUNNING,
        `transport "${config.id}" is already running on worker "${this.id}"`,
      );
    }
    let t: RunningTransport;
    try {
      t = await startTransport({
        router: this.router,
        nodeDir: this.#nodeDir,
        logger: this.#logger,
        status: this.#status,
      }, config);
    } catch (err) {
      fail(ManagementError.START_FAILED, err instanceof Error ? err.message : String(err));
    }
    this.#transports.set(config.id, t);
    this.#logger.log("info", "transport started", {
      transport: t.id,
      type: t.type,
      address: t.address,
    });
    return transportInfo(t);
  }

  /** Stops a transport (its connections are closed). */
  async stopTransport(id: string): Promise<Dict> {
    const t = this.#transports.get(id);
    if (!t) fail(ManagementError.NOT_RUNNING, `no transport "${id}" on worker "${this.id}"`);
    this.#transports.delete(id);
    await t.shutdown();
    this.#logger.log("info", "transport stopped", { transport: id });
    return { id };
  }

  /** Running transports. */
  getTransports(): Dict[] {
    return [...this.#transports.values()].map(transportInfo);
  }

  /** Loads and starts a router component on an in-process session. */
  async startComponent(config: RouterComponentConfig): Promise<Dict> {
    if (this.#components.has(config.id)) {
      fail(
        ManagementError.ALREADY_RUNNING,
        `component "${config.id}" is already running on worker "${this.id}"`,
      );
    }
    if (!this.#realms.has(config.realm)) {
      fail(
        ManagementError.START_FAILED,
        `component "${config.id}": realm "${config.realm}" is not running`,
      );
    }
    if (config.type !== "module") return await this.#startPythonComponent(config);
    let main;
    let startComponent;
    try {
      const loaded = await componentModules.module();
      startComponent = loaded.startComponent;
      main = await loaded.loadComponent(this.#nodeDir, config);
    } catch (err) {
      fail(ManagementError.START_FAILED, err instanceof Error ? err.message : String(err));
    }
    const transportId = `xbar.component.${config.id}`;
    this.router.setAuthenticator(transportId, componentAuthenticator(config.id, config.role));
    let session: Session;
    try {
      session = await joinSession(
        localPair(this.router, { info: { transportId, peer: `component:${config.id}` } }),
        config.realm,
        { agent: `xbar-component-${config.id}` },
      );
    } catch (err) {
      fail(
        ManagementError.START_FAILED,
        `component "${config.id}": cannot join realm "${config.realm}" as role "${config.role}": ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
    let component: StartedComponent;
    try {
      component = await startComponent(main, session, config);
    } catch (err) {
      fail(ManagementError.START_FAILED, err instanceof Error ? err.message : String(err));
    }
    const { started, ended } = this.#track(config, session.id, () => component.stop());
    session.closed.then((info) => ended(info.reason));
    this.#logger.log("info", "component started", { component: config.id, realm: config.realm });
    return { id: config.id, realm: config.realm, session: session.id, started };
  }

  /**
   * Records a started component. `ended` is for when its session ends on its
   * own: the component is forgotten (unless it was stopped or replaced
   * meanwhile) and, unless the worker is shutting down, a warning names why.
   */
  #track(
    config: RouterComponentConfig,
    session: number,
    stop: () => Promise<void>,
  ): { started: string; ended: (reason: unknown) => void } {
    const started = new Date().toISOString();
    const entry: RunningComponent = { config, started, session, stop };
    this.#components.set(config.id, entry);
    const ended = (reason: unknown) => {
      if (this.#components.get(config.id) !== entry) return;
      this.#components.delete(config.id);
      if (!this.#shuttingDown) {
        this.#logger.log("warn", "component session ended", { component: config.id, reason });
      }
    };
    return { started, ended };
  }

  /** Stops a component: its cleanup runs, its session leaves. */
  async stopComponent(id: string): Promise<Dict> {
    const c = this.#components.get(id);
    if (!c) fail(ManagementError.NOT_RUNNING, `no component "${id}" on worker "${this.id}"`);
    this.#components.delete(id);
    await c.stop();
    this.#logger.log("info", "component stopped", { component: id });
    return { id };
  }

  /**
   * Starts a Python component (`class`/`function`): a Python process whose
   * session talks RawSocket to this router over the process's stdio, with
   * the component's role (see `python/python_component.ts`).
   */
  async #startPythonComponent(config: PythonRouterComponentConfig): Promise<Dict> {
    const [{ absolutePythonpath, findPythonAsync }, { startPythonComponent }] = await Promise.all([
      componentModules.interpreter(),
      componentModules.python(),
    ]);
    const lookup = await findPythonAsync(config.python, this.#nodeDir);
    if (!lookup.ok) fail(ManagementError.START_FAILED, `component "${config.id}": ${lookup.error}`);
    const transportId = `xbar.component.${config.id}`;
    this.router.setAuthenticator(transportId, componentAuthenticator(config.id, config.role));
    let running: RunningPythonComponent;
    try {
      running = await startPythonComponent({
        config,
        nodeDir: this.#nodeDir,
        python: lookup.python.path,
        pythonpath: absolutePythonpath(config.pythonpath ?? [], this.#nodeDir),
        logger: this.#logger,
        router: { acceptor: this.router, transportId },
      });
    } catch (err) {
      fail(ManagementError.START_FAILED, err instanceof Error ? err.message : String(err));
    }
    const { started, ended } = this.#track(config, running.session, () => running.stop());
    running.ended.then((end) => ended(end.why));
    this.#logger.log("info", "component started", {
      component: config.id,
      realm: config.realm,
      python: lookup.python.path,
      pid: running.pid,
    });
    return { id: config.id, realm: config.realm, session: running.session, started };
  }

  /** Running components. */
  getComponents(): Dict[] {
    return [...this.#components.values()].map((c) => ({
      id: c.config.id,
      ...(c.config.type === "module"
        ? { module: c.config.module }
        : { type: c.config.type, classname: c.config.classname }),
      realm: c.config.realm,
      role: c.config.role,
      session: c.session,
      started: c.started,
    }));
  }

  /**
   * Makes the links this worker dials exactly `specs` (the controller's plan:
   * one per peer worker and shared realm).
   */
  async setLinks(specs: LinkPeerSpec[]): Promise<Dict> {
    if (!this.#linkSettings) {
      fail(ManagementError.NOT_SUPPORTED, `router worker "${this.id}" has no links configured`);
    }
    return (await this.#startLinks(this.#linkSettings)).setPeers(specs);
  }

  /** A peer router worker exited (`up` false) or is back (`up` true). */
  async linkPeer(peer: string, up: boolean): Promise<Dict> {
    if (!this.#linkSettings) return { peer, closed: 0 };
    const links = await this.#startLinks(this.#linkSettings);
    if (up) {
      links.peerUp(peer);
      return { peer, closed: 0 };
    }
    return { peer, closed: links.peerGone(peer) };
  }

  /** Links to other routers: peer, state, remote sessions, queued bytes, counters. */
  getLinks(): Dict[] {
    const rlinks: Dict[] = [];
    for (const r of this.#realms.values()) {
      for (const s of r.rlinks?.status() ?? []) rlinks.push({ realm: r.config.name, ...s });
    }
    // a link an rlink dialed is listed once, as that rlink
    const byRlink = new Set(rlinks.map((l) => `${l.realm}\u0000${l.peer}`));
    const local = (this.#links?.status() ?? []).filter((l) =>
      !(l.dialed && byRlink.has(`${l.realm}\u0000${l.peer}`))
    );
    return [...local, ...rlinks];
  }

  /** This router's metric families: its counters, sessions, connections and links. */
  metrics(): MetricFamily[] {
    return [...routerFamilies(this.router), ...linkFamilies(this.getLinks())];
  }

  /** This worker's part of the node summary: realms, transports, links, message totals. */
  summary(): Dict {
    return {
      realms: this.getRealms().map((r) => ({ name: r.name, sessions: r.sessions })),
      transports: [...this.#transports.values()].map((t) => ({
        type: t.type,
        address: t.address,
      })),
      links: this.getLinks().map((l) => ({
        realm: l.realm,
        peer: l.peer,
        dialed: l.dialed,
        state: l.state,
        ...(l.state === "up"
          ? { remote_sessions: l.remote_sessions, queued_bytes: l.queued_bytes }
          : {}),
      })),
      totals: messageTotals(this.router),
    };
  }

  /**
   * Stops everything: components leave, every session gets GOODBYE
   * `wamp.close.system_shutdown`, transports close (Unix socket files are
   * removed). Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    const components = [...this.#components.values()];
    this.#components.clear();
    await Promise.all(components.map((c) => c.stop()));
    // stops dialing first: no redial of what closes next
    const links = this.#links?.shutdown() ??
      this.#linksStarting?.then((l) => l.shutdown(), () => {});
    const rlinks = [...this.#realms.values()].map((r) =>
      r.rlinks?.stop("router worker shutting down")
    );
    this.router.shutdown("router worker shutting down");
    const transports = [...this.#transports.values()];
    this.#transports.clear();
    await Promise.all(
      transports.map((t) =>
        t.shutdown().catch((err) =>
          this.#logger.log("warn", "transport shutdown failed", {
            transport: t.id,
            error: String(err),
          })
        )
      ),
    );
    await links?.catch((err) =>
      this.#logger.log("warn", "link listener shutdown failed", { error: String(err) })
    );
    await Promise.all(rlinks);
  }
}

/**
 * The router workers of this node that serve `realm`, this one first: the
 * linked routers whose id has this node's prefix (`<node id>/`).
 */
function siblingRouters(router: Router, routerId: string, realm: string): string[] {
  const prefix = routerId.slice(0, routerId.lastIndexOf("/") + 1);
  const out = [routerId];
  for (const link of router.links?.links(realm) ?? []) {
    if (link.open && link.peerRouter.startsWith(prefix)) out.push(link.peerRouter);
  }
  return out;
}

function transportInfo(t: RunningTransport): Dict {
  return { id: t.id, type: t.type, address: t.address, port: t.port, started: t.started };
}

/** Reads the `configure` argument of a router worker. */
export function readRouterLinkSettings(v: unknown): RouterLinkSettings {
  const d = (typeof v === "object" && v !== null ? v : {}) as Dict;
  const hex64 = (x: unknown) => typeof x === "string" && /^[0-9a-f]{64}$/i.test(x);
  if (
    typeof d.router_id !== "string" || d.router_id === "" || !hex64(d.public_key) ||
    !hex64(d.private_key) || typeof d.link_socket !== "string" || d.link_socket === "" ||
    (d.heartbeat_ms !== undefined &&
      (typeof d.heartbeat_ms !== "number" || !(d.heartbeat_ms > 0)))
  ) {
    fail(
      ManagementError.INVALID_CONFIG,
      "configure: expected {router_id, public_key, private_key (64 hex each), link_socket, heartbeat_ms?}",
    );
  }
  return d as unknown as RouterLinkSettings;
}

function readLinkSpecs(v: unknown): LinkPeerSpec[] {
  const ok = Array.isArray(v) &&
    v.every((x) =>
      typeof x === "object" && x !== null && typeof x.realm === "string" &&
      typeof x.peer === "string" && typeof x.path === "string"
    );
  if (!ok) fail(ManagementError.INVALID_CONFIG, "set_links: expected [{realm, peer, path}]");
  return (v as LinkPeerSpec[]).map((x) => ({ realm: x.realm, peer: x.peer, path: x.path }));
}

/** The whole node's metrics and summary, asked of the controller. */
function nodeStatusSource(node: NodeChannel): StatusSource {
  return {
    async metrics() {
      const v = await node.call(NodeProcedure.GET_METRICS);
      if (!isMetricFamilies(v)) {
        throw new Error("the controller answered get_metrics with no metrics");
      }
      return v;
    },
    async summary() {
      const v = await node.call(NodeProcedure.GET_SUMMARY);
      if (typeof v !== "object" || v === null) {
        throw new Error("the controller answered get_summary with no summary");
      }
      return v as NodeSummary;
    },
  };
}

/**
 * What a router worker started from its boot config (`router_boot.ts`) until
 * the controller's replay asks for it: each realm and transport is handed
 * over once, when the replay asks for it with the same config.
 */
class Booted {
  readonly worker: RouterWorker;
  #realms = new Map<string, { json: string; info: Promise<Dict | undefined> }>();
  #transports = new Map<string, { json: string; info: Promise<Dict | undefined> }>();

  /** Starts `boot`'s realms one after the other, then its transports. */
  constructor(ctx: WorkerContext, boot: RouterBoot) {
    const worker = this.worker = RouterWorker.unlinked(ctx);
    // A failure is left to the replay, which starts it again and reports why.
    const quietly = (what: string, start: () => Promise<Dict>) =>
      start().catch((err) => {
        ctx.logger.log("debug", `could not start ${what} from the boot config`, {
          error: err instanceof Error ? err.message : String(err),
        });
        return undefined;
      });
    let realms: Promise<unknown> = Promise.resolve();
    for (const r of boot.realms) {
      const info = realms.then(() => quietly(`realm "${r.name}"`, () => worker.startRealm(r)));
      this.#realms.set(r.name, { json: JSON.stringify(r), info });
      realms = info;
    }
    for (const t of boot.transports) {
      const info = realms.then(() =>
        quietly(`transport "${t.id}"`, () => worker.startTransport(t))
      );
      this.#transports.set(t.id, { json: JSON.stringify(t), info });
    }
  }

  /** The realm as started from the boot config, if it was with `config`; undefined otherwise. */
  realm(config: NodeRealmConfig): Promise<Dict | undefined> {
    return this.#handOver(
      this.#realms,
      config.name,
      config,
      () => this.worker.stopRealm(config.name),
    );
  }

  /** The transport as started from the boot config, if it was with `config`; undefined otherwise. */
  transport(config: TransportConfig): Promise<Dict | undefined> {
    return this.#handOver(
      this.#transports,
      config.id,
      config,
      () => this.worker.stopTransport(config.id),
    );
  }

  /**
   * Hands over what `key` started as (once): its info when `config` is the
   * one it was started with; otherwise stops it (the replay's config wins).
   */
  async #handOver(
    started: Map<string, { json: string; info: Promise<Dict | undefined> }>,
    key: string,
    config: unknown,
    stop: () => unknown,
  ): Promise<Dict | undefined> {
    const b = started.get(key);
    if (!b) return undefined;
    started.delete(key);
    const info = await b.info;
    if (info && b.json === JSON.stringify(config)) return info;
    if (info) await stop();
    return undefined;
  }

  /**
   * Stops what the replay did not ask for (at its end, `set_links`): the
   * worker runs what the controller knows of, nothing more.
   */
  async settle(): Promise<void> {
    const transports = [...this.#transports.entries()];
    const realms = [...this.#realms.entries()];
    this.#transports.clear();
    this.#realms.clear();
    for (const [id, b] of transports) if (await b.info) await this.worker.stopTransport(id);
    for (const [name, b] of realms) if (await b.info) this.worker.stopRealm(name);
  }
}

/**
 * The router worker as the worker process runs it (see `worker_main.ts`).
 * The controller's first call is `configure` (the router's link identity and
 * socket); every other operation waits for it. The controller may send its
 * replay's calls without waiting for each answer (start-up time): an
 * operation that arrives while `configure` is under way runs when it is done,
 * in the order the calls arrived, and fails with its error if it fails.
 *
 * With a boot config (`ctx.boot`, see `router_boot.ts`) the worker starts
 * its realms and transports at once, before the controller has joined;
 * `configure` then gives that router its link identity, and the replay's
 * `start_realm`/`start_transport` for them answer what was started (a config
 * that differs replaces it). What the replay did not ask for is stopped at
 * its `set_links`.
 */
export function routerWorkerHost(ctx: WorkerContext): WorkerHost {
  let worker: RouterWorker | undefined;
  let configuring: Promise<RouterWorker> | undefined;
  const boot = ctx.boot === undefined ? undefined : readRouterBoot(ctx.boot);
  if (ctx.boot !== undefined && !boot) {
    ctx.logger.log("warn", "the boot config is not one; waiting for the controller");
  }
  let booted = boot ? new Booted(ctx, boot) : undefined;
  const w = async (): Promise<RouterWorker> => {
    if (worker) return worker;
    if (!configuring) {
      fail(ManagementError.NOT_RUNNING, `router worker "${ctx.id}" is not configured yet`);
    }
    return await configuring;
  };
  // Realms start and stop in the order asked (a realm with rlinks imports
  // their modules first); transports and components wait for the realms
  // asked before them.
  let realmsDone: Promise<unknown> = Promise.resolve();
  const realmOp = <T>(op: (w: RouterWorker) => T | Promise<T>): Promise<T> => {
    const p = realmsDone.then(async () => op(await w()));
    realmsDone = p.catch(() => {});
    return p;
  };
  return {
    procedures: {
      [WorkerOp.CONFIGURE]: async ([settings]) => {
        if (configuring) {
          fail(ManagementError.ALREADY_RUNNING, `router worker "${ctx.id}" is already configured`);
        }
        const links = readRouterLinkSettings(settings);
        if (Array.isArray(links.preload)) preloadTransports(links.preload);
        const b = booted?.worker;
        const pending = configuring = b
          ? b.enableLinks(links).then(() => b)
          : RouterWorker.create({ ...ctx, links });
        try {
          worker = await pending;
        } catch (err) {
          if (configuring === pending) configuring = undefined;
          throw err;
        }
        return { id: ctx.id, router_id: links.router_id, link_socket: links.link_socket };
      },
      [WorkerOp.GET_REALMS]: () => realmOp((x) => x.getRealms()),
      [WorkerOp.START_REALM]: ([config]) =>
        realmOp(async (x) =>
          await booted?.realm(config as NodeRealmConfig) ??
            await x.startRealm(config as NodeRealmConfig)
        ),
      [WorkerOp.STOP_REALM]: ([name]) => realmOp((x) => x.stopRealm(String(name))),
      [WorkerOp.GET_TRANSPORTS]: async () => (await w()).getTransports(),
      [WorkerOp.START_TRANSPORT]: async ([config]) => {
        await realmsDone;
        const x = await w();
        return await booted?.transport(config as TransportConfig) ??
          await x.startTransport(config as TransportConfig);
      },
      [WorkerOp.STOP_TRANSPORT]: async ([id]) => await (await w()).stopTransport(String(id)),
      [WorkerOp.GET_COMPONENTS]: async () => (await w()).getComponents(),
      [WorkerOp.START_COMPONENT]: async ([config]) => {
        await realmsDone;
        return await (await w()).startComponent(config as RouterComponentConfig);
      },
      [WorkerOp.STOP_COMPONENT]: async ([id]) => await (await w()).stopComponent(String(id)),
      [WorkerOp.SET_LINKS]: async ([specs]) => {
        const x = await w();
        const b = booted;
        booted = undefined;
        await b?.settle();
        return await x.setLinks(readLinkSpecs(specs));
      },
      [WorkerOp.LINK_PEER]: async ([peer, up]) =>
        await (await w()).linkPeer(String(peer), up === true),
      [WorkerOp.GET_LINKS]: async () => (await w()).getLinks(),
    },
    metrics: () => worker?.metrics() ?? [],
    summary: () => worker?.summary() ?? {},
    shutdown: async () => {
      const pending = configuring;
      if (pending) await (await pending.catch(() => undefined))?.shutdown();
      else await booted?.worker.shutdown();
    },
  };
}
