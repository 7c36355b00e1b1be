/**
 * Environment variables in config values, exactly where Crossbar reads them.
 *
 * Rules (this is the user documentation of the feature):
 * - Only these values are read from the environment; everywhere else `$` and
 *   `${...}` are literal text (a guest argument `${PATH:+x}` stays as it is,
 *   as in Crossbar):
 *   - a static ticket principal's `ticket` and a static WAMP-CRA user's
 *     `secret`, written as the whole value `${NAME}`;
 *   - a worker's `options.disabled`, written `${NAME}`: disabled when the
 *     variable is set and not empty (Crossbar treats any other string as
 *     true too);
 *   - an endpoint's `port`, written `$NAME` (Crossbar's form) or `${NAME}`;
 *   - xbar's own container component credentials (`auth.ticket`,
 *     `auth.secret`, `auth.privkey`), written `${NAME}`.
 * - `${NAME:-fallback}` uses `fallback` when `NAME` is unset or empty (an xbar
 *   addition; Crossbar has no fallback).
 * - An unset variable: a principal's `ticket`/`secret` gives a warning and
 *   that principal cannot log in (Crossbar: the same, with a log warning); an
 *   unset `options.disabled` means not disabled; an unset port or component
 *   credential is an error that names the variable and the config path.
 * - A port read from the environment may be the text of a number: such
 *   paths are reported in `envPaths`, and validation accepts `"8080"` there.
 *
 * @module
 */

import { type ConfigPath, formatPath } from "./path.ts";

/** A failed expansion. */
export interface EnvError {
  /** Where. */
  path: ConfigPath;
  /** What. */
  message: string;
}

/** The result of {@link expandEnv}. */
export interface EnvExpansion {
  /** A copy of the input with references replaced (principals with unset secrets left out). */
  value: unknown;
  /** Every failed reference that makes the config invalid. */
  errors: EnvError[];
  /** Unset references that only disable something (a principal that cannot log in). */
  warnings: EnvError[];
  /** Formatted paths whose whole value came from one reference. */
  envPaths: Set<string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Crossbar's `_ENVPAT`: the whole value is one reference. */
const BRACED = /^\$\{(.+)\}$/;
/** Crossbar's `_ENV_VAR_PAT` (endpoint ports). */
const BARE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

type Kind = "secret" | "disabled" | "port" | "credential";

/** Which kind of environment-readable value `path` is, if any. */
function kindOf(path: ConfigPath): Kind | undefined {
  const n = path.length;
  const at = (i: number) => path[n - i];
  if (n >= 4 && at(4) === "ticket" && at(3) === "principals" && at(1) === "ticket") {
    return "secret";
  }
  if (n >= 4 && at(4) === "wampcra" && at(3) === "users" && at(1) === "secret") return "secret";
  if (n === 4 && path[0] === "workers" && at(2) === "options" && at(1) === "disabled") {
    return "disabled";
  }
  if (n >= 2 && at(2) === "endpoint" && at(1) === "port") return "port";
  if (
    n === 6 && path[0] === "workers" && path[2] === "components" && at(2) === "auth" &&
    (at(1) === "ticket" || at(1) === "secret" || at(1) === "privkey")
  ) return "credential";
  return undefined;
}

/**
 * Reads the environment where Crossbar does (see the module doc).
 *
 * @param value a parsed config (plain JSON-like data)
 * @param env the environment: a record (e.g. `Deno.env.toObject()`) or a lookup function (e.g. `(n) => Deno.env.get(n)`)
 */
export function expandEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>> | ((name: string) => string | undefined),
): EnvExpansion {
  const lookup = typeof env === "function"
    ? env
    : (name: string) => Object.hasOwn(env, name) ? env[name] : undefined;
  const errors: EnvError[] = [];
  const warnings: EnvError[] = [];
  const envPaths = new Set<string>();
  const DROP = Symbol("drop");

  /** The variable's value; `null` when unset; `undefined` when `s` is no reference. */
  const read = (s: string, kind: Kind, path: ConfigPath): string | null | undefined => {
    const bare = kind === "port" ? BARE.exec(s) : null;
    const braced = BRACED.exec(s);
    if (!bare && !braced) return undefined;
    const body = bare ? bare[1] : braced![1];
    const sep = body.indexOf(":-");
    const name = sep < 0 ? body : body.slice(0, sep);
    const fallback = sep < 0 ? undefined : body.slice(sep + 2);
    if (!NAME.test(name)) {
      errors.push({ path, message: `invalid environment variable name "${name}" in "${s}"` });
      return undefined;
    }
    let v = lookup(name);
    if (fallback !== undefined && (v === undefined || v === "")) v = fallback;
    return v ?? null;
  };

  const expand = (s: string, kind: Kind, path: ConfigPath): unknown => {
    const v = read(s, kind, path);
    if (kind === "disabled") return v === undefined ? s !== "" : v !== null && v !== "";
    if (v === undefined) return s;
    const name = (BARE.exec(s)?.[1] ?? BRACED.exec(s)![1]).split(":-")[0];
    if (v === null) {
      const message = `environment variable "${name}" is not set (referenced as "${s}")`;
      if (kind === "secret") {
        warnings.push({
          path,
          message: `${message}: principal "${path[path.length - 2]}" cannot log in`,
        });
        return DROP;
      }
      errors.push({ path, message });
      // a stand-in the validator accepts: the variable's error is the one to report
      return kind === "port" ? 1 : s;
    }
    envPaths.add(formatPath(path));
    return v;
  };

  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === "string") {
      const kind = kindOf(path);
      return kind ? expand(v, kind, path) : v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const x = walk(item, [...path, k]);
        if (x === DROP) return DROP;
        out[k] = x;
      }
      return out;
    }
    return v;
  };

  /** Like walk, but a principal whose secret is unset is left out of its map. */
  const walkTop = (v: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => walkTop(item, [...path, i]));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const p = [...path, k];
        const x = isPrincipalMap(p) ? walkPrincipals(item, p) : walkTop(item, p);
        out[k] = x;
      }
      return out;
    }
    return walk(v, path);
  };

  const walkPrincipals = (v: unknown, path: (string | number)[]): unknown => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return walk(v, path);
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      const x = walk(item, [...path, k]);
      if (x !== DROP) out[k] = x;
    }
    return out;
  };

  return { value: walkTop(value, []), errors, warnings, envPaths };
}

function isPrincipalMap(path: ConfigPath): boolean {
  const n = path.length;
  return n >= 2 &&
    ((path[n - 2] === "ticket" && path[n - 1] === "principals") ||
      (path[n - 2] === "wampcra" && path[n - 1] === "users"));
}
