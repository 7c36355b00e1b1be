import assert from "node:assert/strict";
import { NonceCache } from "./http_bridge_nonces.ts";

Deno.test("NonceCache.admit() refuses a nonce seen within the window and forgets it after", () => {
  const c = new NonceCache(300_000);
  const t = 1_000_000;
  assert.equal(c.admit("42", t, t), "fresh");
  assert.equal(c.admit("42", t, t + 1000), "replayed");
  assert.equal(c.admit("43", t, t + 1000), "fresh");
  // Past timestamp + window the timestamp check refuses the request anyway.
  assert.equal(c.admit("42", t, t + 300_001), "fresh");
});

Deno.test("NonceCache.admit() holds at most maxEntries live nonces: full, never forgetting a live one", () => {
  const c = new NonceCache(1000, 2);
  assert.equal(c.admit("1", 0, 0), "fresh");
  assert.equal(c.admit("2", 0, 0), "fresh");
  assert.equal(c.admit("3", 0, 10), "full");
  assert.equal(c.admit("1", 0, 10), "replayed");
  // Expired entries are swept to make room.
  assert.equal(c.admit("3", 2000, 2000), "fresh");
  assert.equal(c.size, 1);
});

Deno.test("NonceCache refuses invalid settings", () => {
  assert.throws(() => new NonceCache(0), /replay window/);
  assert.throws(() => new NonceCache(1000, 0), /replayCacheSize/);
});
