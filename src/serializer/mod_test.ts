import assert from "node:assert/strict";
import {
  cborSerializer,
  jsonSerializer,
  msgpackSerializer,
  serializerByRawsocketId,
  serializerForSubprotocol,
  serializers,
  subprotocolOf,
} from "./mod.ts";

Deno.test("serializers holds the three serializers under their names", () => {
  assert.deepStrictEqual(Object.keys(serializers).sort(), ["cbor", "json", "msgpack"]);
  for (const [name, s] of Object.entries(serializers)) assert.equal(s.name, name);
  assert.ok(Object.isFrozen(serializers));
});

Deno.test("serializerForSubprotocol() maps wamp.2.<name> and nothing else", () => {
  assert.equal(serializerForSubprotocol("wamp.2.json"), jsonSerializer);
  assert.equal(serializerForSubprotocol("wamp.2.msgpack"), msgpackSerializer);
  assert.equal(serializerForSubprotocol("wamp.2.cbor"), cborSerializer);
  for (
    const other of [
      "wamp.2.ubjson",
      "wamp.2.json.batched",
      "wamp.1.json",
      "json",
      "",
      "WAMP.2.JSON",
    ]
  ) {
    assert.equal(serializerForSubprotocol(other), undefined, other);
  }
});

Deno.test("serializerByRawsocketId() maps 1, 2, 3 and nothing else", () => {
  assert.equal(serializerByRawsocketId(1), jsonSerializer);
  assert.equal(serializerByRawsocketId(2), msgpackSerializer);
  assert.equal(serializerByRawsocketId(3), cborSerializer);
  for (const other of [0, 4, 5, 15, -1, 1.5]) {
    assert.equal(serializerByRawsocketId(other), undefined);
  }
});

Deno.test("subprotocolOf() is the inverse of serializerForSubprotocol()", () => {
  for (const s of Object.values(serializers)) {
    assert.equal(serializerForSubprotocol(subprotocolOf(s)), s);
  }
});
