import assert from "node:assert/strict";
import type { Serializer } from "./serializer.ts";
import { loadSerializers, serializers } from "./mod.ts";
import { encodeShared } from "./shared_encode.ts";

await loadSerializers();

Deno.test("encodeShared() encodes the same message array once and a new array again", () => {
  let calls = 0;
  const counting: Serializer = {
    ...serializers.json,
    encode(v) {
      calls++;
      return serializers.json.encode(v);
    },
  };
  const event = [36, 1, 2, {}, ["x"]];
  const a = encodeShared(counting, event);
  const b = encodeShared(counting, event);
  assert.equal(calls, 1);
  assert.equal(a, b);
  const other = [36, 1, 3, {}, ["y"]];
  assert.equal(encodeShared(counting, other), '[36,1,3,{},["y"]]');
  assert.equal(calls, 2);
});

Deno.test("encodeShared() keeps one slot per serializer", () => {
  const event = [36, 1, 2, {}, ["x"]];
  const json = encodeShared(serializers.json, event);
  const mp = encodeShared(serializers.msgpack, event);
  assert.equal(typeof json, "string");
  assert.ok(mp instanceof Uint8Array);
  assert.equal(encodeShared(serializers.json, event), json);
  assert.deepEqual(
    serializers.msgpack.decode(encodeShared(serializers.msgpack, event) as Uint8Array),
    event,
  );
});
