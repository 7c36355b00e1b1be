/**
 * Workers: `router`, `container` and `guest`, with their options, including
 * xbar's `restart` supervision policy.
 *
 * @module
 */

import { type Checker, describe } from "./_checker.ts";
import { ID, ID_TEXT } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_RESTART_POLICY, defaultProcessEnv, generateId } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type {
  ContainerComponentConfig,
  ContainerOptions,
  GuestOptions,
  GuestWatch,
  ProcessEnv,
  PythonComponentBase,
  RealmConfig,
  RestartPolicy,
  RouterComponentConfig,
  TransportConfig,
  WorkerConfig,
  WorkerOptions,
} from "./types.ts";
import { MANHOLE, PYTHON_WORKER_OPTIONS, UNSUPPORTED_WORKER_TYPES } from "./unsupported.ts";
import {
  checkContainerComponent,
  checkRouterComponent,
  pythonModules,
} from "./validate_component.ts";
import { checkRealm } from "./validate_realm.ts";
import { checkTransport } from "./validate_transport.ts";

const COMMON_OPTIONS = ["title", "env", "restart", "disabled", "extra"];
/** Options of the workers that run Python components (routers and containers). */
const PYTHON_OPTIONS = ["pythonpath", "python"];
const UNSUPPORTED_WORKER_KEYS = {
  manhole: MANHOLE,
  connections: "database connection pools",
};

/** Reads a restart policy object (xbar extension). */
export function checkRestartPolicy(c: Checker, path: ConfigPath, v: unknown): RestartPolicy {
  const out = { ...DEFAULT_RESTART_POLICY };
  const o = c.object(path, v, {
    optional: ["policy", "max_restarts", "window", "initial_delay", "max_delay", "multiplier"],
  });
  if (!o) return out;
  const p = (k: string) => [...path, k];
  out.policy = c.oneOf(p("policy"), o.policy, ["always", "on-failure", "never"] as const) ??
    out.policy;
  out.max_restarts = c.integer(p("max_restarts"), o.max_restarts, { min: 0 }) ?? out.max_restarts;
  out.window = c.integer(p("window"), o.window, { min: 1 }) ?? out.window;
  out.initial_delay = c.integer(p("initial_delay"), o.initial_delay, { min: 0 }) ??
    out.initial_delay;
  out.max_delay = c.integer(p("max_delay"), o.max_delay, { min: 0 }) ?? out.max_delay;
  out.multiplier = c.number(p("multiplier"), o.multiplier, { min: 1, max: 100, fraction: true }) ??
    out.multiplier;
  if (out.max_delay < out.initial_delay && o.max_delay !== undefined) {
    c.error(
      p("max_delay"),
      `must be at least initial_delay (${out.initial_delay}), got ${out.max_delay}`,
    );
  }
  return out;
}

function processEnv(c: Checker, path: ConfigPath, v: unknown): ProcessEnv {
  const out = defaultProcessEnv();
  const o = c.object(path, v, { optional: ["inherit", "vars"] });
  if (!o) return out;
  if (typeof o.inherit === "boolean") out.inherit = o.inherit;
  else if (Array.isArray(o.inherit)) {
    out.inherit = c.stringList([...path, "inherit"], o.inherit, { nonEmpty: true }) ?? true;
  } else if (o.inherit !== undefined) {
    c.error(
      [...path, "inherit"],
      `must be true, false or a list of variable names, got ${describe(o.inherit)}`,
    );
  }
  out.vars = c.freeStringMap([...path, "vars"], o.vars) ?? {};
  return out;
}

function commonOptions(c: Checker, path: ConfigPath, o: Record<string, unknown>): WorkerOptions {
  const p = (k: string) => [...path, k];
  const out: WorkerOptions = {
    title: c.string(p("title"), o.title, { nonEmpty: true }) ?? "",
    env: processEnv(c, p("env"), o.env),
    restart: typeof o.restart === "string"
      ? { ...DEFAULT_RESTART_POLICY }
      : checkRestartPolicy(c, p("restart"), o.restart),
    disabled: c.boolean(p("disabled"), o.disabled) ?? false,
  };
  if (o.extra !== undefined) out.extra = o.extra;
  const pythonpath = c.stringList(p("pythonpath"), o.pythonpath, { nonEmpty: true });
  if (pythonpath !== undefined) out.pythonpath = pythonpath;
  const python = c.string(p("python"), o.python, { nonEmpty: true });
  if (python !== undefined) out.python = python;
  return out;
}

