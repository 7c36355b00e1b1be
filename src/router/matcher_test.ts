import { assert, assertEquals } from "./_assert.ts";
import { isMatchPolicy, UriMatcher } from "./matcher.ts";

Deno.test("UriMatcher.get() returns a value only for the same pattern and policy", () => {
  const m = new UriMatcher<string>();
  m.set("com.a", "exact", "e");
  m.set("com.a", "prefix", "p");
  m.set("com..b", "wildcard", "w");
  assertEquals(m.get("com.a", "exact"), "e");
  assertEquals(m.get("com.a", "prefix"), "p");
  assertEquals(m.get("com.a", "wildcard"), undefined);
  assertEquals(m.get("com..b", "wildcard"), "w");
  assertEquals(m.get("com..b", "exact"), undefined);
  assertEquals(m.get("com.x.b", "wildcard"), undefined);
  assertEquals(m.size, 3);
});

Deno.test("UriMatcher.set() replaces the value of an existing pattern without growing", () => {
  const m = new UriMatcher<number>();
  for (const policy of ["exact", "prefix", "wildcard"] as const) {
    m.set("a..c", policy, 1);
    m.set("a..c", policy, 2);
    assertEquals(m.get("a..c", policy), 2);
  }
  assertEquals(m.size, 3);
  assertEquals(m.matchAll("a.b.c"), [2]); // only the wildcard matches a.b.c
});

Deno.test("UriMatcher.delete() removes only the given pattern and reports whether it was there", () => {
  const m = new UriMatcher<string>();
  m.set("com.a", "exact", "e");
  m.set("com.a", "prefix", "p");
  m.set("com.b", "prefix", "p2"); // same length as com.a
  m.set("com..c", "wildcard", "w");
  m.set("com..d", "wildcard", "w2");
  assert(m.delete("com.a", "prefix"));
  assert(!m.delete("com.a", "prefix"));
  assertEquals(m.get("com.a", "exact"), "e");
  // the other prefix of the same length still matches
  assertEquals(m.matchAll("com.b.x"), ["p2"]);
  assertEquals(m.matchAll("com.a.x"), []);
  assert(m.delete("com..c", "wildcard"));
  assert(!m.delete("com..c", "wildcard"));
  assert(!m.delete("x..y.z", "wildcard"));
  assertEquals(m.matchAll("com.x.d"), ["w2"]);
  assert(m.delete("com.a", "exact"));
  assert(!m.delete("com.a", "exact"));
  assertEquals(m.size, 2);
  assert(m.delete("com.b", "prefix"));
  assert(m.delete("com..d", "wildcard"));
  assertEquals(m.size, 0);
  assert(!m.hasPatterns);
  assertEquals(m.matchAll("com.b.x"), []);
});

Deno.test("UriMatcher.matchAll() returns every matching pattern: exact, then prefixes longest first, then wildcards", () => {
  const m = new UriMatcher<string>();
  m.set("a.b.c", "exact", "exact");
  m.set("a.b", "prefix", "prefix-a.b");
  m.set("a", "prefix", "prefix-a");
  m.set("", "prefix", "prefix-all");
  m.set("a.b.c", "prefix", "prefix-a.b.c");
  m.set("a..c", "wildcard", "wild-a..c");
  m.set("..", "wildcard", "wild-..");
  m.set("a.b", "wildcard", "wild-2-components"); // no empty component, 2 parts: never matches a.b.c
  m.set("x", "prefix", "prefix-x");
  m.set("a.b.c.d", "exact", "exact-longer");
  assertEquals(m.matchAll("a.b.c"), [
    "exact",
    "prefix-a.b.c",
    "prefix-a.b",
    "prefix-a",
    "prefix-all",
    "wild-a..c",
    "wild-..",
  ]);
  assertEquals(m.matchAll("z"), ["prefix-all"]);
});

Deno.test("UriMatcher.matchAll() treats prefixes as plain string prefixes, as Crossbar does", () => {
  const m = new UriMatcher<string>();
  m.set("com.myapp.myobject1", "prefix", "p");
  assertEquals(m.matchAll("com.myapp.myobject1"), ["p"]);
  assertEquals(m.matchAll("com.myapp.myobject1.proc"), ["p"]);
  assertEquals(m.matchAll("com.myapp.myobject1-sub"), ["p"]);
  assertEquals(m.matchAll("com.myapp.myobject2"), []);
  assertEquals(m.matchAll("com.myapp.myobject"), []);
});

