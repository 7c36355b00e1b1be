/**
 * Components: TypeScript/JavaScript modules (`type: module`) run inside a
 * router worker (on an in-process session) or a container worker (connected
 * over a transport), and Crossbar's Python components (`type: class` with
 * `classname`, `type: function` with `callbacks`), run by Autobahn|Python in
 * a Python process (see `src/worker/python/`).
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { HEX32, REALM, REALM_TEXT } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_COMPONENT_ROLE } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type {
  ComponentBase,
  ContainerComponentConfig,
  ModuleContainerComponentConfig,
  PythonCallbackEvent,
  PythonComponentBase,
  RouterComponentConfig,
} from "./types.ts";
import { checkConnectingTransport } from "./validate_transport.ts";

const MODULE = /^(?:(?:npm|jsr|https?|file):.+|.+\.(?:ts|mts|tsx|js|mjs|jsx))$/;
const MODULE_TEXT = 'a module path like "./component.ts" (relative to the node directory) or a ' +
  "file:, https:, npm: or jsr: specifier";
const EXPORT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Stands in for a transport that had errors (the config is refused anyway). */
function placeholderTransport(): ContainerComponentConfig["transport"] {
  return {
    type: "rawsocket",
    endpoint: { type: "unix", path: "", timeout: 0 },
    serializer: "cbor",
    options: { max_message_size: 0 },
  };
}

function base(c: Checker, path: ConfigPath, o: Record<string, unknown>): ComponentBase {
  const p = (k: string) => [...path, k];
  const out: ComponentBase = {
    type: "module",
    id: c.string(p("id"), o.id, { nonEmpty: true }) ?? "",
    module: c.string(p("module"), o.module, { pattern: MODULE, patternName: MODULE_TEXT }) ?? "",
    export: c.string(p("export"), o.export, {
      pattern: EXPORT,
      patternName: "a JavaScript export name",
    }) ?? "default",
    realm: c.string(p("realm"), o.realm, { pattern: REALM, patternName: REALM_TEXT }) ?? "",
  };
  if (o.extra !== undefined) out.extra = o.extra;
  const verdict = out.module !== "" ? c.componentModule?.(out.module) : undefined;
  if (verdict?.error) c.error(p("module"), verdict.error);
  if (verdict?.warning) c.warn(p("module"), verdict.warning);
  return out;
}

const TYPES = ["module", "class", "function"] as const;
const CALLBACK_EVENTS: readonly PythonCallbackEvent[] = ["join", "leave", "connect", "disconnect"];
const PY_REF = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const PY_REF_TEXT = "a dotted Python name like package.module.Name";

/** The Python part of a `class` or `function` component (keys checked by the caller). */
function python(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
  type: "class" | "function",
): PythonComponentBase {
  const p = (k: string) => [...path, k];
  const out: PythonComponentBase = {
    type,
    id: c.string(p("id"), o.id, { nonEmpty: true }) ?? "",
    realm: c.string(p("realm"), o.realm, { pattern: REALM, patternName: REALM_TEXT }) ?? "",
  };
  if (type === "class") {
    out.classname = c.string(p("classname"), o.classname, {
      pattern: PY_REF,
      patternName: PY_REF_TEXT,
    }) ?? "";
  } else if (o.callbacks !== undefined) {
    const cb = c.object(p("callbacks"), o.callbacks, { optional: [...CALLBACK_EVENTS] });
    if (cb) {
      out.callbacks = {};
      for (const k of CALLBACK_EVENTS) {
        const ref = c.string([...path, "callbacks", k], cb[k], {
          pattern: PY_REF,
          patternName: PY_REF_TEXT,
        });
        if (ref !== undefined) out.callbacks[k] = ref;
      }
    }
  }
  if (o.extra !== undefined) out.extra = o.extra;
  return out;
}

