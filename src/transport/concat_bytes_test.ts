import assert from "node:assert/strict";
import { concatBytes } from "./concat_bytes.ts";

Deno.test("concatBytes() joins parts end to end, returns a single part as is, and an empty array for none", () => {
  const a = new Uint8Array([1, 2]);
  assert.deepEqual(
    concatBytes([a, new Uint8Array(0), new Uint8Array([3])]),
    new Uint8Array([1, 2, 3]),
  );
  assert.equal(concatBytes([a]), a);
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
  // views into a larger buffer are copied by their own bytes only
  const big = new Uint8Array([9, 8, 7, 6]);
  assert.deepEqual(
    concatBytes([big.subarray(1, 3), big.subarray(0, 1)]),
    new Uint8Array([8, 7, 9]),
  );
});
