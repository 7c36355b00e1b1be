/**
 * `xbar keys`: prints the node's public key (Crossbar's `crossbar keys`),
 * creating the key pair first when the node directory has none.
 *
 * @module
 */

import { join } from "node:path";
import { nodePaths } from "../src/node/node_dir.ts";
import { loadOrCreateNodeKey, PRIVATE_KEY_FILE } from "../src/node/node_key.ts";
import {
  DIR_OPTIONS,
  DIR_OPTIONS_HELP,
  dirOf,
  EXIT_CODES_HELP,
  ExitCode,
  out,
  parseCommandOrHelp,
} from "./_options.ts";

/** Help of `xbar keys`. */
export const KEYS_HELP = `Usage: xbar keys [--dir <dir>] [--private] [--json]

Prints the node key's public part (64 hex characters), as "crossbar keys"
does: the key routers use to authenticate this node (cryptosign). Creates the
key pair (key.priv, mode 0600, and key.pub) when the node directory has none.

Options:
${DIR_OPTIONS_HELP}
      --private          print the private part instead (keep it secret)
      --json             print {"public_key": ..., "created": bool[, "private_key": ...]}
  -h, --help             show this help

${EXIT_CODES_HELP}`;

/** Runs `xbar keys`. */
export async function keys(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, {
    ...DIR_OPTIONS,
    private: { type: "boolean" },
    json: { type: "boolean" },
  }, KEYS_HELP);
  if (!v) return ExitCode.OK;
  const paths = nodePaths(dirOf(v));
  await Deno.mkdir(paths.dir, { recursive: true });
  const key = await loadOrCreateNodeKey(paths.dir);
  if (v.json) {
    out(JSON.stringify({
      public_key: key.publicKey,
      created: key.created,
      ...(v.private ? { private_key: key.privateKey } : {}),
    }));
    return ExitCode.OK;
  }
  if (key.created) out(`created node key ${join(paths.dir, PRIVATE_KEY_FILE)}`);
  if (v.private) out(`node private key (hex): ${key.privateKey}`);
  else out(`node public key (hex): ${key.publicKey}`);
  return ExitCode.OK;
}
