import assert from "node:assert/strict";
import { validateBridgeBody } from "./http_bridge_body.ts";
import { validateCall } from "./http_bridge_caller.ts";
import { validatePublication } from "./http_bridge_publisher.ts";

Deno.test("validateBridgeBody() refuses each bad part with the bridge's own words", () => {
  const cases: [() => unknown, string][] = [
    [
      () => validateCall({ procedure: "a.b", x: 1 }),
      `unknown key "x": a call body has procedure, args, kwargs, options`,
    ],
    [
      () => validatePublication({ topic: "a.b", x: 1 }),
      `unknown key "x": a publish body has topic, args, kwargs, options`,
    ],
    [
      () => validateCall({ procedure: null }),
      `missing "procedure": the body must be like {"procedure": "com.example.add2", "args": [1, 2]}`,
    ],
    [
      () => validatePublication({}),
      `missing "topic": the body must be like {"topic": "com.myapp.topic1", "args": ["Hello"]}`,
    ],
    [
      () => validatePublication({ topic: 3 }),
      `"topic" must be a non-empty string (a URI), got number 3`,
    ],
    [() => validateCall({ procedure: "a", args: 1 }), `"args" must be a list, got number 1`],
    [() => validateCall({ procedure: "a", kwargs: [] }), `"kwargs" must be an object, got a list`],
    [
      () => validateCall({ procedure: "a", options: [] }),
      `"options" must be an object, got a list`,
    ],
    [
      () => validatePublication({ topic: "a", options: "x" }),
      `"options" must be an object, got string "x"`,
    ],
    [
      () => validateCall({ procedure: "a", options: { retain: true } }),
      `unknown call option "retain": the only option is "timeout"`,
    ],
  ];
  for (const [run, reason] of cases) assert.deepEqual(run(), { ok: false, reason });
});

Deno.test("validateBridgeBody() treats null as absent and keeps the options unchecked", () => {
  const shape = { uriKey: "topic", what: "publish", example: "{}" };
  assert.deepEqual(
    validateBridgeBody({ topic: "t", args: null, kwargs: null, options: null }, shape),
    {
      ok: true,
      value: { uri: "t", args: [], kwargs: {}, options: undefined },
    },
  );
  assert.deepEqual(validateBridgeBody({ topic: "t", args: [1], options: { any: 1 } }, shape), {
    ok: true,
    value: { uri: "t", args: [1], kwargs: {}, options: { any: 1 } },
  });
});
