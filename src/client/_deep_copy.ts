/**
 * A JSON-like deep copy (arrays, plain objects, byte arrays, primitives), used
 * by the local transport to mimic a serializer boundary.
 *
 * @module
 */

/** Returns a deep copy of `value`: arrays and objects are copied, Uint8Arrays duplicated. */
export function deepCopy<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  if (v instanceof Uint8Array) return v.slice();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
  return out;
}
