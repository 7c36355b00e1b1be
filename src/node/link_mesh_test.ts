import assert from "node:assert/strict";
import { meshPlan } from "./link_mesh.ts";

Deno.test("meshPlan() links every pair that shares a realm once, the later worker dialing the earlier", () => {
  const plan = meshPlan("n", [
    { id: "a", realms: ["r1", "r2"], socket: "/s/a" },
    { id: "b", realms: ["r1"], socket: "/s/b" },
    { id: "c", realms: ["r2", "r1"], socket: "/s/c" },
    { id: "d", realms: ["r3"], socket: "/s/d" },
  ]);
  assert.deepEqual(plan.get("a"), []);
  assert.deepEqual(plan.get("b"), [{ realm: "r1", peer: "n/a", path: "/s/a" }]);
  assert.deepEqual(plan.get("c"), [
    { realm: "r2", peer: "n/a", path: "/s/a" },
    { realm: "r1", peer: "n/a", path: "/s/a" },
    { realm: "r1", peer: "n/b", path: "/s/b" },
  ]);
  assert.deepEqual(plan.get("d"), []);
});

Deno.test("meshPlan() of N workers on one realm has N(N-1)/2 links", () => {
  const workers = Array.from({ length: 5 }, (_, i) => ({
    id: `w${i}`,
    realms: ["realm1"],
    socket: `/s/${i}`,
  }));
  const total = [...meshPlan("n", workers).values()].reduce((n, l) => n + l.length, 0);
  assert.equal(total, 10);
});
