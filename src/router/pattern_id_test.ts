import assert from "node:assert/strict";
import { isId } from "../wamp/ids.ts";
import { patternId, PatternIds } from "./pattern_id.ts";
import { joined, testRouter } from "./_test_client.ts";

Deno.test("patternId() is the same for the same (realm, match, uri) and differs otherwise", () => {
  const a = patternId("realm1", "exact", "com.example.a");
  assert.equal(a, patternId("realm1", "exact", "com.example.a"));
  assert.ok(isId(a));
  const others = [
    patternId("realm2", "exact", "com.example.a"),
    patternId("realm1", "prefix", "com.example.a"),
    patternId("realm1", "exact", "com.example.b"),
    patternId("realm1", "exact", "com.example.a", 1),
  ];
  for (const o of others) {
    assert.ok(isId(o));
    assert.notEqual(o, a);
  }
});

Deno.test("patternId() spreads over the 53-bit range", () => {
  let high = 0;
  const seen = new Set<number>();
  for (let i = 0; i < 10000; i++) {
    const id = patternId("r", "exact", `topic.${i}`);
    seen.add(id);
    if (id > 2 ** 52) high++;
  }
  assert.equal(seen.size, 10000);
  assert.ok(high > 4000 && high < 6000, `about half above 2^52, got ${high}`);
});

Deno.test("PatternIds.take() gives a colliding pattern the next attempt's id, and the same id again for the same pattern", () => {
  const ids = new PatternIds("realm1");
  const first = ids.take("exact", "a");
  assert.equal(ids.take("exact", "a"), first);
  ids.release(first);
  assert.equal(ids.take("exact", "a"), first);
});

Deno.test("two routers give the same registration and subscription ids for the same patterns", async () => {
  const ids = async () => {
    const r = testRouter();
    const c = await joined(r);
    return [
      await c.register("com.example.proc"),
      await c.register("com.example.", { match: "prefix" }),
      await c.subscribe("com.example.topic"),
      await c.subscribe("com..topic", { match: "wildcard" }),
    ];
  };
  const a = await ids();
  assert.deepEqual(await ids(), a);
  assert.equal(new Set(a).size, 4);
});
