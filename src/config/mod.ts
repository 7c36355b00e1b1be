/**
 * Node configuration: Crossbar.io config version 2, loaded, validated and
 * normalized. Re-exports only.
 *
 * @module
 */

export type * from "./types.ts";
export { validateConfig, type ValidateOptions } from "./validate.ts";
export * from "./load.ts";
export { formatConfigError, formatConfigErrors } from "./format.ts";
export {
  DEFAULT_CONFIG_DATA,
  DEFAULT_CONFIG_YAML,
  DEFAULT_REALM,
  DEFAULT_WEBSOCKET_URL,
  defaultConfig,
} from "./default_config.ts";
export { type EnvError, type EnvExpansion, expandEnv } from "./env.ts";
export { SourceMap, type SourcePosition } from "./source_map.ts";
export { type ConfigPath, formatPath } from "./path.ts";
export * as defaults from "./defaults.ts";