Deno.test("UriMatcher.matchAll() matches wildcards on whole components with the same count", () => {
  const m = new UriMatcher<string>();
  m.set("com.myapp..myprocedure1", "wildcard", "w");
  assertEquals(m.matchAll("com.myapp.myobject1.myprocedure1"), ["w"]);
  assertEquals(m.matchAll("com.myapp.myobject2.myprocedure1"), ["w"]);
  assertEquals(m.matchAll("com.myapp.myobject1.myprocedure1.mysub"), []);
  assertEquals(m.matchAll("com.myapp.myobject1.myprocedure2"), []);
  assertEquals(m.matchAll("com.myapp2.myobject1.myprocedure1"), []);
});

Deno.test("UriMatcher.best() prefers exact over prefix over wildcard", () => {
  const m = new UriMatcher<string>();
  m.set("a..c", "wildcard", "w");
  assertEquals(m.best("a.b.c"), "w");
  m.set("a", "prefix", "p");
  assertEquals(m.best("a.b.c"), "p");
  m.set("a.b.c", "exact", "e");
  assertEquals(m.best("a.b.c"), "e");
  assertEquals(m.best("a.x.c"), "p");
  assertEquals(m.best("b.x.c"), undefined);
});

Deno.test("UriMatcher.best() picks the longest prefix whatever the insertion order", () => {
  const m = new UriMatcher<string>();
  m.set("a1.b2", "prefix", "short");
  m.set("a1.b2.c3", "prefix", "long");
  m.set("a1", "prefix", "shortest");
  assertEquals(m.best("a1.b2.c3.d4"), "long");
  assertEquals(m.best("a1.b2.c9"), "short");
  assertEquals(m.best("a1.x"), "shortest");
  m.delete("a1.b2.c3", "prefix");
  assertEquals(m.best("a1.b2.c3.d4"), "short");
});

Deno.test("UriMatcher.best() follows the spec's registration example (pattern-based registration)", () => {
  // The example of the spec's "Calls matching multiple registrations", inserted
  // in reverse so that insertion order cannot be what decides. (The spec's
  // wildcard cases also match its prefix 'a1.b2.c3', which the text overlooks,
  // so they get a table of their own.)
  const m = new UriMatcher<number>();
  m.set("a1.b2.c3.d4", "prefix", 3);
  m.set("a1.b2.c3", "prefix", 2);
  m.set("a1.b2.c3.d4.e55", "exact", 1);
  assertEquals(m.best("a1.b2.c3.d4.e55"), 1);
  assertEquals(m.best("a1.b2.c3.d98.e74"), 2);
  assertEquals(m.best("a1.b2.c3.d4.e325"), 3);
  const w = new UriMatcher<number>();
  w.set("a1.b2..d4..f6.g7", "wildcard", 7);
  w.set("a1.b2..d4.e5..g7", "wildcard", 6);
  w.set("a1.b2.c3..e5", "wildcard", 5);
  w.set("a1.b2..d4.e5", "wildcard", 4);
  assertEquals(w.best("a1.b2.c55.d4.e5"), 4);
  assertEquals(w.best("a1.b2.c3.d4.e5"), 5);
  assertEquals(w.best("a1.b2.c88.d4.e5.f6.g7"), 6);
  assertEquals(w.best("a2.b2.c2.d2.e2"), undefined);
});

Deno.test("UriMatcher.best() prefers a literal component over a wildcard at the first place they differ", () => {
  const m = new UriMatcher<string>();
  m.set("...d", "wildcard", "only-last"); // more wildcards, later literal
  m.set("a...", "wildcard", "only-first");
  assertEquals(m.best("a.b.c.d"), "only-first");
  m.set("a..c.", "wildcard", "first-and-third");
  assertEquals(m.best("a.b.c.d"), "first-and-third");
  // two patterns with the same wildcard positions: the one added first wins
  const n = new UriMatcher<string>();
  n.set("a..c", "wildcard", "one");
  n.set("x..c", "wildcard", "two");
  assertEquals(n.best("a.b.c"), "one");
});

Deno.test("UriMatcher.entries() yields every pattern with its policy", () => {
  const m = new UriMatcher<number>();
  m.set("a", "exact", 1);
  m.set("b", "prefix", 2);
  m.set("c..d", "wildcard", 3);
  assertEquals(
    [...m.entries()].sort((x, y) => x[2] - y[2]),
    [["a", "exact", 1], ["b", "prefix", 2], ["c..d", "wildcard", 3]],
  );
  assert(m.hasPatterns);
});

Deno.test("isMatchPolicy() accepts the three policies only", () => {
  assert(isMatchPolicy("exact") && isMatchPolicy("prefix") && isMatchPolicy("wildcard"));
  assert(!isMatchPolicy("regex") && !isMatchPolicy(undefined) && !isMatchPolicy(1));
});
