/**
 * Assertions for tests (node:assert/strict under friendlier names).
 *
 * @module
 */
import assertNode from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals(actual: unknown, expected: unknown, msg?: string): void {
  assertNode.deepStrictEqual(actual, expected, msg);
}

/** Truthiness. */
export function assert(v: unknown, msg?: string): asserts v {
  assertNode.ok(v, msg);
}
