/**
 * Option parsing shared by the commands (`_parse_args.ts`), the exit
 * codes, and usage errors.
 *
 * @module
 */

import { type OptionSpec, parseOptions } from "./_parse_args.ts";
import { basename, fileURLToPath, isAbsolute, join, relative } from "../src/posix_path.ts";
import { ConsoleLogger } from "../src/log/console_logger.ts";
import type { Logger } from "../src/log/logger.ts";
import { DEFAULT_NODE_DIR } from "../src/config/defaults.ts";
import { logFormatOf, logLevelOf, UsageError } from "./_command_basics.ts";

export {
  EXIT_CODES_HELP,
  ExitCode,
  logFormatOf,
  logLevelOf,
  UsageError,
} from "./_command_basics.ts";

/** The node directory options (`--cbdir` is Crossbar's name for `--dir`). */
export const DIR_OPTIONS: Record<string, OptionSpec> = {
  dir: { type: "string", short: "d" },
  cbdir: { type: "string" },
};

/** Options every node command takes. */
export const NODE_OPTIONS: Record<string, OptionSpec> = {
  ...DIR_OPTIONS,
  config: { type: "string", short: "c" },
  help: { type: "boolean", short: "h" },
};

/** Logging options (start, and the commands that log). */
export const LOG_OPTIONS: Record<string, OptionSpec> = {
  loglevel: { type: "string" },
  logformat: { type: "string" },
  logtofile: { type: "boolean" },
  logdir: { type: "string" },
  color: { type: "string" },
};

/** Help text for the node directory option. */
export const DIR_OPTIONS_HELP =
  `  -d, --dir <dir>        node directory (alias --cbdir; default $CROSSBAR_DIR, else ${DEFAULT_NODE_DIR})`;

/** Help text for the common options. */
export const NODE_OPTIONS_HELP = `${DIR_OPTIONS_HELP}
  -c, --config <file>    config file (default: config.yaml, else config.json, in the node directory)
  -h, --help             show this help`;

/** Help text for the logging options. */
export const LOG_OPTIONS_HELP =
  `      --loglevel <level> none, error, warn, info (default), debug or trace
      --logformat <fmt>  standard (default; alias text), syslogd (no timestamps) or json
      --color <when>     colour the log: auto (default: when stderr is a terminal), true, false
      --logtofile        write the log to node.log in the node directory instead of stderr
      --logdir <dir>     directory of node.log with --logtofile (default: the node directory)`;

/** Parses `args` for a command: strict, no positionals. Throws `UsageError`. */
export function parseCommand(
  args: string[],
  options: Record<string, OptionSpec>,
): Record<string, string | boolean | undefined> {
  try {
    return parseOptions(args, options);
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify.*$/s, "") : String(err),
    );
  }
}

/**
 * Parses `args` for a command that takes `-h, --help` (added to `options`).
 * With --help it prints `help` and gives undefined: the command then exits 0.
 * Throws `UsageError`.
 */
export function parseCommandOrHelp(
  args: string[],
  options: Record<string, OptionSpec>,
  help: string,
): Record<string, string | boolean | undefined> | undefined {
  const v = parseCommand(args, { ...options, help: { type: "boolean", short: "h" } });
  if (!v.help) return v;
  out(help);
  return undefined;
}

/** Whether log lines are coloured, from `--color` (`auto`: stderr is a terminal and NO_COLOR is unset). */
export function colorOf(v: unknown): boolean {
  if (v === "true") return true;
  if (v === "false") return false;
  if (v !== undefined && v !== "auto") {
    throw new UsageError(`--color: must be true, false or auto, got ${JSON.stringify(v)}`);
  }
  try {
    if (Deno.env.get("NO_COLOR")) return false;
  } catch {
    // no env permission: decide by the terminal alone
  }
  return Deno.stderr.isTerminal();
}

/** The environment variable Crossbar reads the node directory from. */
export const CROSSBAR_DIR_ENV = "CROSSBAR_DIR";

/**
 * The node directory: `--dir` or its alias `--cbdir` (Crossbar's), else
 * `$CROSSBAR_DIR`, else `.crossbar`.
 */
export function dirOf(v: Record<string, unknown>): string {
  const { dir, cbdir } = v;
  if (dir !== undefined && cbdir !== undefined && dir !== cbdir) {
    throw new UsageError("--dir and --cbdir name different directories: give one");
  }
  const given = dir ?? cbdir;
  if (given === undefined) {
    let env: string | undefined;
    try {
      env = Deno.env.get(CROSSBAR_DIR_ENV);
    } catch {
      // no env permission: the default
    }
    return env || DEFAULT_NODE_DIR;
  }
  if (typeof given !== "string" || given === "") {
    throw new UsageError(`--${dir !== undefined ? "dir" : "cbdir"}: must name a directory`);
  }
  return given;
}

/** The environment variable `scripts/xbar` sets to the command as the user typed it. */
export const PROGRAM_ENV = "XBAR_PROG";

let program: string | undefined;

/**
 * How the user runs xbar, for help texts and hints: what `scripts/xbar`
 * reports (`./scripts/xbar`), the compiled executable's name (when it is
 * found on PATH) or path, else `deno run -A <path of cli/xbar.ts>`.
 */
export function programName(): string {
  if (program !== undefined) return program;
  let given: string | undefined;
  try {
    given = Deno.env.get(PROGRAM_ENV);
    if (given !== undefined) Deno.env.delete(PROGRAM_ENV);
  } catch {
    // no env permission
  }
  if (given) return (program = given);
  if (Deno.build.standalone) {
    const exe = Deno.execPath();
    const name = basename(exe);
    let onPath = false;
    try {
      onPath = (Deno.env.get("PATH") ?? "").split(":").some((d) =>
        d !== "" && join(d, name) === exe
      );
    } catch {
      // no env permission
    }
    return (program = onPath ? name : relativeToCwd(exe));
  }
  const main = fileURLToPath(new URL("./xbar.ts", import.meta.url));
  return (program = `deno run -A ${relativeToCwd(main)}`);
}

function relativeToCwd(path: string): string {
  try {
    const rel = relative(Deno.cwd(), path);
    if (!rel.startsWith("..") && !isAbsolute(rel)) return rel.startsWith(".") ? rel : `./${rel}`;
  } catch {
    // no read permission for the cwd
  }
  return path;
}

/** "xbar <command>" where a text names a command (not "xbar" in prose, like "a compiled xbar runs"). */
const COMMAND_MENTION =
  /(^|[\s"'`(])xbar (?=(?:init|start|stop|status|check|convert|keys|version|help|<command>)\b)/gm;

/** `text` with "xbar <command>" written as the user runs it (see {@link programName}). */
export function forUser(text: string): string {
  const p = programName();
  if (p === "xbar") return text;
  return text.replace(COMMAND_MENTION, (_m, pre: string) => `${pre}${p} `);
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

/** Writes a line to stdout ("xbar <command>" as the user runs it). */
export function out(line: string): void {
  Deno.stdout.writeSync(encoder.encode(forUser(line) + "\n"));
}

/** Writes a line to stderr ("xbar <command>" as the user runs it). */
export function err(line: string): void {
  Deno.stderr.writeSync(encoder.encode(forUser(line) + "\n"));
}
