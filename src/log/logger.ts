/**
 * A minimal structured logger interface. The router takes one in its options;
 * the node decides how lines are written (text like Crossbar's, or JSON lines).
 *
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** Numeric order of the levels. */
export const levelOrder: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
};

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Something that writes log lines. */
export interface Logger {
  /** Writes `msg` at `level` with optional fields. */
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  /** True when `level` would be written (skip building expensive fields otherwise). */
  enabled(level: LogLevel): boolean;
}

/** A logger that drops everything (the default for embedded routers and tests). */
export const nullLogger: Logger = {
  log() {},
  enabled() {
    return false;
  },
};

/** A logger that keeps lines in memory, for tests. */
export class MemoryLogger implements Logger {
  /** Every line logged so far. */
  readonly lines: { level: LogLevel; msg: string; fields?: LogFields }[] = [];
  /** Records the line. */
  log(level: LogLevel, msg: string, fields?: LogFields): void {
    this.lines.push({ level, msg, fields });
  }
  /** Always true. */
  enabled(): boolean {
    return true;
  }
}
