/**
 * A router worker: one `Router` with the realms, transports and router
 * components the controller starts on it (replaying the node config, or at
 * runtime through the management API). Every operation takes the
 * normalized config shape of `src/config/types.ts`.
 *
 * @module
 */

import type {
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
import { ManagementError, WorkerOp } from "./management_uris.ts";
import type { WorkerHost } from "./worker_main.ts";
import { routerRealmConfig } from "./realm_config.ts";
import { type RunningTransport, startTransport } from "./router_transports.ts";
import { loadComponent, startComponent, type StartedComponent } from "./component.ts";

/** Options of a `RouterWorker`. */
export interface RouterWorkerOptions {
  /** Worker id. */
  id: string;
  /** Node directory: relative paths (Unix sockets, TLS files, component modules) are resolved against it. */
  nodeDir: string;
  /** Where to log. */
  logger: Logger;
}

interface RunningRealm {
  config: NodeRealmConfig;
  started: string;
}

interface RunningComponent {
  config: RouterComponentConfig;
  started: string;
  session: Session;
  component: StartedComponent;
}

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

  /** @param options see RouterWorkerOptions */
  constructor(options: RouterWorkerOptions) {
    this.id = options.id;
    this.#nodeDir = options.nodeDir;
    this.#logger = options.logger;
    this.router = new Router({ logger: options.logger });
  }

  /** Starts a realm. Throws `xbar.error.already_running` when one of that name runs. */
  startRealm(config: NodeRealmConfig): Dict {
    if (this.#realms.has(config.name)) {
      fail(
        ManagementError.ALREADY_RUNNING,
        `realm "${config.name}" is already running on worker "${this.id}"`,
      );
    }
    const { realm, roles } = routerRealmConfig(config);
    const r = this.router.addRealm(realm);
    if (roles.length > 0) configureRoles(r, roles, { logger: this.#logger });
    if (config.rlinks.length > 0) {
      this.#logger.log("warn", "router-to-router links are not supported yet; ignoring rlinks", {
        realm: config.name,
        rlinks: config.rlinks.map((l) => l.id),
      });
    }
    const started = new Date().toISOString();
    this.#realms.set(config.name, { config, started });
    this.#logger.log("info", "realm started", {
      realm: config.name,
      roles: config.roles.map((x) => x.name),
    });
    return { name: config.name, started };
  }

  /** Stops a realm: its sessions get GOODBYE `wamp.close.close_realm`. */
  stopRealm(name: string): Dict {
    if (!this.#realms.has(name)) {
      fail(ManagementError.NOT_RUNNING, `no realm "${name}" on worker "${this.id}"`);
    }
    this.router.removeRealm(name);
    this.#realms.delete(name);
    this.#logger.log("info", "realm stopped", { realm: name });
    return { name };
  }

  /** Running realms. */
  getRealms(): Dict[] {
    return [...this.#realms.values()].map((r) => {
      const realm = this.router.realm(r.config.name);
      return {
        name: r.config.name,
        started: r.started,
        sessions: realm?.sessions.size ?? 0,
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
    let main;
    try {
      main = await loadComponent(this.#nodeDir, config);
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
    const started = new Date().toISOString();
    this.#components.set(config.id, { config, started, session, component });
    session.closed.then((info) => {
      if (this.#components.get(config.id)?.session !== session) return;
      this.#components.delete(config.id);
      if (!this.#shuttingDown) {
        this.#logger.log("warn", "component session ended", {
          component: config.id,
          reason: info.reason,
        });
      }
    });
    this.#logger.log("info", "component started", { component: config.id, realm: config.realm });
    return { id: config.id, realm: config.realm, session: session.id, started };
  }

  /** Stops a component: its cleanup runs, its session leaves. */
  async stopComponent(id: string): Promise<Dict> {
    const c = this.#components.get(id);
    if (!c) fail(ManagementError.NOT_RUNNING, `no component "${id}" on worker "${this.id}"`);
    this.#components.delete(id);
    await c.component.stop();
    this.#logger.log("info", "component stopped", { component: id });
    return { id };
  }

  /** Running components. */
  getComponents(): Dict[] {
    return [...this.#components.values()].map((c) => ({
      id: c.config.id,
      module: c.config.module,
      realm: c.config.realm,
      role: c.config.role,
      session: c.session.id,
      started: c.started,
    }));
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
    await Promise.all(components.map((c) => c.component.stop()));
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
  }
}

function transportInfo(t: RunningTransport): Dict {
  return { id: t.id, type: t.type, address: t.address, port: t.port, started: t.started };
}

/** The router worker as the worker process runs it (see `worker_main.ts`). */
export function routerWorkerHost(ctx: { id: string; nodeDir: string; logger: Logger }): WorkerHost {
  const w = new RouterWorker(ctx);
  return {
    procedures: {
      [WorkerOp.GET_REALMS]: () => w.getRealms(),
      [WorkerOp.START_REALM]: ([config]) => w.startRealm(config as NodeRealmConfig),
      [WorkerOp.STOP_REALM]: ([name]) => w.stopRealm(String(name)),
      [WorkerOp.GET_TRANSPORTS]: () => w.getTransports(),
      [WorkerOp.START_TRANSPORT]: ([config]) => w.startTransport(config as TransportConfig),
      [WorkerOp.STOP_TRANSPORT]: ([id]) => w.stopTransport(String(id)),
      [WorkerOp.GET_COMPONENTS]: () => w.getComponents(),
      [WorkerOp.START_COMPONENT]: ([config]) => w.startComponent(config as RouterComponentConfig),
      [WorkerOp.STOP_COMPONENT]: ([id]) => w.stopComponent(String(id)),
    },
    shutdown: () => w.shutdown(),
  };
}