/**
 * Asks the environment rule (when given) whether the worker's Python
 * components can run: an interpreter with Autobahn|Python, and each module
 * on the search path. Errors land on the component's `classname`/`callbacks`.
 */
function checkPythonComponents(
  c: Checker,
  path: ConfigPath,
  options: WorkerOptions,
  components: { item: RouterComponentConfig | ContainerComponentConfig; index: number }[],
): void {
  const py = components.filter((x) => x.item.type !== "module") as {
    item: PythonComponentBase;
    index: number;
  }[];
  const rule = c.environment?.python;
  if (py.length === 0 || !rule) return;
  const modules = [...new Set(py.flatMap((x) => pythonModules(x.item)))];
  const verdict = rule({ python: options.python, pythonpath: options.pythonpath ?? [], modules });
  for (const { item, index } of py) {
    const at = [...path, "components", index, item.type === "class" ? "classname" : "callbacks"];
    if (verdict.error) {
      c.error(at, verdict.error);
      continue;
    }
    for (const m of pythonModules(item)) {
      const why = verdict.missing[m];
      if (why) c.error(at, why);
    }
  }
}

const CROSSBAR_COMPONENT_RESTART = {
  "restart-always": "always",
  "restart-on-failed": "on-failure",
  "restart-never": "never",
} as const;

function containerOptions(c: Checker, path: ConfigPath, v: unknown): ContainerOptions {
  const o = c.object(path, v ?? {}, {
    optional: [...COMMON_OPTIONS, ...PYTHON_OPTIONS, "shutdown", "component_restart"],
    unsupported: PYTHON_WORKER_OPTIONS,
  }) ?? {};
  const out: ContainerOptions = {
    ...commonOptions(c, path, o),
    shutdown: c.oneOf(
      [...path, "shutdown"],
      o.shutdown,
      [
        "shutdown-manual",
        "shutdown-on-last-component-stopped",
        "shutdown-on-any-component-failed",
        "shutdown-on-any-component-stopped",
      ] as const,
    ) ?? "shutdown-manual",
    component_restart: "on-failure",
  };
  if (typeof o.restart === "string") {
    const mode = c.oneOf(
      [...path, "restart"],
      o.restart,
      Object.keys(CROSSBAR_COMPONENT_RESTART) as (keyof typeof CROSSBAR_COMPONENT_RESTART)[],
    );
    if (mode) out.component_restart = CROSSBAR_COMPONENT_RESTART[mode];
    if (o.component_restart !== undefined) {
      c.error(
        [...path, "component_restart"],
        `give the component restart mode once: "restart" (Crossbar string) or "component_restart"`,
        "key",
      );
    }
  }
  out.component_restart = c.oneOf(
    [...path, "component_restart"],
    o.component_restart,
    ["always", "on-failure", "never"] as const,
  ) ??
    out.component_restart;
  const impossible: Record<string, string[]> = {
    always: [
      "shutdown-on-any-component-stopped",
      "shutdown-on-any-component-failed",
      "shutdown-on-last-component-stopped",
    ],
    "on-failure": ["shutdown-on-any-component-failed"],
  };
  if (o.shutdown !== undefined && impossible[out.component_restart]?.includes(out.shutdown)) {
    c.error(
      [...path, "shutdown"],
      `"${out.shutdown}" never happens when failed components are restarted ("${out.component_restart}")`,
    );
  }
  return out;
}

function guestWatch(c: Checker, path: ConfigPath, v: unknown): GuestWatch | undefined {
  if (v === undefined) return undefined;
  const o = c.object(path, v, { required: ["directories", "action"], optional: ["timeout"] });
  if (!o) return undefined;
  const p = (k: string) => [...path, k];
  const directories = c.stringList(p("directories"), o.directories, { nonEmpty: true }) ?? [];
  if (Array.isArray(o.directories) && o.directories.length === 0) {
    c.error(p("directories"), "must name at least one directory");
  }
  directories.forEach((d, i) => {
    const why = c.environment?.directory?.(d);
    if (why) c.error([...path, "directories", i], why);
  });
  const action = c.oneOf(p("action"), o.action, ["restart"] as const);
  return {
    directories,
    action: action ?? "restart",
    timeout: c.number(p("timeout"), o.timeout, { min: 0, max: 3600, fraction: true }) ?? 1,
  };
}

