/**
 * Loading a node config: find `config.yaml` (else `config.json`) in the node
 * directory or take an explicit file, parse it (YAML; JSON is parsed by the
 * same parser, so both get line:column positions), expand `${VAR}`
 * references, validate. When the directory has no config file, the embedded
 * default config is used.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { Checker } from "./_checker.ts";
import { DEFAULT_CONFIG_YAML } from "./default_config.ts";
import { expandEnv } from "./env.ts";
import { SourceMap } from "./source_map.ts";
import type { ComponentModuleRule, ConfigResult, EnvironmentRules } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** Config file names looked up in a node directory, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = ["config.yaml", "config.json"];

/** The default node directory (Crossbar's). */
export const DEFAULT_NODE_DIR = ".crossbar";

/** How environment references are resolved: a record or a lookup function. */
export type EnvSource =
  | Readonly<Record<string, string | undefined>>
  | ((name: string) => string | undefined);

/** Options of {@link parseConfigText}. */
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

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Node directory (default `.crossbar`). */
  dir?: string;
  /**
   * Explicit config file. A relative path is looked up in `dir` first (as
   * Crossbar's `--config` does), then in the current directory. Default: the
   * first of {@link CONFIG_FILE_NAMES} present in `dir`.
   */
  config?: string;
  /** Environment for `${VAR}` (default: the process environment, read on use). */
  env?: EnvSource;
  /** Use the embedded default config when `dir` has no config file and `config` is not given (default `true`). */
  useDefault?: boolean;
  /** Extra rule for component modules (see `ComponentModuleRule`). Default: none. */
  componentModule?: ComponentModuleRule;
  /** Checks that need the machine (see `EnvironmentRules`). Default: none. */
  environment?: EnvironmentRules;
}

/** A loaded config and where it came from. */
export interface LoadedConfig extends ConfigResult {
  /** The file read (absent for the embedded default). */
  file?: string;
  /** `"file"`, or `"default"` for the embedded default config. */
  source: "file" | "default";
}

function processEnv(name: string): string | undefined {
  return Deno.env.get(name);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The config file of node directory `dir` (`config.yaml`, else `config.json`), or `undefined`. */
export async function findConfigFile(dir: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name);
    if (await exists(path)) return path;
  }
  return undefined;
}

/**
 * Parses, expands and validates config text (YAML or JSON). Parse errors,
 * unset environment variables and validation errors all come back as
 * {@link ConfigError}s with line and column.
 */
export function parseConfigText(text: string, options: ParseConfigOptions = {}): ConfigResult {
  const file = options.file;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ""), { lineCounter, prettyErrors: false });
  const sourceMap = SourceMap.fromDocument(doc, lineCounter);
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const err = {
          path: "",
          message: `cannot parse: ${e.message.split("\n")[0]}`,
          line,
          column: col,
        };
        return file === undefined ? err : { ...err, file };
      }),
      warnings: [],
    };
  }
  const raw = doc.toJS({ maxAliasCount: 1000 });
  if (raw === null || raw === undefined) {
    const err = { path: "", message: "the config is empty" };
    return { errors: [file === undefined ? err : { ...err, file }], warnings: [] };
  }
  let lookupFailed: unknown;
  const env = options.env ?? ((name: string) => {
    try {
      return processEnv(name);
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

/** Finds, reads, parses and validates a node config (see {@link LoadConfigOptions}). */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const dir = options.dir ?? DEFAULT_NODE_DIR;
  let file: string | undefined;
  if (options.config !== undefined) {
    const inDir = isAbsolute(options.config) ? options.config : join(dir, options.config);
    file = (await exists(inDir)) ? inDir : options.config;
  } else {
    file = await findConfigFile(dir);
  }
  if (file === undefined) {
    if (options.useDefault === false) {
      return {
        errors: [{
          path: "",
          message: `no ${CONFIG_FILE_NAMES.join(" or ")} in node directory "${dir}"`,
        }],
        warnings: [],
        source: "file",
      };
    }
    return {
      ...parseConfigText(DEFAULT_CONFIG_YAML, {
        env: options.env,
        componentModule: options.componentModule,
        environment: options.environment,
      }),
      source: "default",
    };
  }
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Error
      ? e.message
      : String(e);
    return {
      errors: [{ path: "", message: `cannot read config file: ${reason}`, file }],
      warnings: [],
      file,
      source: "file",
    };
  }
  return {
    ...parseConfigText(text, {
      file,
      env: options.env,
      componentModule: options.componentModule,
      environment: options.environment,
    }),
    file,
    source: "file",
  };
}
