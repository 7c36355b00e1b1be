import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { websocketExtra } from "./received_headers.ts";

Deno.test("websocketExtra() reads back the header fields as Headers.forEach gives them", () => {
  const h = new Headers([["Host", "x"], ["X-B", "1"], ["x-b", "2"], ["Upgrade", "websocket"]]);
  const extra = websocketExtra("wamp.2.json", h, "/ws", false);
  const expected: Record<string, string> = {};
  h.forEach((v, k) => expected[k] = v);
  assertEquals(extra.http_headers_received, expected);
  assertEquals(Object.keys(extra), [
    "websocket_protocol",
    "http_headers_received",
    "http_request_path",
    "is_secure",
  ]);
  assertEquals({ ...extra }, {
    websocket_protocol: "wamp.2.json",
    http_headers_received: expected,
    http_request_path: "/ws",
    is_secure: false,
  });
  assertEquals(JSON.parse(JSON.stringify(extra)).http_headers_received, expected);
  assertEquals(Object.getOwnPropertySymbols({ ...extra }), []);
});
