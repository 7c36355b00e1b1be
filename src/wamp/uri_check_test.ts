import assert from "node:assert/strict";
import { isReservedUri, isValidPattern, isValidUri, type MatchPolicy } from "./uri_check.ts";

/** [uri, loose, strict, loose+allowEmpty, strict+allowEmpty] */
const uris: [unknown, boolean, boolean, boolean, boolean][] = [
  ["com.example.add", true, true, true, true],
  ["a", true, true, true, true],
  ["com.example.add2_x", true, true, true, true],
  ["0.1.2", true, true, true, true],
  ["Com.Example", true, false, true, false],
  ["com.exämple", true, false, true, false],
  ["com.example-x", true, false, true, false],
  ["com.ex/ample:1", true, false, true, false],
  ["", false, false, true, true],
  ["com..add", false, false, true, true],
  [".com.add", false, false, true, true],
  ["com.add.", false, false, true, true],
  [".", false, false, true, true],
  ["..", false, false, true, true],
  ["com.ex ample", false, false, false, false],
  ["com.ex\tample", false, false, false, false],
  ["com.ex\u00a0ample", false, false, false, false],
  ["com.ex#ample", false, false, false, false],
  ["com.#", false, false, false, false],
  [" com", false, false, false, false],
  ["com\n", false, false, false, false],
  [42, false, false, false, false],
  [null, false, false, false, false],
];

for (const [uri, loose, strict, looseEmpty, strictEmpty] of uris) {
  const shown = JSON.stringify(uri);
  Deno.test(`isValidUri() on ${shown}: loose ${loose}, strict ${strict}, with empty ${looseEmpty}/${strictEmpty}`, () => {
    assert.equal(isValidUri(uri), loose, "loose");
    assert.equal(isValidUri(uri, { strict: false }), loose, "loose (explicit)");
    assert.equal(isValidUri(uri, { strict: true }), strict, "strict");
    assert.equal(isValidUri(uri, { allowEmpty: true }), looseEmpty, "loose, allowEmpty");
    assert.equal(
      isValidUri(uri, { strict: true, allowEmpty: true }),
      strictEmpty,
      "strict, allowEmpty",
    );
  });
}

/** [uri, match, loose, strict] */
const patterns: [string, MatchPolicy, boolean, boolean][] = [
  ["com.example.add", "exact", true, true],
  ["com.example.", "exact", false, false],
  ["com..add", "exact", false, false],
  ["Com.Ex", "exact", true, false],
  ["com.example.add", "prefix", true, true],
  ["com.example.", "prefix", true, true],
  ["com.example", "prefix", true, true],
  ["", "prefix", true, true],
  ["com..add", "prefix", false, false],
  [".com", "prefix", false, false],
  ["com.Example.", "prefix", true, false],
  ["com.ex ample.", "prefix", false, false],
  ["com..add", "wildcard", true, true],
  [".example.", "wildcard", true, true],
  ["com.example.add", "wildcard", true, true],
  ["..", "wildcard", true, true],
  ["com..Add", "wildcard", true, false],
  ["com..a#d", "wildcard", false, false],
  ["com.. add", "wildcard", false, false],
];

for (const [uri, match, loose, strict] of patterns) {
  Deno.test(`isValidPattern() on ${JSON.stringify(uri)} with match ${match}: loose ${loose}, strict ${strict}`, () => {
    assert.equal(isValidPattern(uri, match), loose, "loose (default)");
    assert.equal(isValidPattern(uri, match, false), loose, "loose");
    assert.equal(isValidPattern(uri, match, true), strict, "strict");
  });
}

Deno.test("isValidPattern() rejects unknown match policies and non-strings", () => {
  assert.equal(isValidPattern("com.example", "glob" as MatchPolicy), false);
  assert.equal(isValidPattern(42, "exact"), false);
  assert.equal(isValidPattern(undefined, "wildcard"), false);
});

Deno.test("isValidUri() answers long near-miss inputs (no catastrophic backtracking)", () => {
  const long = "a.".repeat(50_000) + "#";
  assert.equal(isValidUri(long), false);
  assert.equal(isValidUri(long, { allowEmpty: true, strict: true }), false);
  assert.equal(isValidPattern(long, "prefix"), false);
  assert.equal(isValidPattern(long, "wildcard"), false);
});

Deno.test("isReservedUri() is true exactly for the wamp. namespace", () => {
  assert.equal(isReservedUri("wamp.session.on_join"), true);
  assert.equal(isReservedUri("wamp."), true);
  assert.equal(isReservedUri("wamp"), false);
  assert.equal(isReservedUri("wampx.foo"), false);
  assert.equal(isReservedUri("com.wamp.foo"), false);
  assert.equal(isReservedUri("WAMP.foo"), false);
});
