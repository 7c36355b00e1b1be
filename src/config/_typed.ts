/**
 * Reading the `type` of a tagged config item (worker, transport, endpoint,
 * web service, component), with errors for missing, unknown and unsupported
 * types.
 *
 * @module
 */

import { type Checker, describe, isObject } from "./_checker.ts";
import type { ConfigPath } from "./path.ts";
import { suggest } from "./suggest.ts";

/**
 * Returns the object and its `type` when `type` is one of `known`; reports
 * otherwise. `noun` names the type in messages ("worker type").
 */
export function readType<T extends string>(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  noun: string,
  known: readonly T[],
  unsupported: Readonly<Record<string, string>> = {},
): { o: Record<string, unknown>; type: T } | undefined {
  if (v === undefined) return undefined; // an absent required key is reported by Checker.object
  if (!isObject(v)) {
    c.error(path, `must be an object, got ${describe(v)}`);
    return undefined;
  }
  const t = v.type;
  if (t === undefined) {
    c.error(path, `missing required key "type" (one of ${known.map((k) => `"${k}"`).join(", ")})`);
    return undefined;
  }
  if (typeof t === "string" && (known as readonly string[]).includes(t)) {
    return { o: v, type: t as T };
  }
  if (typeof t === "string" && t in unsupported) {
    c.error([...path, "type"], `${noun} "${t}" is not supported by xbar (${unsupported[t]})`);
    return undefined;
  }
  const close = typeof t === "string" ? suggest(t, known) : undefined;
  c.error(
    [...path, "type"],
    `unknown ${noun} ${describe(t)}: must be one of ${known.map((k) => `"${k}"`).join(", ")}` +
      (close ? ` (did you mean "${close}"?)` : ""),
  );
  return undefined;
}
