/**
 * The xbar command line: `xbar <command> [options]`. One executable is both
 * the node controller (`start`) and, spawned by it, every worker (the hidden
 * `worker` command).
 *
 * @module
 */

import { version } from "./version.ts";
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

type Command = (args: string[]) => number | Promise<number>;

/**
 * Each command's module, imported when that command runs: a worker process
 * does not load the controller, the controller does not load the workers'
 * transports (start-up time; literal specifiers keep them in the single
 * executable's graph).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import("./init.ts")).init,
  start: async () => (await import("./start.ts")).start,
  stop: async () => (await import("./stop.ts")).stop,
  status: async () => (await import("./status.ts")).status,
  check: async () => (await import("./check.ts")).check,
  convert: async () => (await import("./convert.ts")).convert,
  keys: async () => (await import("./keys.ts")).keys,
  version: () => Promise.resolve(version),
  worker: async () => (await import("./worker.ts")).worker,
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
  const load = COMMANDS[command];
  if (!load) {
    err(`xbar: unknown command ${JSON.stringify(command)}\n\n${MAIN_HELP}`);
    return ExitCode.USAGE;
  }
  try {
    const run = await load();
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
