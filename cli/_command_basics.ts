/**
 * What every command shares and needs no `node:` module: exit codes, usage
 * errors, the log level and format options' values. Worker processes parse
 * their command line with these alone (`_worker_command.ts`): a process's
 * first `node:` import sets up Deno's Node compatibility layer, which the
 * router worker's path to its first listener does not pay.
 *
 * @module
 */

import type { LogFormat } from "../src/log/console_logger.ts";
import type { LogLevel } from "../src/log/logger.ts";

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

const LEVELS = ["none", "error", "warn", "info", "debug", "trace"];

/** The log level from `--loglevel` (`none` writes nothing). */
export function logLevelOf(v: unknown): LogLevel | "none" {
  if (v === undefined) return "info";
  if (typeof v === "string" && LEVELS.includes(v)) return v as LogLevel | "none";
  throw new UsageError(`--loglevel: must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(v)}`);
}

const FORMATS: Record<string, LogFormat> = {
  text: "text",
  standard: "text",
  none: "text",
  syslogd: "syslogd",
  json: "json",
};

/**
 * The log format from `--logformat`: Crossbar's `standard` (and its `none`)
 * is xbar's `text`; `syslogd` is text without timestamps (syslog adds its own).
 */
export function logFormatOf(v: unknown): LogFormat {
  if (v === undefined) return "text";
  if (typeof v === "string" && Object.hasOwn(FORMATS, v)) return FORMATS[v];
  throw new UsageError(
    `--logformat: must be one of standard, syslogd, json (or text), got ${JSON.stringify(v)}`,
  );
}
