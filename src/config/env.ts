/**
 * `${VAR}` expansion in config strings.
 *
 * Rules (this is the user documentation of the feature):
 * - `${NAME}` anywhere in a string value is replaced by the environment
 *   variable `NAME` (`[A-Za-z_][A-Za-z0-9_]*`); an unset variable is an error
 *   that names the variable and the config path.
 * - `${NAME:-fallback}` uses `fallback` when `NAME` is unset or empty.
 * - `$${` is an escape for a literal `${`; any other `$` is literal (so
 *   passwords like `pa$$word` need no escaping).
 * - Crossbar's older form, a whole `endpoint.port` value written `$PORT`, is
 *   read from the environment too.
 * - Keys are never expanded.
 * - A value that is exactly one reference (`port: ${PORT}`) may supply a
 *   number or boolean: such paths are reported in `envPaths`, and validation
 *   accepts `"8080"` / `"true"` there.
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
  /** A copy of the input with references replaced. */
  value: unknown;
  /** Every failed reference. */
  errors: EnvError[];
  /** Formatted paths whose whole value came from one reference. */
  envPaths: Set<string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LEGACY = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Expands environment references in every string of `value`.
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
  const envPaths = new Set<string>();

  const expandString = (s: string, path: ConfigPath): string => {
    const legacy = LEGACY.exec(s);
    if (
      legacy && path.length >= 2 && path[path.length - 1] === "port" &&
      path[path.length - 2] === "endpoint"
    ) {
      const v = lookup(legacy[1]);
      if (v === undefined) {
        errors.push({
          path,
          message: `environment variable "${legacy[1]}" is not set (referenced as "${s}")`,
        });
        return s;
      }
      envPaths.add(formatPath(path));
      return v;
    }
    if (!s.includes("${")) return s;
    let out = "";
    let i = 0;
    let refs = 0;
    let whole = false;
    while (i < s.length) {
      const start = s.indexOf("$", i);
      if (start < 0) {
        out += s.slice(i);
        break;
      }
      out += s.slice(i, start);
      if (s.startsWith("$${", start)) {
        out += "${";
        i = start + 3;
        continue;
      }
      if (!s.startsWith("${", start)) {
        out += "$";
        i = start + 1;
        continue;
      }
      const end = s.indexOf("}", start + 2);
      if (end < 0) {
        errors.push({
          path,
          message: `unterminated "\${" in "${s}" (write "$\${" for a literal "\${")`,
        });
        return s;
      }
      const body = s.slice(start + 2, end);
      const sep = body.indexOf(":-");
      const name = sep < 0 ? body : body.slice(0, sep);
      const fallback = sep < 0 ? undefined : body.slice(sep + 2);
      if (!NAME.test(name)) {
        errors.push({ path, message: `invalid environment variable name "${name}" in "${s}"` });
        return s;
      }
      let v = lookup(name);
      if (fallback !== undefined && (v === undefined || v === "")) v = fallback;
      if (v === undefined) {
        errors.push({
          path,
          message: `environment variable "${name}" is not set (referenced as "\${${body}}")`,
        });
        return s;
      }
      refs++;
      whole = start === 0 && end === s.length - 1;
      out += v;
      i = end + 1;
    }
    if (refs === 1 && whole) envPaths.add(formatPath(path));
    return out;
  };

  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === "string") return expandString(v, path);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };

  return { value: walk(value, []), errors, envPaths };
}
