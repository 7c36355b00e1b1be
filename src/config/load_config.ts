/**
 * Loading a node config: find `config.yaml` (else `config.json`) in the node
 * directory or take an explicit file, parse it, expand `${VAR}` references,
 * validate. When the directory has no config file, the embedded default
 * config is used. (`load.ts` offers the same plus `parseConfigText`; `xbar
 * start` imports this module, which does not load the YAML parser itself.)
 *
 * Start-up time: a JSON config (and the embedded default) is read with
 * `JSON.parse` first; only when that finds anything to report (a parse
 * error, a duplicate key, a config error or warning) is it parsed again by
 * the YAML parser (`parse_text.ts`, imported then), which gives every error
 * its line:column. YAML configs always take that path. So a node with a good
 * JSON config never loads the `yaml` package (~100 ms).
 *
 * @module
 */

import { isAbsolute, join } from "../posix_path.ts";
import { DEFAULT_CONFIG_DATA, DEFAULT_CONFIG_YAML } from "./default_config.ts";
import { DEFAULT_NODE_DIR } from "./defaults.ts";
import { checkParsed, type EnvSource, parseJsonConfig } from "./config_text.ts";
import type { ComponentModuleRule, ConfigResult, EnvironmentRules } from "./types.ts";

/** Config file names looked up in a node directory, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = ["config.yaml", "config.json"];

export { DEFAULT_NODE_DIR };

export type { EnvSource, ParseConfigOptions } from "./config_text.ts";

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
    const opts = {
      env: options.env,
      componentModule: options.componentModule,
      environment: options.environment,
    };
    const fast = checkParsed(structuredClone(DEFAULT_CONFIG_DATA), opts);
    if (fast.errors.length === 0 && fast.warnings.length === 0) {
      return { ...fast, source: "default" };
    }
    const { parseConfigText } = await import("./parse_text.ts");
    return { ...parseConfigText(DEFAULT_CONFIG_YAML, opts), source: "default" };
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
  const opts = {
    file,
    env: options.env,
    componentModule: options.componentModule,
    environment: options.environment,
  };
  const fast = file.toLowerCase().endsWith(".json") ? parseJsonConfig(text, opts) : undefined;
  if (fast !== undefined) return { ...fast, file, source: "file" };
  const { parseConfigText } = await import("./parse_text.ts");
  return { ...parseConfigText(text, opts), file, source: "file" };
}
