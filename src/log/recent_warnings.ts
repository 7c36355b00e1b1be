/**
 * The newest warnings and errors a process logged, kept for the live status
 * page and `xbar status`. What is kept is safe to show to anyone who can
 * open the status page: the message and a fixed set of harmless fields
 * (worker, realm, session, reason, error text, ...), never peer addresses,
 * transport ids, identities, headers or paths; long texts are cut.
 *
 * @module
 */

import type { LogFields, Logger, LogLevel } from "./logger.ts";

/** One kept warning. */
export interface RecentWarning {
  /** When (ISO 8601). */
  time: string;
  /** `warn` or `error`. */
  level: "warn" | "error";
  /** The log message. */
  msg: string;
  /** The fields that are safe to show. */
  fields: Record<string, string | number | boolean>;
}

/** Fields of warning log lines that may be shown on the status page. */
const SHOWN_FIELDS = new Set([
  "worker",
  "realm",
  "session",
  "component",
  "link",
  "reason",
  "error",
  "code",
  "signal",
  "pid",
  "uri",
  "type",
  "action",
  "attempt",
  "restarts",
  "delay_ms",
  "timeout_ms",
  "ms",
  "after",
  "exit",
  "limit",
  "dropped",
  "connections",
  "queuedBytes",
  "queuedMessages",
  "maxOutboundBytes",
  "expected",
]);

/** Longest text kept of a message or field. */
const MAX_TEXT = 300;

function cut(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** A ring of the newest warnings. */
export class RecentWarnings {
  #limit: number;
  #items: RecentWarning[] = [];

  /** @param limit how many are kept (default 50) */
  constructor(limit = 50) {
    this.#limit = limit;
  }

  /** Keeps one warning (its fields filtered). */
  add(level: "warn" | "error", msg: string, fields?: LogFields): void {
    const shown: Record<string, string | number | boolean> = {};
    for (const k in fields ?? {}) {
      if (!SHOWN_FIELDS.has(k)) continue;
      const v = fields![k];
      if (typeof v === "number" || typeof v === "boolean") shown[k] = v;
      else if (typeof v === "string") shown[k] = cut(v);
      else if (v instanceof Error) shown[k] = cut(v.message);
    }
    this.#items.push({ time: new Date().toISOString(), level, msg: cut(msg), fields: shown });
    if (this.#items.length > this.#limit) this.#items.shift();
  }

  /** The kept warnings, oldest first (copies). */
  list(): RecentWarning[] {
    return this.#items.map((w) => ({ ...w, fields: { ...w.fields } }));
  }
}

/** A logger that writes through `inner` and keeps every `warn` and `error` line in `ring`. */
export function recordingWarnings(inner: Logger, ring: RecentWarnings): Logger {
  return {
    log(level: LogLevel, msg: string, fields?: LogFields): void {
      if (level === "warn" || level === "error") ring.add(level, msg, fields);
      inner.log(level, msg, fields);
    },
    enabled(level: LogLevel): boolean {
      return level === "warn" || level === "error" || inner.enabled(level);
    },
  };
}
