/**
 * The error collector and typed readers used by every section validator.
 * Each reader reports what is wrong at its path and returns `undefined`, so a
 * validator keeps going and one pass finds every error. `undefined` input
 * (an absent key) is never an error here: required keys are checked by
 * {@link Checker.object}.
 *
 * @module
 */

import type { ComponentModuleRule, ConfigError, EnvironmentRules } from "./types.ts";
import { type ConfigPath, formatPath } from "./path.ts";
import type { SourceMap } from "./source_map.ts";
import { suggest } from "./suggest.ts";

/** What keys an object may have. */
export interface KeySpec {
  /** Keys that must be present. */
  required?: readonly string[];
  /** Keys that may be present. */
  optional?: readonly string[];
  /** Crossbar keys xbar does not support: key → why (an error "not supported by xbar"). */
  unsupported?: Readonly<Record<string, string>>;
  /**
   * Crossbar keys xbar accepts only with the value it implements: key →
   * that value and why (any other value is an error saying so). There is no
   * "accepted and ignored": a key is implemented, fixed, or refused.
   */
  fixed?: Readonly<Record<string, { value: unknown; reason: string }>>;
  /** Extra advice for particular unknown keys: key → hint. */
  hints?: Readonly<Record<string, string>>;
}

/** Options of a {@link Checker}. */
export interface CheckerOptions {
  /** The file errors are reported against. */
  file?: string;
  /** Positions of paths in `file`. */
  sourceMap?: SourceMap;
  /** Formatted paths whose value came whole from one `${VAR}`: numbers and booleans may be strings there. */
  envPaths?: ReadonlySet<string>;
  /** Extra rule for component modules (see `ComponentModuleRule`). */
  componentModule?: ComponentModuleRule;
  /** Checks that need the machine (see `EnvironmentRules`). */
  environment?: EnvironmentRules;
}

/** Describes a value for a message: `"abc"`, `70000`, `a list`, `an object`, `null`. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  return String(v);
}

/** True for a plain object (not a list, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Collects errors and warnings and reads typed values. */
export class Checker {
  /** Every error so far. */
  readonly errors: ConfigError[] = [];
  /** Every warning so far. */
  readonly warnings: ConfigError[] = [];
  #file?: string;
  #sourceMap?: SourceMap;
  #envPaths: ReadonlySet<string>;
  /** The extra rule for component modules, when one was given. */
  readonly componentModule?: ComponentModuleRule;
  /** Checks that need the machine, when given. */
  readonly environment?: EnvironmentRules;

  /** @param options where errors are reported and which paths came from the environment */
  constructor(options: CheckerOptions = {}) {
    this.#file = options.file;
    this.#sourceMap = options.sourceMap;
    this.#envPaths = options.envPaths ?? new Set();
    this.componentModule = options.componentModule;
    this.environment = options.environment;
  }

  #make(path: ConfigPath, message: string, at: "key" | "value"): ConfigError {
    const e: ConfigError = { path: formatPath(path), message };
    if (this.#file !== undefined) e.file = this.#file;
    const pos = this.#sourceMap?.locate(path, at);
    if (pos) {
      e.line = pos.line;
      e.column = pos.column;
    }
    return e;
  }

