/**
 * A logger that writes lines to stderr (stdout may carry a worker's frame
 * channel, so logs never go there), as text like Crossbar's
 * `2026-11-24T10:00:00.123Z [Router  4242] message key=value` (optionally
 * coloured by level; `syslogd` leaves out the time, which syslog adds), or as
 * JSON lines.
 *
 * @module
 */

import { levelOrder, type LogFields, type Logger, type LogLevel } from "./logger.ts";

/** Output format of log lines: text, text without timestamps (`syslogd`), or JSON lines. */
export type LogFormat = "text" | "syslogd" | "json";

/** Options of `ConsoleLogger`. */
export interface ConsoleLoggerOptions {
  /** Lowest level written (`none`: nothing). Default "info". */
  level?: LogLevel | "none";
  /** Line format. Default "text". */
  format?: LogFormat;
  /** Colour text lines by level (ANSI). Default false. */
  color?: boolean;
  /** Process kind shown in text lines (Controller, Router, Container, Guest). Default "Node". */
  kind?: string;
  /** Where lines go. Default: stderr. */
  write?: (line: string) => void;
}

const encoder = new TextEncoder();

function stderrWrite(line: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(line + "\n"));
  } catch {
    // stderr gone (parent closed it): nothing sensible left to do with a log line
  }
}

function fieldText(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const COLORS: Record<LogLevel, [string, string]> = {
  trace: ["\x1b[2m", "\x1b[0m"],
  debug: ["\x1b[2m", "\x1b[0m"],
  info: ["", ""],
  warn: ["\x1b[33m", "\x1b[0m"],
  error: ["\x1b[31;1m", "\x1b[0m"],
};

/** Writes log lines to stderr (or `write`). */
export class ConsoleLogger implements Logger {
  #min: number;
  #format: LogFormat;
  #color: boolean;
  #kind: string;
  #write: (line: string) => void;

  /** @param options see ConsoleLoggerOptions */
  constructor(options: ConsoleLoggerOptions = {}) {
    const level = options.level ?? "info";
    this.#min = level === "none" ? Infinity : levelOrder[level];
    this.#format = options.format ?? "text";
    this.#color = options.color === true && this.#format !== "json";
    this.#kind = options.kind ?? "Node";
    this.#write = options.write ?? stderrWrite;
  }

  /** True when `level` is written. */
  enabled(level: LogLevel): boolean {
    return levelOrder[level] >= this.#min;
  }

  /** Writes one line if `level` is enabled. */
  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (levelOrder[level] < this.#min) return;
    const time = new Date().toISOString();
    if (this.#format === "json") {
      this.#write(JSON.stringify({ time, level, kind: this.#kind, pid: Deno.pid, msg, ...fields }));
      return;
    }
    let line = `${this.#format === "syslogd" ? "" : `${time} `}[${this.#kind.padEnd(10)} ${
      String(Deno.pid).padStart(6)
    }] ${level === "info" ? "" : level.toUpperCase() + " "}${msg}`;
    if (fields) {
      for (const k in fields) {
        if (fields[k] !== undefined) line += ` ${k}=${fieldText(fields[k])}`;
      }
    }
    if (this.#color && level !== "info") line = COLORS[level][0] + line + COLORS[level][1];
    this.#write(line);
  }
}
