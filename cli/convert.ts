/**
 * `xbar convert`: converts the node config from JSON to YAML or from YAML to
 * JSON (Crossbar's `crossbar convert`), next to the original.
 *
 * @module
 */

import { extname, isAbsolute, join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { findConfigFile } from "../src/config/load.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import {
  dirOf,
  err,
  EXIT_CODES_HELP,
  ExitCode,
  NODE_OPTIONS,
  NODE_OPTIONS_HELP,
  out,
  parseCommandOrHelp,
} from "./_options.ts";

/** Help of `xbar convert`. */
export const CONVERT_HELP = `Usage: xbar convert [options]

Converts the node config (config.yaml, else config.json, in the node
directory, or --config) from JSON to YAML or from YAML to JSON, written next
to it with the other extension (config.json -> config.yaml and back). YAML
comments and anchors do not survive the trip to JSON. Refuses to overwrite an
existing file unless --force is given. Run "xbar check" on the result.

Options:
${NODE_OPTIONS_HELP}
      --force            overwrite the target file

${EXIT_CODES_HELP}`;

/** The text of `value` as the other format's file. */
export function convertConfigText(text: string, from: "json" | "yaml"): string {
  if (from === "json") {
    const value = JSON.parse(text);
    return stringify(value, { indent: 2, lineWidth: 0 });
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split("\n")[0]);
  return JSON.stringify(doc.toJS({ maxAliasCount: 1000 }), null, 4) + "\n";
}

/** Runs `xbar convert`. */
export async function convert(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, { ...NODE_OPTIONS, force: { type: "boolean" } }, CONVERT_HELP);
  if (!v) return ExitCode.OK;
  const paths = nodePaths(dirOf(v));
  const file = typeof v.config === "string"
    ? (isAbsolute(v.config) ? v.config : join(paths.dir, v.config))
    : await findConfigFile(paths.dir);
  if (file === undefined) {
    err(`xbar: no config.yaml or config.json in "${paths.dir}"`);
    return ExitCode.ERROR;
  }
  const ext = extname(file).toLowerCase();
  const from = ext === ".json" ? "json" : ext === ".yaml" || ext === ".yml" ? "yaml" : undefined;
  if (!from) {
    err(`xbar: "${file}": the config file must end in .json or .yaml`);
    return ExitCode.ERROR;
  }
  const target = file.slice(0, file.length - ext.length) + (from === "json" ? ".yaml" : ".json");
  let converted: string;
  try {
    converted = convertConfigText(await Deno.readTextFile(file), from);
  } catch (e) {
    err(`xbar: cannot convert "${file}": ${e instanceof Error ? e.message : e}`);
    return ExitCode.ERROR;
  }
  try {
    await Deno.writeTextFile(target, converted, { createNew: !v.force });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      err(`xbar: "${target}" exists; not overwriting it (give --force to overwrite)`);
    } else err(`xbar: cannot write "${target}": ${e instanceof Error ? e.message : e}`);
    return ExitCode.ERROR;
  }
  out(`converted ${file} to ${target}`);
  if (from === "json") {
    out(`note: xbar reads config.yaml before config.json; remove the one you do not use`);
  }
  return ExitCode.OK;
}
