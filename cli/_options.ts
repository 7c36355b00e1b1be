/**
 * Option parsing shared by the commands (`node:util` `parseArgs`), the exit
 * codes, and usage errors.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ConsoleLogger, type LogFormat } from "../src/log/console_logger.ts";
import type { Logger, LogLevel } from "../src/log/logger.ts";
import { DEFAULT_NODE_DIR } from "../src/config/load.ts";

/** Exit codes of every command. */
export const ExitCode = {
  /** Success (`status`: the node is running). */
  OK: 0,
  /** Failure: invalid config, a node that could not start or stop, ... */
  ERROR: 1,
  /** Bad command line. */
  USAGE: 2,
  /** No node is running in the directory (`status`, `stop`). */
  NOT_RUNNING: 3,
  /** `start`: a node already runs in the directory; `status`: it runs but does not answer. */
  CONFLICT: 4,
} as const;

/** Exit code text for help pages. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success (status: the node is running)
  1  failure (invalid config, the node could not start or stop, ...)
  2  bad command line
  3  no node is running in the node directory (status, stop)
  4  start: a node already runs in the node directory; status: it runs but does not answer`;

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  /** @param message what is wrong */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type OptionSpec = { type: "string" | "boolean"; short?: string; default?: string | boolean };

/** Options every node command takes. */
export const NODE_OPTIONS: Record<string, OptionSpec> = {
  dir: { type: "string", short: "d" },
  config: { type: "string", short: "c" },
  help: { type: "boolean", short: "h" },
};

/** Logging options (start, and the commands that log). */
export const LOG_OPTIONS: Record<string, OptionSpec> = {
  loglevel: { type: "string" },
  logformat: { type: "string" },
  logtofile: { type: "boolean" },
};

/** Help text for the common options. */
export const NODE_OPTIONS_HELP =
  `  -d, --dir <dir>        node directory (default ${DEFAULT_NODE_DIR})
  -c, --config <file>    config file (default: config.yaml, else config.json, in the node directory)
  -h, --help             show this help`;

/** Help text for the logging options. */
export const LOG_OPTIONS_HELP =
  `      --loglevel <level> trace, debug, info (default), warn or error
      --logformat <fmt>  text (default, like Crossbar's) or json (one JSON object per line)
      --logtofile        write the log to node.log in the node directory instead of stderr`;

/** Parses `args` for a command: strict, no positionals. Throws `UsageError`. */
export function parseCommand(
  args: string[],
  options: Record<string, OptionSpec>,
): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify.*$/s, "") : String(err),
    );
  }
}

const LEVELS = ["trace", "debug", "info", "warn", "error"];

/** The log level from `--loglevel`. */
export function logLevelOf(v: unknown): LogLevel {
  if (v === undefined) return "info";
  if (typeof v === "string" && LEVELS.includes(v)) return v as LogLevel;
  throw new UsageError(`--loglevel: must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(v)}`);
}

/** The log format from `--logformat`. */
export function logFormatOf(v: unknown): LogFormat {
  if (v === undefined) return "text";
  if (v === "text" || v === "json") return v;
  throw new UsageError(`--logformat: must be text or json, got ${JSON.stringify(v)}`);
}

/** The node directory from `--dir`. */
export function dirOf(v: unknown): string {
  if (v === undefined) return DEFAULT_NODE_DIR;
  if (typeof v !== "string" || v === "") throw new UsageError("--dir: must name a directory");
  return v;
}

/** A logger for a command's own messages (stderr). */
export function commandLogger(kind: string, values: Record<string, unknown>): Logger {
  return new ConsoleLogger({
    kind,
    level: logLevelOf(values.loglevel),
    format: logFormatOf(values.logformat),
  });
}

const encoder = new TextEncoder();

/** Writes a line to stdout. */
export function out(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** Writes a line to stderr. */
export function err(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}
