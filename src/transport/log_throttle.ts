/**
 * A log line for events that can come in floods (refused connections,
 * accept failures, timeouts): the first event is logged at once, later ones
 * are counted and logged as one summary line per interval, so an attacker
 * cannot fill the log or spend the process's time on logging.
 *
 * @module
 */

import type { LogFields, Logger, LogLevel } from "../log/logger.ts";

/** What a `LogThrottle` writes. */
export interface ThrottledLine {
  /** The message. */
  message: string;
  /** Fields on every line. */
  fields?: LogFields;
  /** Level. Default `warn`. */
  level?: LogLevel;
}

/** Logs the first of a burst of events at once and the rest as counted summaries. */
export class LogThrottle {
  /** Events seen so far (for metrics). */
  total = 0;
  #logger: Logger;
  #everyMs: number;
  #line: ThrottledLine;
  #suppressed = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param logger where lines go
   * @param everyMs least milliseconds between two lines
   * @param line the line to write
   */
  constructor(logger: Logger, everyMs: number, line: ThrottledLine) {
    this.#logger = logger;
    this.#everyMs = everyMs;
    this.#line = line;
  }

  /** Records one event; `extra` fields go on the line when this event is the one logged. */
  hit(extra?: LogFields): void {
    this.total++;
    if (this.#timer !== undefined) {
      this.#suppressed++;
      return;
    }
    this.#write(1, extra);
    this.#arm();
  }

  /** Writes what is pending now and stops the timer. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#suppressed > 0) this.#write(this.#suppressed);
    this.#suppressed = 0;
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#suppressed === 0) return;
      const n = this.#suppressed;
      this.#suppressed = 0;
      this.#write(n);
      this.#arm();
    }, this.#everyMs);
    // A pending summary must not keep the process alive.
    Deno.unrefTimer(this.#timer);
  }

  #write(count: number, extra?: LogFields): void {
    this.#logger.log(this.#line.level ?? "warn", this.#line.message, {
      ...this.#line.fields,
      ...extra,
      ...(count > 1 ? { count, within_ms: this.#everyMs } : {}),
    });
  }
}
