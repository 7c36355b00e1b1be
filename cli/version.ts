/**
 * `xbar version`: prints the versions of xbar and its runtime.
 *
 * @module
 */

import { XBAR_VERSION } from "../src/version.ts";
import { ExitCode, out, parseCommandOrHelp } from "./_options.ts";

/** Help of `xbar version`. */
export const VERSION_HELP = `Usage: xbar version [--json]

Prints the versions of xbar, Deno, V8 and TypeScript.

Options:
      --json   print one JSON object
  -h, --help   show this help`;

/** Runs `xbar version`. */
export function version(args: string[]): number {
  const v = parseCommandOrHelp(args, {
    json: { type: "boolean" },
  }, VERSION_HELP);
  if (!v) return ExitCode.OK;
  const info = {
    xbar: XBAR_VERSION,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: `${Deno.build.os}-${Deno.build.arch}`,
    compiled: Deno.build.standalone === true,
  };
  if (v.json) out(JSON.stringify(info));
  else {
    out(`xbar ${info.xbar}`);
    out(
      `deno ${info.deno} (v8 ${info.v8}, typescript ${info.typescript}), ${info.os}${
        info.compiled ? ", compiled" : ""
      }`,
    );
  }
  return ExitCode.OK;
}