function guestOptions(c: Checker, path: ConfigPath, v: unknown): GuestOptions {
  const o = c.object(path, v ?? {}, {
    optional: [...COMMON_OPTIONS, "workdir", "stdin", "stdout", "stderr", "watch"],
  }) ?? {};
  const p = (k: string) => [...path, k];
  if (typeof o.restart === "string") {
    c.error(
      p("restart"),
      `must be a restart policy object like {policy: "on-failure"}, got ${describe(o.restart)}`,
    );
  }
  const outputs = ["close", "log", "drop"] as const;
  const out: GuestOptions = {
    ...commonOptions(c, path, o),
    stdin: "close",
    stdout: c.oneOf(p("stdout"), o.stdout, outputs) ?? "log",
    stderr: c.oneOf(p("stderr"), o.stderr, outputs) ?? "log",
  };
  const workdir = c.string(p("workdir"), o.workdir, { nonEmpty: true });
  if (workdir !== undefined) out.workdir = workdir;
  const watch = guestWatch(c, p("watch"), o.watch);
  if (watch) out.watch = watch;
  if (typeof o.stdin === "string" || o.stdin === undefined) {
    c.oneOf(p("stdin"), o.stdin, ["close"] as const);
  } else {
    const s = c.object(p("stdin"), o.stdin, { required: ["type", "value"], optional: ["close"] });
    if (s) {
      c.oneOf([...path, "stdin", "type"], s.type, ["json"] as const);
      out.stdin = {
        type: "json",
        value: s.value,
        close: c.boolean([...path, "stdin", "close"], s.close) ?? true,
      };
    }
  }
  return out;
}

function assignIds<T extends { id: string }>(
  c: Checker,
  items: { item: T; index: number }[],
  path: (index: number) => ConfigPath,
  prefix: string,
  what: string,
): void {
  const taken = new Map<string, number>();
  for (const { item, index } of items) {
    if (item.id === "") continue;
    const first = taken.get(item.id);
    if (first !== undefined) {
      c.error(
        [...path(index), "id"],
        `duplicate ${what} id "${item.id}" (also ${formatIndex(path(first))})`,
      );
    } else taken.set(item.id, index);
  }
  const ids = new Set(taken.keys());
  for (const { item } of items) if (item.id === "") item.id = generateId(prefix, ids);
}

function formatIndex(path: ConfigPath): string {
  const last = path.slice(-2);
  return `${last[0]}[${last[1]}]`;
}

/** Most replicas of one router worker block. */
export const MAX_REPLICAS = 64;

/**
 * The rules a router worker block with `replicas` > 1 must keep: its
 * replicas are separate processes listening with the same config, so every
 * TCP endpoint must be shared (SO_REUSEPORT) and no transport can listen on a
 * Unix socket (one path is one listener).
 */
function checkReplicable(
  c: Checker,
  path: ConfigPath,
  replicas: number,
  transports: { item: TransportConfig; index: number }[],
  components: number,
): void {
  for (const { item, index } of transports) {
    const ep = [...path, "transports", index, "endpoint"];
    const e = item.endpoint;
    if (e.type === "unix") {
      c.error(
        [...ep, "type"],
        `a router worker with "replicas": ${replicas} cannot listen on a Unix socket: ` +
          `${replicas} processes cannot share one socket path (give this transport to a router ` +
          `worker without replicas)`,
      );
    } else if (!e.shared) {
      c.error(
        ep,
        `a router worker with "replicas": ${replicas} must set "shared": true on every TCP ` +
          `endpoint: its ${replicas} processes listen on the same port (SO_REUSEPORT)`,
      );
    }
  }
  if (components > 0) {
    c.warn(
      [...path, "components"],
      `each of the ${replicas} replicas runs its own copy of these components: procedures they ` +
        `register must be shared registrations (invoke other than "single"), or every copy but the first fails to start`,
    );
  }
}

/** A validated worker with the config positions of its transports, realms and components. */
export interface CheckedWorker {
  /** The worker (id `""` when not given: the node assigns ids after all workers are read). */
  worker: WorkerConfig;
  /** Original list index of each transport in `worker.transports` (router workers). */
  transportIndex: number[];
  /** Original list index of each realm in `worker.realms` (router workers). */
  realmIndex: number[];
  /** Original list index of each component in `worker.components`. */
  componentIndex: number[];
  /** Router workers: how many identical copies the block declares (`replicas`, default 1). */
  replicas?: number;
}

