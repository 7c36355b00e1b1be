/**
 * `xbar init`: creates a node directory with the default config and a node key.
 *
 * @module
 */

import { join } from "node:path";
import { DEFAULT_CONFIG_YAML } from "../src/config/default_config.ts";
import { DEFAULT_NODE_DIR, findConfigFile } from "../src/config/load.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import { loadOrCreateNodeKey } from "../src/node/node_key.ts";
import {
  DIR_OPTIONS,
  DIR_OPTIONS_HELP,
  dirOf,
  err,
  EXIT_CODES_HELP,
  ExitCode,
  out,
  parseCommandOrHelp,
  UsageError,
} from "./_options.ts";

/** Help of `xbar init`. */
export const INIT_HELP = `Usage: xbar init [--dir <dir>] [--appdir <dir>]

Creates a node directory (default .crossbar) with config.yaml (realm "realm1",
anonymous role allowed everything, WebSocket on ws://127.0.0.1:8080/ws) and a
node key (key.priv, mode 0600, and key.pub). Refuses when the directory
already has a config.

Options:
${DIR_OPTIONS_HELP}
      --appdir <dir>     Crossbar's form: the node directory is <dir>/.crossbar
  -h, --help             show this help

${EXIT_CODES_HELP}`;

/** Runs `xbar init`. */
export async function init(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, {
    ...DIR_OPTIONS,
    appdir: { type: "string" },
  }, INIT_HELP);
  if (!v) return ExitCode.OK;
  if (v.appdir !== undefined && (v.dir !== undefined || v.cbdir !== undefined)) {
    throw new UsageError("--appdir and --dir/--cbdir: give one");
  }
  const paths = nodePaths(
    typeof v.appdir === "string" ? join(v.appdir, DEFAULT_NODE_DIR) : dirOf(v),
  );
  await Deno.mkdir(paths.dir, { recursive: true });
  const existing = await findConfigFile(paths.dir);
  if (existing) {
    err(`xbar: "${paths.dir}" already has a config (${existing}); not overwriting it`);
    return ExitCode.ERROR;
  }
  const configFile = join(paths.dir, "config.yaml");
  await Deno.writeTextFile(configFile, DEFAULT_CONFIG_YAML, { createNew: true });
  const key = await loadOrCreateNodeKey(paths.dir);
  out(`created ${configFile}`);
  out(
    `${key.created ? "created" : "kept"} node key ${
      join(paths.dir, "key.priv")
    } (public key ${key.publicKey})`,
  );
  out(`start the node with: xbar start --dir ${JSON.stringify(paths.dir)}`);
  return ExitCode.OK;
}
