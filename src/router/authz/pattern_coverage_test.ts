import assert from "node:assert/strict";
import {
  overlaps,
  prefixCoversAll,
  wildcardCanStartWith,
  wildcardCoversAll,
  wildcardMatches,
} from "./pattern_coverage.ts";

Deno.test("wildcardMatches() and wildcardCanStartWith() follow component rules", () => {
  assert.ok(wildcardMatches("a..c", "a.b.c"));
  assert.ok(!wildcardMatches("a..c", "a.b.c.d"));
  assert.ok(!wildcardMatches("a..c", "a..c"));
  assert.ok(wildcardCanStartWith("proc..", "proc.adm"));
  assert.ok(wildcardCanStartWith("proc.admin.x", "proc.ad"));
  assert.ok(!wildcardCanStartWith("proc.user.x", "proc.ad"));
  assert.ok(!wildcardCanStartWith("a.b", "a.b.c"));
  assert.ok(wildcardCanStartWith("a.b", ""));
});

Deno.test("overlaps() tells whether two patterns share a URI", () => {
  const p = (uri: string, match: "exact" | "prefix" | "wildcard") => ({ uri, match });
  assert.ok(overlaps(p("pub.news", "prefix"), p("pub.newsroom.internal", "exact")));
  assert.ok(!overlaps(p("pub.news", "prefix"), p("pub.other", "exact")));
  assert.ok(overlaps(p("pub.news", "prefix"), p("pub", "prefix")));
  assert.ok(overlaps(p("pub.news", "prefix"), p("pub.newsroom.", "prefix")));
  assert.ok(overlaps(p("a..c", "wildcard"), p("a.b.", "wildcard")));
  assert.ok(!overlaps(p("a..c", "wildcard"), p("a.b", "wildcard")));
  assert.ok(overlaps(p("a..c", "wildcard"), p("a.x", "prefix")));
  assert.ok(!overlaps(p("a..c", "wildcard"), p("b.", "prefix")));
});

Deno.test("prefixCoversAll() and wildcardCoversAll() tell whether a permission matches all of a pattern", () => {
  assert.ok(prefixCoversAll("pub.", { uri: "pub.news", match: "prefix" }));
  assert.ok(!prefixCoversAll("pub.news.", { uri: "pub.news", match: "prefix" }));
  assert.ok(prefixCoversAll("a.", { uri: "a..c", match: "wildcard" }));
  assert.ok(!prefixCoversAll("a.b", { uri: "a..c", match: "wildcard" }));
  assert.ok(wildcardCoversAll("a..", "a..c"));
  assert.ok(!wildcardCoversAll("a.b.", "a..c"));
});
