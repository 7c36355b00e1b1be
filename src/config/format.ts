/**
 * Printing config errors the way compilers do: `file:line:column: path: message`.
 *
 * @module
 */

import type { ConfigError } from "./types.ts";

/**
 * One error as one line: `config.yaml:12:7: workers[0].transports[1].endpoint.port: must be 1-65535, got 70000`.
 * Parts that are unknown are left out (`config.json: path: message`, `path: message`).
 */
export function formatConfigError(e: ConfigError): string {
  let where = e.file ?? "";
  if (e.line !== undefined) where += `${where ? ":" : ""}${e.line}:${e.column ?? 1}`;
  const parts = [where, e.path, e.message].filter((s) => s !== "");
  return parts.join(": ");
}

/** Every error, one line each (see {@link formatConfigError}), joined with newlines. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map(formatConfigError).join("\n");
}

/** Errors in file order (line, then column); errors without a position keep their place at the end. */
export function sortedErrors(errors: readonly ConfigError[]): ConfigError[] {
  return errors.map((e, i) => ({ e, i })).sort((a, b) =>
    (a.e.line ?? Infinity) - (b.e.line ?? Infinity) || (a.e.column ?? 0) - (b.e.column ?? 0) ||
    a.i - b.i
  ).map((x) => x.e);
}