  /** Records an error at `path` (located at its value, or its key with `at: "key"`). */
  error(path: ConfigPath, message: string, at: "key" | "value" = "value"): void {
    this.errors.push(this.#make(path, message, at));
  }

  /** Records a warning at `path`. */
  warn(path: ConfigPath, message: string, at: "key" | "value" = "value"): void {
    this.warnings.push(this.#make(path, message, at));
  }

  /**
   * Reads an object and checks its keys against `spec`: unknown keys (with a
   * suggestion when one is a typo away), unsupported Crossbar keys, ignored
   * keys (warned), missing required keys. `null` reads as `{}`.
   */
  object(path: ConfigPath, v: unknown, spec: KeySpec = {}): Record<string, unknown> | undefined {
    if (v === undefined) return undefined;
    if (v === null) v = {};
    if (!isObject(v)) {
      this.error(path, `must be an object, got ${describe(v)}`);
      return undefined;
    }
    const required = spec.required ?? [];
    const known = [...required, ...(spec.optional ?? [])];
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const unsupported = spec.unsupported?.[key];
      if (unsupported !== undefined) {
        this.error([...path, key], `"${key}" is not supported by xbar (${unsupported})`, "key");
        continue;
      }
      const fixed = spec.fixed?.[key];
      if (fixed !== undefined) {
        if (v[key] !== fixed.value) {
          this.error(
            [...path, key],
            `xbar supports only ${JSON.stringify(fixed.value)} here (${fixed.reason}), got ${
              describe(v[key])
            }`,
          );
        }
        continue;
      }
      const hint = spec.hints?.[key];
      const close = suggest(key, known);
      let message = `unknown key "${key}"`;
      if (hint) message += ` (${hint})`;
      else if (close) message += ` (did you mean "${close}"?)`;
      else if (known.length > 0) {
        message += ` (known keys: ${known.map((k) => `"${k}"`).join(", ")})`;
      }
      this.error([...path, key], message, "key");
    }
    for (const key of required) {
      if (!(key in v)) this.error(path, `missing required key "${key}"`);
    }
    return v;
  }

  /** Reads a string; `nonEmpty` refuses `""`; `pattern` must match (described by `patternName`). */
  string(
    path: ConfigPath,
    v: unknown,
    opts: { nonEmpty?: boolean; pattern?: RegExp; patternName?: string } = {},
  ): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      this.error(path, `must be a string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.nonEmpty && v === "") {
      this.error(path, `must not be empty`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.error(
        path,
        `must be ${opts.patternName ?? `a string matching ${opts.pattern}`}, got ${describe(v)}`,
      );
      return undefined;
    }
    return v;
  }

  #fromEnv(path: ConfigPath): boolean {
    return this.#envPaths.has(formatPath(path));
  }

  /** Reads a number (integer unless `fraction`) in `[min, max]`. */
  number(
    path: ConfigPath,
    v: unknown,
    opts: { min?: number; max?: number; fraction?: boolean; range?: string } = {},
  ): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v === "string" && this.#fromEnv(path) && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) {
      v = Number(v);
    }
    const kind = opts.fraction ? "a number" : "an integer";
    if (typeof v !== "number" || !Number.isFinite(v) || (!opts.fraction && !Number.isInteger(v))) {
      this.error(path, `must be ${kind}, got ${describe(v)}`);
      return undefined;
    }
    const { min, max } = opts;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      const range = opts.range ??
        (min !== undefined && max !== undefined
          ? `${min}-${max}`
          : min !== undefined
          ? `at least ${min}`
          : `at most ${max}`);
      this.error(path, `must be ${range}, got ${v}`);
      return undefined;
    }
    return v;
  }

  /** Reads an integer in `[min, max]`. */
  integer(
    path: ConfigPath,
    v: unknown,
    opts: { min?: number; max?: number; range?: string } = {},
  ): number | undefined {
    return this.number(path, v, opts);
  }

  /** Reads a boolean. */
  boolean(path: ConfigPath, v: unknown): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v === "string" && this.#fromEnv(path) && (v === "true" || v === "false")) {
      return v === "true";
    }
    if (typeof v !== "boolean") {
      this.error(path, `must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Reads one of `values` (a typo gets a suggestion). */
  oneOf<T extends string>(path: ConfigPath, v: unknown, values: readonly T[]): T | undefined {
    if (v === undefined) return undefined;
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
    const list = values.map((x) => `"${x}"`).join(", ");
    const close = typeof v === "string" ? suggest(v, values) : undefined;
    this.error(
      path,
      `must be one of ${list}, got ${describe(v)}${close ? ` (did you mean "${close}"?)` : ""}`,
    );
    return undefined;
  }

  /** Reads a list. */
  list(path: ConfigPath, v: unknown): unknown[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.error(path, `must be a list, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Reads a list of strings (each checked like {@link Checker.string}). */
  stringList(
    path: ConfigPath,
    v: unknown,
    opts: { nonEmpty?: boolean; pattern?: RegExp; patternName?: string } = {},
  ): string[] | undefined {
    const list = this.list(path, v);
    if (!list) return undefined;
    const out: string[] = [];
    let ok = true;
    list.forEach((item, i) => {
      const s = this.string([...path, i], item ?? null, opts);
      if (s === undefined) ok = false;
      else out.push(s);
    });
    return ok ? out : undefined;
  }

  #stringValues(path: ConfigPath, o: Record<string, unknown>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    let ok = true;
    for (const [k, item] of Object.entries(o)) {
      const s = this.string([...path, k], item ?? null);
      if (s === undefined) ok = false;
      else out[k] = s;
    }
    return ok ? out : undefined;
  }

  /** Reads an object whose keys are free-form (names, ids) and whose values are strings. */
  freeStringMap(path: ConfigPath, v: unknown): Record<string, string> | undefined {
    if (v === undefined) return undefined;
    if (v === null) return {};
    if (!isObject(v)) {
      this.error(path, `must be an object, got ${describe(v)}`);
      return undefined;
    }
    return this.#stringValues(path, v);
  }

  /** Reads an object whose keys are free-form (names, ids); values are returned unchecked. */
  freeMap(path: ConfigPath, v: unknown): Record<string, unknown> | undefined {
    if (v === undefined) return undefined;
    if (v === null) return {};
    if (!isObject(v)) {
      this.error(path, `must be an object, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }
}
