/**
 * The xbar command line: `xbar <command> [options]`. One executable is both
 * the node controller (`start`) and, spawned by it, every worker (the hidden
 * `worker` command).
 *
 * @module
 */

import { check } from "./check.ts";
import { convert } from "./convert.ts";
import { keys } from "./keys.ts";
import { init } from "./init.ts";
import { start } from "./start.ts";
import { status } from "./status.ts";
import { stop } from "./stop.ts";
import { version } from "./version.ts";
import { worker } from "./worker.ts";
import { thisExecutable } from "../src/worker/executable.ts";
import { err, EXIT_CODES_HELP, ExitCode, out, UsageError } from "./_options.ts";

/** Help of `xbar`. */
export const MAIN_HELP = `Usage: xbar <command> [options]

A WAMP router node (Crossbar.io's node architecture, config version 2).

Commands:
  init      create a node directory with a default config and a node key
  start     start a node in the foreground (controller and workers)
  stop      stop the node running from a node directory
  status    show whether a node is running, and its workers
  check     validate a node config and print every error
  convert   convert the node config between JSON and YAML
  keys      print the node's public key
  version   print versions

Run "xbar <command> --help" for a command's options.

${EXIT_CODES_HELP}`;

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  init,
  start,
  stop,
  status,
  check,
  convert,
  keys,
  version,
  worker,
};

/** Runs the command line `args`; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  thisExecutable(); // read XBAR_LAUNCHER now, before any child process could inherit it
  const [command, ...rest] = args;
  if (command === undefined) {
    err(MAIN_HELP);
    return ExitCode.USAGE;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    out(MAIN_HELP);
    return ExitCode.OK;
  }
  if (command === "--version" || command === "-V") return version([]);
  const run = COMMANDS[command];
  if (!run) {
    err(`xbar: unknown command ${JSON.stringify(command)}\n\n${MAIN_HELP}`);
    return ExitCode.USAGE;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`xbar ${command}: ${e.message}\nRun "xbar ${command} --help" for usage.`);
      return ExitCode.USAGE;
    }
    err(`xbar ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return ExitCode.ERROR;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
