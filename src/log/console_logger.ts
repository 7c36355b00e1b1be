/**
 * A logger that writes lines to stderr (stdout may carry a worker's frame
 * channel, so logs never go there), as text like Crossbar's
 * `2026-11-24T10:00:00.123Z [Router  4242] message key=value` or as JSON lines.
 *
 * @module
 */

import { levelOrder, type LogFields, type Logger, type LogLevel } from "./logger.ts";

/** Output format of log lines. */
export type LogFormat = "text" | "json";

/** Options of `ConsoleLogger`. */
export interface ConsoleLoggerOptions {
  /** Lowest level written. Default "info". */
  level?: LogLevel;
  /** Line format. Default "text". */
  format?: LogFormat;
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

/** Writes log lines to stderr (or `write`). */
export class ConsoleLogger implements Logger {
  #min: number;
  #format: LogFormat;
  #kind: string;
  #write: (line: string) => void;

  /** @param options see ConsoleLoggerOptions */
  constructor(options: ConsoleLoggerOptions = {}) {
    this.#min = levelOrder[options.level ?? "info"];
    this.#format = options.format ?? "text";
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
    let line = `${time} [${this.#kind.padEnd(10)} ${String(Deno.pid).padStart(6)}] ${
      level === "info" ? "" : level.toUpperCase() + " "
    }${msg}`;
    if (fields) {
      for (const k in fields) {
        if (fields[k] !== undefined) line += ` ${k}=${fieldText(fields[k])}`;
      }
    }
    this.#write(line);
  }
}
