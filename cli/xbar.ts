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
import { importLater } from "../src/import_later.ts";

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

/** Imports a command's module (`importLater`: `deno run` prepares it only now). */
function command<T>(path: string): Promise<T> {
  return importLater<T>(new URL(path, import.meta.url));
}

/**
 * Each command's module, imported when that command runs (start-up time:
 * `xbar start` prepares and loads neither the other commands nor the
 * workers; `cli/compiled_graph.ts` keeps them in the single executable).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await command<typeof import("./init.ts")>("./init.ts")).init,
  start: async () => (await command<typeof import("./start.ts")>("./start.ts")).start,
  stop: async () => (await command<typeof import("./stop.ts")>("./stop.ts")).stop,
  status: async () => (await command<typeof import("./status.ts")>("./status.ts")).status,
  check: async () => (await command<typeof import("./check.ts")>("./check.ts")).check,
  convert: async () => (await command<typeof import("./convert.ts")>("./convert.ts")).convert,
  keys: async () => (await command<typeof import("./keys.ts")>("./keys.ts")).keys,
  version: () => Promise.resolve(version),
  worker: async () => (await command<typeof import("./worker.ts")>("./worker.ts")).worker,
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
