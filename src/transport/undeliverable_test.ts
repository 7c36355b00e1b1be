import assert from "node:assert/strict";
import { planUndeliverable } from "./undeliverable.ts";

const uri = "wamp.error.payload_size_exceeded";

Deno.test("planUndeliverable() replaces a RESULT with ERROR(CALL) to the caller", () => {
  assert.deepEqual(planUndeliverable([50, 7, { progress: true }, ["big"]], uri, "too big"), {
    kind: "reply",
    message: [8, 48, 7, {}, uri, ["too big"]],
  });
});

Deno.test("planUndeliverable() replaces an ERROR with the same header, new URI and no payload", () => {
  assert.deepEqual(
    planUndeliverable([8, 48, 9, { x: 1 }, "app.error", ["big"], { k: 1 }], uri, "t"),
    {
      kind: "reply",
      message: [8, 48, 9, {}, uri, ["t"]],
    },
  );
});

Deno.test("planUndeliverable() answers an INVOCATION to the router as the callee's ERROR", () => {
  assert.deepEqual(planUndeliverable([68, 5, 99, {}, ["big"]], uri, "t"), {
    kind: "inject",
    message: [8, 68, 5, {}, uri, ["t"]],
  });
});

Deno.test("planUndeliverable() drops an EVENT and closes for router-made messages", () => {
  assert.deepEqual(planUndeliverable([36, 1, 2, {}, ["big"]], uri, "t"), { kind: "drop" });
  assert.deepEqual(planUndeliverable([2, 1, {}], uri, "t"), { kind: "close" });
  assert.deepEqual(planUndeliverable([3, {}, "wamp.error.no_such_realm"], uri, "t"), {
    kind: "close",
  });
  assert.deepEqual(planUndeliverable([69, 1, {}], uri, "t"), { kind: "close" });
});
