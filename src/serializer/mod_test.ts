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

Deno.test("msgpack and cbor are imported by load(), not at start: before it encode throws, after it works", async () => {
  // A fresh process: in this one the serializers may have been loaded already.
  const mod = new URL("./mod.ts", import.meta.url).href;
  const script = `
    const { serializers, loadSerializers } = await import(${JSON.stringify(mod)});
    const out = [];
    for (const n of ["msgpack", "cbor"]) {
      try { serializers[n].encode([1]); out.push("encoded"); } catch (e) { out.push(e.name + ": " + e.message); }
    }
    await loadSerializers();
    await loadSerializers(); // once is enough; again is harmless
    out.push(serializers.msgpack.decode(serializers.msgpack.encode([1, "a"])));
    out.push(serializers.cbor.decode(serializers.cbor.encode([2, "b"])));
    console.log(JSON.stringify(out));
  `;
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(run.stdout)), [
    "SerializationError: the MessagePack serializer is not loaded yet: await msgpackSerializer.load() first",
    "SerializationError: the CBOR serializer is not loaded yet: await cborSerializer.load() first",
    [1, "a"],
    [2, "b"],
  ]);
});
