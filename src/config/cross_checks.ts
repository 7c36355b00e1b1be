/**
 * Rules that span sections, run after every section was read: listening
 * endpoint clashes, realms and roles named elsewhere than where they are
 * defined.
 *
 * Crossbar semantics for roles named by a transport's `auth`: a transport is
 * not bound to a realm (the client names the realm in HELLO), so a role named
 * there must exist on at least one realm of the same router worker; a
 * cryptosign principal pinned to a `realm` needs that realm, with the role, on
 * that worker. Roles handed out by dynamic authenticators cannot be checked.
 * `trusted` exists on every realm, and `anonymous` may join a realm without
 * it (a warning: such sessions may do nothing), as in Crossbar.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import type { ConfigPath } from "./path.ts";
import type {
  AuthConfig,
  ConnectingTransportConfig,
  ListeningEndpointConfig,
  RouterWorkerConfig,
  WebServiceConfig,
} from "./types.ts";
import type { CheckedWorker } from "./validate_worker.ts";
import { checkRlinks } from "./rlink_checks.ts";

/** A worker with its position in `workers`. */
export interface PlacedWorker extends CheckedWorker {
  /** Index in the config's `workers` list. */
  index: number;
}

interface Listener {
  endpoint: ListeningEndpointConfig;
  path: ConfigPath;
  worker: number;
  label: string;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "", "*"]);
const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "ip6-localhost"]);

function interfacesOverlap(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}

