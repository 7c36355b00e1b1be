/**
 * Components: TypeScript/JavaScript modules run inside a router worker (on
 * an in-process session) or a container worker (connected over a transport).
 * Crossbar's Python component types `class` and `function` are rejected with
 * a pointer to the xbar form.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { HEX32, REALM, REALM_TEXT } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_COMPONENT_ROLE } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { ComponentBase, ContainerComponentConfig, RouterComponentConfig } from "./types.ts";
import { UNSUPPORTED_COMPONENT_TYPES } from "./unsupported.ts";
import { checkConnectingTransport } from "./validate_transport.ts";

const MODULE = /^(?:(?:npm|jsr|https?|file):.+|.+\.(?:ts|mts|tsx|js|mjs|jsx))$/;
const MODULE_TEXT = 'a module path like "./component.ts" (relative to the node directory) or a ' +
  "file:, https:, npm: or jsr: specifier";
const EXPORT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

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

/** Reads a component of a router worker; `id` is `""` when not given (the worker assigns one). */
export function checkRouterComponent(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): RouterComponentConfig | undefined {
  const t = readType(
    c,
    path,
    v,
    "component type",
    ["module"] as const,
    UNSUPPORTED_COMPONENT_TYPES,
  );
  if (!t) return undefined;
  c.object(path, t.o, {
    required: ["type", "module", "realm"],
    optional: ["id", "export", "role", "extra"],
    hints: { transport: "a router component runs in the router process and needs no transport" },
  });
  return {
    ...base(c, path, t.o),
    role: c.string([...path, "role"], t.o.role, { nonEmpty: true }) ?? DEFAULT_COMPONENT_ROLE,
  };
}

/** Reads a component of a container worker; `id` is `""` when not given (the worker assigns one). */
export function checkContainerComponent(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): ContainerComponentConfig | undefined {
  const t = readType(
    c,
    path,
    v,
    "component type",
    ["module"] as const,
    UNSUPPORTED_COMPONENT_TYPES,
  );
  if (!t) return undefined;
  c.object(path, t.o, {
    required: ["type", "module", "realm", "transport"],
    optional: ["id", "export", "auth", "extra"],
    hints: {
      role:
        "a container component gets its role from the router's authentication: use auth.authrole",
    },
  });
  const transport = checkConnectingTransport(c, [...path, "transport"], t.o.transport);
  const out: ContainerComponentConfig = {
    ...base(c, path, t.o),
    transport: transport ??
      {
        type: "rawsocket",
        endpoint: { type: "unix", path: "", timeout: 0 },
        serializer: "cbor",
        options: { max_message_size: 0 },
      },
  };
  const ap = [...path, "auth"];
  const a = c.object(ap, t.o.auth, {
    optional: ["authid", "authrole", "ticket", "secret", "privkey"],
  });
  if (a) {
    const auth: NonNullable<ContainerComponentConfig["auth"]> = {};
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
