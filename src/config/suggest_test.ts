import assert from "node:assert/strict";
import { editDistance, suggest } from "./suggest.ts";

Deno.test("editDistance() counts edits, with an adjacent swap as one", () => {
  assert.equal(editDistance("endpoint", "endpoint"), 0);
  assert.equal(editDistance("endpont", "endpoint"), 1);
  assert.equal(editDistance("ednpoint", "endpoint"), 1);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("suggest() finds the close known word and nothing for unrelated words", () => {
  const known = ["endpoint", "serializers", "options", "auth", "event-history"];
  assert.equal(suggest("endpont", known), "endpoint");
  assert.equal(suggest("Serializer", known), "serializers");
  assert.equal(suggest("event_history", known), "event-history");
  assert.equal(suggest("AUTH", known), "auth");
  assert.equal(suggest("banana", known), undefined);
  assert.equal(suggest("id", known), undefined);
});
