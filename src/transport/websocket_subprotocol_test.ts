import assert from "node:assert/strict";
import { serializers } from "../serializer/mod.ts";
import { chooseSubprotocol, parseSubprotocols, subprotocolOf } from "./websocket_subprotocol.ts";

const { json, msgpack, cbor } = serializers;
const all = [json, msgpack, cbor];

Deno.test("parseSubprotocols() splits and trims the header, keeping order", () => {
  assert.deepEqual(parseSubprotocols(null), []);
  assert.deepEqual(parseSubprotocols(""), []);
  assert.deepEqual(parseSubprotocols("wamp.2.cbor, wamp.2.json ,,mqtt"), [
    "wamp.2.cbor",
    "wamp.2.json",
    "mqtt",
  ]);
});

Deno.test("subprotocolOf() is wamp.2.<name>", () => {
  assert.deepEqual(all.map(subprotocolOf), ["wamp.2.json", "wamp.2.msgpack", "wamp.2.cbor"]);
});

Deno.test("chooseSubprotocol() takes the client's first supported offer", () => {
  const c = chooseSubprotocol(["mqtt", "wamp.2.cbor", "wamp.2.json"], all);
  assert.ok(c.ok);
  assert.equal(c.serializer, cbor);
  assert.equal(c.protocol, "wamp.2.cbor");
  const d = chooseSubprotocol(["wamp.2.cbor", "wamp.2.json"], [json, msgpack]);
  assert.ok(d.ok);
  assert.equal(d.serializer, json);
});

Deno.test("chooseSubprotocol() refuses offers it does not support, naming both sides", () => {
  const c = chooseSubprotocol(["wamp.1.json", "mqtt"], all);
  assert.ok(!c.ok);
  assert.match(c.reason, /wamp\.1\.json, mqtt/);
  assert.match(c.reason, /wamp\.2\.json, wamp\.2\.msgpack, wamp\.2\.cbor/);
  const long = chooseSubprotocol(["x".repeat(1000)], all);
  assert.ok(!long.ok);
  assert.ok(long.reason.length < 400, "the client's text is cut short");
});

Deno.test("chooseSubprotocol() refuses an empty offer unless requireSubprotocol is false", () => {
  const strict = chooseSubprotocol([], all);
  assert.ok(!strict.ok);
  assert.match(strict.reason, /no WebSocket subprotocol offered/);
  const lax = chooseSubprotocol([], all, { requireSubprotocol: false });
  assert.ok(lax.ok);
  assert.equal(lax.serializer, json);
  assert.equal(lax.protocol, undefined);
  assert.ok(
    !chooseSubprotocol([], [msgpack], { requireSubprotocol: false }).ok,
    "no JSON to fall back to",
  );
});