/** Reads one worker. */
export function checkWorker(c: Checker, path: ConfigPath, v: unknown): CheckedWorker | undefined {
  const t = readType(
    c,
    path,
    v,
    "worker type",
    ["router", "container", "guest"] as const,
    UNSUPPORTED_WORKER_TYPES,
  );
  if (!t) return undefined;
  const o = t.o;
  const p = (...k: (string | number)[]) => [...path, ...k];
  const id = c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT }) ?? "";
  switch (t.type) {
    case "router": {
      c.object(path, o, {
        required: ["type"],
        optional: ["id", "options", "realms", "transports", "components", "replicas"],
        unsupported: UNSUPPORTED_WORKER_KEYS,
      });
      const replicas = c.integer(p("replicas"), o.replicas, { min: 1, max: MAX_REPLICAS }) ?? 1;
      const opts = c.object(p("options"), o.options ?? {}, {
        optional: [...COMMON_OPTIONS, ...PYTHON_OPTIONS],
        unsupported: PYTHON_WORKER_OPTIONS,
      }) ?? {};
      if (typeof opts.restart === "string") {
        c.error(
          p("options", "restart"),
          `must be a restart policy object like {policy: "on-failure"}, got ${
            describe(opts.restart)
          }`,
        );
      }
      const realms: { item: RealmConfig; index: number }[] = [];
      const seen = new Map<string, number>();
      c.list(p("realms"), o.realms)?.forEach((item, i) => {
        const r = checkRealm(c, p("realms", i), item);
        if (!r) return;
        const first = seen.get(r.name);
        if (r.name !== "" && first !== undefined) {
          c.error(p("realms", i, "name"), `duplicate realm "${r.name}" (also realms[${first}])`);
        } else seen.set(r.name, i);
        realms.push({ item: r, index: i });
      });
      const transports: { item: TransportConfig; index: number }[] = [];
      c.list(p("transports"), o.transports)?.forEach((item, i) => {
        const tr = checkTransport(c, p("transports", i), item);
        if (tr) transports.push({ item: tr, index: i });
      });
      assignIds(c, transports, (i) => p("transports", i), "transport", "transport");
      const components: { item: RouterComponentConfig; index: number }[] = [];
      c.list(p("components"), o.components)?.forEach((item, i) => {
        const comp = checkRouterComponent(c, p("components", i), item);
        if (comp) components.push({ item: comp, index: i });
      });
      assignIds(c, components, (i) => p("components", i), "component", "component");
      if (replicas > 1) {
        checkReplicable(c, path, replicas, transports, components.length);
      }
      const options = commonOptions(c, p("options"), opts);
      checkPythonComponents(c, path, options, components);
      return {
        worker: {
          type: "router",
          id,
          options,
          realms: realms.map((r) => r.item),
          transports: transports.map((r) => r.item),
          components: components.map((r) => r.item),
        },
        realmIndex: realms.map((r) => r.index),
        transportIndex: transports.map((r) => r.index),
        componentIndex: components.map((r) => r.index),
        replicas,
      };
    }
    case "container": {
      c.object(path, o, {
        required: ["type"],
        optional: ["id", "options", "components"],
        unsupported: UNSUPPORTED_WORKER_KEYS,
      });
      const components: {
        item: ReturnType<typeof checkContainerComponent> & object;
        index: number;
      }[] = [];
      c.list(p("components"), o.components)?.forEach((item, i) => {
        const comp = checkContainerComponent(c, p("components", i), item);
        if (comp) components.push({ item: comp, index: i });
      });
      assignIds(c, components, (i) => p("components", i), "component", "component");
      const options = containerOptions(c, p("options"), o.options);
      checkPythonComponents(c, path, options, components);
      return {
        worker: {
          type: "container",
          id,
          options,
          components: components.map((r) => r.item),
        },
        realmIndex: [],
        transportIndex: [],
        componentIndex: components.map((r) => r.index),
      };
    }
    case "guest": {
      c.object(path, o, {
        required: ["type", "executable"],
        optional: ["id", "arguments", "options"],
      });
      return {
        worker: {
          type: "guest",
          id,
          executable: c.string(p("executable"), o.executable, { nonEmpty: true }) ?? "",
          arguments: c.stringList(p("arguments"), o.arguments) ?? [],
          options: guestOptions(c, p("options"), o.options),
        },
        realmIndex: [],
        transportIndex: [],
        componentIndex: [],
      };
    }
  }
}
