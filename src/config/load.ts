/**
 * Loading a node config (`load_config.ts`) and parsing config text with
 * positions (`parse_text.ts`, which loads the YAML parser): one import for
 * tools and tests. `xbar start` imports `load_config.ts` alone.
 *
 * @module
 */

export {
  CONFIG_FILE_NAMES,
  DEFAULT_NODE_DIR,
  type EnvSource,
  findConfigFile,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  type ParseConfigOptions,
} from "./load_config.ts";
export { parseConfigText } from "./parse_text.ts";
