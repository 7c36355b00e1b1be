import assert from "node:assert/strict";
import { constantTimeBytesEqual, timingSafeEqual } from "./timing_safe_equal.ts";

Deno.test("timingSafeEqual() is true only for identical strings", async () => {
  assert.equal(await timingSafeEqual("secret", "secret"), true);
  assert.equal(await timingSafeEqual("", ""), true);
  assert.equal(await timingSafeEqual("secret", "secreT"), false);
  assert.equal(await timingSafeEqual("secret", "secret "), false);
  assert.equal(await timingSafeEqual("", "x"), false);
  assert.equal(await timingSafeEqual("é", "e\u0301"), false);
});

Deno.test("constantTimeBytesEqual() compares every byte and rejects different lengths", () => {
  assert.equal(constantTimeBytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(constantTimeBytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(constantTimeBytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
});
