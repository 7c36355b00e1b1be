/**
 * The part of an HTTP bridge request body that the caller and the publisher
 * share: one URI key (`procedure` or `topic`, required), `args` (a list),
 * `kwargs` (an object) and `options` (an object whose keys each bridge checks
 * itself); `null` counts as absent, any other key is refused.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import { describe, unknownKeys } from "./http_bridge.ts";

/** A check's answer: the value, or why the body is refused (a 400 text). */
export type BodyCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What one bridge's body looks like, for the texts of its refusals. */
export interface BodyShape {
  /** The key that names the URI (`procedure`, `topic`). */
  uriKey: string;
  /** What the body asks for, in "a ... body has" (`call`, `publish`). */
  what: string;
  /** An example body, shown when the URI is missing. */
  example: string;
}

/** A body's shared part, checked; `options` is undefined when absent or null. */
export interface BridgeBody {
  /** The procedure or topic URI. */
  uri: string;
  /** Positional arguments (`[]` when absent). */
  args: List;
  /** Keyword arguments (`{}` when absent). */
  kwargs: Dict;
  /** The options object, its keys not yet checked. */
  options: Dict | undefined;
}

/** Checks the shared part of a bridge request body. */
export function validateBridgeBody(body: Dict, shape: BodyShape): BodyCheck<BridgeBody> {
  const keys = [shape.uriKey, "args", "kwargs", "options"];
  const extra = unknownKeys(body, keys);
  if (extra.length > 0) {
    return {
      ok: false,
      reason: `unknown key ${JSON.stringify(extra[0])}: a ${shape.what} body has ${
        keys.join(", ")
      }`,
    };
  }
  const { args, kwargs, options } = body;
  const uri = body[shape.uriKey];
  if (uri === undefined || uri === null) {
    return {
      ok: false,
      reason: `missing "${shape.uriKey}": the body must be like ${shape.example}`,
    };
  }
  if (typeof uri !== "string" || uri === "") {
    return {
      ok: false,
      reason: `"${shape.uriKey}" must be a non-empty string (a URI), got ${describe(uri)}`,
    };
  }
  if (args !== undefined && args !== null && !Array.isArray(args)) {
    return { ok: false, reason: `"args" must be a list, got ${describe(args)}` };
  }
  if (kwargs !== undefined && kwargs !== null && !isObject(kwargs)) {
    return { ok: false, reason: `"kwargs" must be an object, got ${describe(kwargs)}` };
  }
  if (options !== undefined && options !== null && !isObject(options)) {
    return { ok: false, reason: `"options" must be an object, got ${describe(options)}` };
  }
  return {
    ok: true,
    value: {
      uri,
      args: (args as List | null | undefined) ?? [],
      kwargs: (kwargs as Dict | null | undefined) ?? {},
      options: (options as Dict | null | undefined) ?? undefined,
    },
  };
}

/** A JSON object (not a list, not binary, not null). */
export function isObject(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
