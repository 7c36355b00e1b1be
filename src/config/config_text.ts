/**
 * What every way of reading a config shares, without the YAML parser:
 * expanding `${VAR}` and validating parsed data (`checkParsed`), and the
 * fast path for JSON configs (`parseJsonConfig`: `JSON.parse`, taken only
 * when it has nothing to report; see `load.ts`).
 *
 * @module
 */

import { Checker } from "./_checker.ts";
import { expandEnv } from "./env.ts";
import type { SourceMap } from "./source_map.ts";
import type { ComponentModuleRule, ConfigResult, EnvironmentRules } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** How environment references are resolved: a record or a lookup function. */
export type EnvSource =
  | Readonly<Record<string, string | undefined>>
  | ((name: string) => string | undefined);

/** Options of `parseConfigText` (and of the JSON fast path). */
export interface ParseConfigOptions {
  /** File name used in errors (default: none). */
  file?: string;
  /** Environment for `${VAR}` (default: the process environment, read on use). */
  env?: EnvSource;
  /** Extra rule for component modules (see `ComponentModuleRule`). Default: none. */
  componentModule?: ComponentModuleRule;
  /** Checks that need the machine (see `EnvironmentRules`). Default: none. */
  environment?: EnvironmentRules;
}

/**
 * Expands `${VAR}` in parsed config data `raw` and validates it; positions
 * come from `sourceMap` when given.
 */
export function checkParsed(
  raw: unknown,
  options: ParseConfigOptions & { sourceMap?: SourceMap } = {},
): ConfigResult {
  const { file, sourceMap } = options;
  let lookupFailed: unknown;
  const env = options.env ?? ((name: string) => {
    try {
      return Deno.env.get(name);
    } catch (e) {
      lookupFailed ??= e;
      return undefined;
    }
  });
  const expanded = expandEnv(raw, env);
  const c = new Checker({ file, sourceMap });
  for (const e of expanded.errors) {
    c.error(
      e.path,
      lookupFailed
        ? `${e.message}; the environment could not be read (${lookupFailed})`
        : e.message,
    );
  }
  for (const w of expanded.warnings) c.warn(w.path, w.message);
  const result = validateConfig(expanded.value, {
    file,
    sourceMap,
    envPaths: expanded.envPaths,
    componentModule: options.componentModule,
    environment: options.environment,
  });
  if (c.errors.length === 0 && c.warnings.length === 0) return result;
  const warnings = [...c.warnings, ...result.warnings];
  if (c.errors.length === 0) return { ...result, warnings };
  return { errors: [...c.errors, ...result.errors], warnings };
}

/**
 * JSON config text read with `JSON.parse`: the result when it is a valid
 * config without warnings; `undefined` when there is anything to report (a
 * parse error, a duplicate key, an empty config, a config error or warning),
 * so that the caller parses it again with positions (`parseConfigText`).
 */
export function parseJsonConfig(
  text: string,
  options: ParseConfigOptions = {},
): ConfigResult | undefined {
  const body = text.replace(/^\uFEFF/, "");
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (raw === null || hasDuplicateKeys(body)) return undefined;
  const result = checkParsed(raw, options);
  return result.errors.length === 0 && result.warnings.length === 0 ? result : undefined;
}

/**
 * True when some object in `json` (valid JSON text) has a key twice:
 * `JSON.parse` keeps the last silently, the YAML parser reports it.
 */
export function hasDuplicateKeys(json: string): boolean {
  const stack: (Set<string> | undefined)[] = []; // one entry per open object or array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch === 0x22) { // "
      let j = i + 1;
      while (json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top !== undefined) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (top.has(key)) return true;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b) { // {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b) { // [
      stack.push(undefined);
    } else if (ch === 0x7d || ch === 0x5d) { // } ]
      stack.pop();
    } else if (ch === 0x2c) { // ,
      expectKey = stack[stack.length - 1] !== undefined;
    }
  }
  return false;
}