/** The Python modules a Python component imports (class: the class's module; function: each callback's). */
export function pythonModules(comp: PythonComponentBase): string[] {
  const refs = comp.type === "class"
    ? [comp.classname ?? ""]
    : Object.values(comp.callbacks ?? {}) as string[];
  return refs.filter((r) => r.includes(".")).map((r) => r.slice(0, r.lastIndexOf(".")));
}

/** Reads a component of a router worker; `id` is `""` when not given (the worker assigns one). */
export function checkRouterComponent(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): RouterComponentConfig | undefined {
  const t = readType(c, path, v, "component type", TYPES);
  if (!t) return undefined;
  const role = c.string([...path, "role"], t.o.role, { nonEmpty: true }) ??
    DEFAULT_COMPONENT_ROLE;
  if (t.type !== "module") {
    c.object(path, t.o, {
      required: t.type === "class" ? ["type", "classname", "realm"] : ["type", "realm"],
      optional: t.type === "class" ? ["id", "role", "extra"] : ["id", "role", "callbacks", "extra"],
      unsupported: {
        references:
          "references to connections (database connection pools, which xbar does not run)",
      },
      hints: { transport: "a router component runs beside the router and needs no transport" },
    });
    return { ...python(c, path, t.o, t.type), role };
  }
  c.object(path, t.o, {
    required: ["type", "module", "realm"],
    optional: ["id", "export", "role", "extra"],
    hints: { transport: "a router component runs in the router process and needs no transport" },
  });
  return { ...base(c, path, t.o), role };
}

/** Reads a component of a container worker; `id` is `""` when not given (the worker assigns one). */
export function checkContainerComponent(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): ContainerComponentConfig | undefined {
  const t = readType(c, path, v, "component type", TYPES);
  if (!t) return undefined;
  if (t.type !== "module") {
    c.object(path, t.o, {
      required: t.type === "class"
        ? ["type", "classname", "realm", "transport"]
        : ["type", "realm", "transport"],
      optional: t.type === "class" ? ["id", "extra"] : ["id", "callbacks", "auth", "extra"],
      hints: {
        role: "a container component gets its role from the router's authentication",
        auth: "a class component authenticates itself (onConnect/onChallenge), as in Crossbar",
      },
    });
    if (t.type === "function" && t.o.auth !== undefined) {
      c.warn(
        [...path, "auth"],
        "a function component joins without credentials (authrole anonymous), as in Crossbar, " +
          "which does not use auth either: the router's transport decides its role",
        "key",
      );
    }
    const transport = checkConnectingTransport(c, [...path, "transport"], t.o.transport, "python");
    return { ...python(c, path, t.o, t.type), transport: transport ?? placeholderTransport() };
  }
  c.object(path, t.o, {
    required: ["type", "module", "realm", "transport"],
    optional: ["id", "export", "auth", "extra"],
    hints: {
      role:
        "a container component gets its role from the router's authentication: use auth.authrole",
    },
  });
  const transport = checkConnectingTransport(c, [...path, "transport"], t.o.transport);
  const out: ModuleContainerComponentConfig = {
    ...base(c, path, t.o),
    transport: transport ?? placeholderTransport(),
  };
  const ap = [...path, "auth"];
  const a = c.object(ap, t.o.auth, {
    optional: ["authid", "authrole", "ticket", "secret", "privkey"],
  });
  if (a) {
    const auth: NonNullable<ModuleContainerComponentConfig["auth"]> = {};
    for (const k of ["authid", "authrole", "ticket", "secret"] as const) {
      const s = c.string([...ap, k], a[k], { nonEmpty: true });
      if (s !== undefined) auth[k] = s;
    }
    const key = c.string([...ap, "privkey"], a.privkey, {
      pattern: HEX32,
      patternName: "an Ed25519 private key seed of 64 hex characters",
    });
    if (key !== undefined) auth.privkey = key.toLowerCase();
    if ((auth.ticket || auth.secret || auth.privkey) && !auth.authid) {
      c.error(ap, `"authid" is required with "ticket", "secret" or "privkey"`);
    }
    out.auth = auth;
  }
  return out;
}