function normalizeSocketPath(p: string): string {
  return p.replace(/^\.\//, "").replace(/\/+/g, "/");
}

function listeners(workers: PlacedWorker[]): Listener[] {
  const out: Listener[] = [];
  for (const w of workers) {
    if (w.worker.type !== "router") continue;
    w.worker.transports.forEach((t, j) => {
      const path = ["workers", w.index, "transports", w.transportIndex[j], "endpoint"];
      out.push({
        endpoint: t.endpoint,
        path,
        worker: w.index,
        label: `workers[${w.index}].transports[${w.transportIndex[j]}]`,
      });
    });
  }
  return out;
}

function checkClashes(c: Checker, all: Listener[]): void {
  all.forEach((b, j) => {
    for (const a of all.slice(0, j)) {
      const ea = a.endpoint;
      const eb = b.endpoint;
      if (ea.type === "tcp" && eb.type === "tcp") {
        if (
          !(eb.port > 0) || ea.port !== eb.port || !interfacesOverlap(ea.interface, eb.interface)
        ) continue;
        if (a.worker === b.worker) {
          c.error(
            [...b.path, "port"],
            `port ${eb.port} on ${eb.interface} is already used by ${a.label} of the same worker`,
          );
        } else if (!(ea.shared && eb.shared)) {
          c.error(
            [...b.path, "port"],
            `port ${eb.port} on ${eb.interface} is already used by ${a.label} ` +
              `(set "shared": true on both endpoints to share it between workers)`,
          );
        } else continue;
        return;
      }
      if (
        ea.type === "unix" && eb.type === "unix" && ea.path !== "" &&
        normalizeSocketPath(ea.path) === normalizeSocketPath(eb.path)
      ) {
        c.error([...b.path, "path"], `unix socket "${eb.path}" is already used by ${a.label}`);
        return;
      }
    }
  });
}

function realmNames(w: RouterWorkerConfig): string {
  return w.realms.length === 0 ? "none" : w.realms.map((r) => r.name).join(", ");
}

function checkRealmRole(
  c: Checker,
  w: RouterWorkerConfig,
  wi: number,
  realm: string,
  role: string | undefined,
  realmPath: ConfigPath,
  rolePath: ConfigPath,
): void {
  if (realm === "") return;
  const r = w.realms.find((x) => x.name === realm);
  if (!r) {
    c.error(
      realmPath,
      `realm "${realm}" is not served by workers[${wi}] (its realms: ${realmNames(w)})`,
    );
    return;
  }
  if (
    role !== undefined && role !== "" && role !== "trusted" && !r.roles.some((x) => x.name === role)
  ) {
    const text = `role "${role}" is not defined on realm "${realm}" (its roles: ${
      r.roles.map((x) => x.name).join(", ") || "none"
    })`;
    // as in Crossbar, "anonymous" may join a realm without that role, and do nothing there
    if (role === "anonymous") c.warn(rolePath, `${text}: its sessions are denied every action`);
    else c.error(rolePath, text);
  }
}

function checkAuthRoles(
  c: Checker,
  w: RouterWorkerConfig,
  wi: number,
  auth: AuthConfig,
  path: ConfigPath,
): void {
  const anyRealm = (role: string | undefined, rolePath: ConfigPath) => {
    if (role === undefined || role === "" || role === "trusted" || w.realms.length === 0) return;
    if (!w.realms.some((r) => r.roles.some((x) => x.name === role))) {
      const text = `role "${role}" is not defined on any realm of workers[${wi}] (realms: ${
        realmNames(w)
      })`;
      // Crossbar lets anonymous sessions join a realm without that role; they may do nothing.
      if (role === "anonymous") {
        c.warn(rolePath, `${text}: anonymous sessions can join but every action is denied`);
      } else c.error(rolePath, text);
    }
  };
  if (auth.anonymous?.type === "static") {
    const a = auth.anonymous;
    if (a.realm !== undefined) {
      const ap = [...path, "anonymous"];
      checkRealmRole(c, w, wi, a.realm, a.role, [...ap, "realm"], [...ap, "role"]);
    } else anyRealm(a.role, [...path, "anonymous", "role"]);
  }
  for (const m of ["anonymous", "ticket", "wampcra", "cryptosign"] as const) {
    const d = auth[m];
    if (d?.type !== "dynamic") continue;
    const dp = [...path, m];
    const realm = d["authenticator-realm"];
    const role = d["authenticator-role"];
    if (realm !== undefined) {
      checkRealmRole(
        c,
        w,
        wi,
        realm,
        role === "trusted" ? undefined : role,
        [...dp, "authenticator-realm"],
        [...dp, "authenticator-role"],
      );
    } else if (role !== undefined && role !== "trusted") {
      anyRealm(role, [...dp, "authenticator-role"]);
    }
  }
  if (auth.ticket?.type === "static") {
    for (const [id, p] of Object.entries(auth.ticket.principals)) {
      anyRealm(p.role, [...path, "ticket", "principals", id, "role"]);
    }
  }
  if (auth.wampcra?.type === "static") {
    for (const [id, u] of Object.entries(auth.wampcra.users)) {
      anyRealm(u.role, [...path, "wampcra", "users", id, "role"]);
    }
  }
  if (auth.cryptosign?.type === "static") {
    for (const [id, p] of Object.entries(auth.cryptosign.principals)) {
      const pp = [...path, "cryptosign", "principals", id];
      if (p.realm !== undefined) {
        checkRealmRole(c, w, wi, p.realm, p.role, [...pp, "realm"], [...pp, "role"]);
      } else anyRealm(p.role, [...pp, "role"]);
    }
  }
}

function checkWebServices(
  c: Checker,
  w: RouterWorkerConfig,
  wi: number,
  paths: Record<string, WebServiceConfig>,
  path: ConfigPath,
): void {
  for (const [key, s] of Object.entries(paths)) {
    const sp = [...path, key];
    if (s.type === "websocket") checkAuthRoles(c, w, wi, s.auth, [...sp, "auth"]);
    else if (s.type === "caller" || s.type === "publisher") {
      checkRealmRole(c, w, wi, s.realm, s.role, [...sp, "realm"], [...sp, "role"]);
    } else if (s.type === "path") checkWebServices(c, w, wi, s.paths, [...sp, "paths"]);
  }
}

/** The router worker a connecting transport reaches, when it points at a listener of this node. */
function routerFor(
  transport: ConnectingTransportConfig,
  all: Listener[],
): { worker: number; local: boolean } | undefined {
  const e = transport.endpoint;
  if (e.type === "unix") {
    if (e.path === "") return undefined;
    const hit = all.find((l) =>
      l.endpoint.type === "unix" &&
      normalizeSocketPath(l.endpoint.path) === normalizeSocketPath(e.path)
    );
    return hit ? { worker: hit.worker, local: true } : undefined;
  }
  const local = LOOPBACK.has(e.host);
  const hit = all.find((l) =>
    l.endpoint.type === "tcp" && l.endpoint.port === e.port &&
    (l.endpoint.interface === e.host ||
      (local && (WILDCARDS.has(l.endpoint.interface) || LOOPBACK.has(l.endpoint.interface))))
  );
  return hit ? { worker: hit.worker, local: true } : undefined;
}

/** Runs every cross-section rule over the workers read so far. */
export function crossCheck(c: Checker, workers: PlacedWorker[]): void {
  const all = listeners(workers);
  checkClashes(c, all);
  const routers = workers.filter((w): w is PlacedWorker & { worker: RouterWorkerConfig } =>
    w.worker.type === "router"
  );
  const servedAnywhere = new Set(routers.flatMap((w) => w.worker.realms.map((r) => r.name)));

  for (const w of routers) {
    const wi = w.index;
    if (w.worker.realms.length === 0 && w.worker.transports.length > 0) {
      c.warn(
        ["workers", wi],
        "router has transports but no realms: no session can join until a realm is started at runtime",
      );
    }
    w.worker.transports.forEach((t, j) => {
      const tp = ["workers", wi, "transports", w.transportIndex[j]];
      if (t.type === "web") checkWebServices(c, w.worker, wi, t.paths, [...tp, "paths"]);
      else if (t.type === "universal") {
        if (t.rawsocket) {
          checkAuthRoles(c, w.worker, wi, t.rawsocket.auth, [...tp, "rawsocket", "auth"]);
        }
        checkWebServices(c, w.worker, wi, t.websocket, [...tp, "websocket"]);
        if (t.web) checkWebServices(c, w.worker, wi, t.web.paths, [...tp, "web", "paths"]);
      } else checkAuthRoles(c, w.worker, wi, t.auth, [...tp, "auth"]);
    });
    w.worker.components.forEach((comp, j) => {
      const cp = ["workers", wi, "components", w.componentIndex[j]];
      checkRealmRole(c, w.worker, wi, comp.realm, comp.role, [...cp, "realm"], [...cp, "role"]);
    });
    checkRlinks(c, w.worker, wi, w.realmIndex);
  }

  for (const w of workers) {
    if (w.worker.type !== "container") continue;
    w.worker.components.forEach((comp, j) => {
      const cp = ["workers", w.index, "components", w.componentIndex[j]];
      if (comp.realm === "") return;
      const target = routerFor(comp.transport, all);
      if (target) {
        const router = routers.find((r) => r.index === target.worker);
        if (router && !router.worker.realms.some((r) => r.name === comp.realm)) {
          c.error(
            [...cp, "realm"],
            `realm "${comp.realm}" is not served by workers[${target.worker}], which its transport connects to ` +
              `(its realms: ${realmNames(router.worker)})`,
          );
        }
        return;
      }
      const e = comp.transport.endpoint;
      const local = e.type === "unix" || LOOPBACK.has(e.host);
      if (!local) return; // another host: its realms are not ours to check
      const where = e.type === "unix" ? `unix socket "${e.path}"` : `${e.host}:${e.port}`;
      c.warn([...cp, "transport", "endpoint"], `no transport of this node listens on ${where}`);
      if (routers.length > 0 && !servedAnywhere.has(comp.realm)) {
        c.error(
          [...cp, "realm"],
          `realm "${comp.realm}" is not served by any router worker of this node (realms: ${
            [...servedAnywhere].join(", ") || "none"
          })`,
        );
      }
    });
  }
}
