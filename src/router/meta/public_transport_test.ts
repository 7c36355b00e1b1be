import assert from "node:assert/strict";
import { isPublicHeader, publicTransportDetails } from "./public_transport.ts";
import type { PeerInfo } from "../peer.ts";

Deno.test("publicTransportDetails() drops the long-poll transport id and credential headers, keeps the rest", () => {
  const info: PeerInfo = {
    type: "longpoll",
    peer: "tcp4:10.0.0.1:5000",
    serializer: "json",
    transportId: "web1:lp",
    extra: {
      longpoll_transport: "SECRETID",
      longpoll_protocol: "wamp.2.json",
      http_headers_received: {
        cookie: "sid=1",
        authorization: "Bearer x",
        "proxy-authorization": "Basic y",
        "x-auth-token": "t",
        "x-api-key": "k",
        "user-agent": "ua",
        host: "example.com",
        "sec-websocket-protocol": "wamp.2.json",
      },
      http_request_path: "/lp/open",
      is_secure: false,
    },
  };
  const out = publicTransportDetails(info);
  assert.deepEqual(out, {
    type: "longpoll",
    peer: "tcp4:10.0.0.1:5000",
    serializer: "json",
    transportId: "web1:lp",
    extra: {
      longpoll_protocol: "wamp.2.json",
      http_headers_received: {
        "user-agent": "ua",
        host: "example.com",
        "sec-websocket-protocol": "wamp.2.json",
      },
      http_request_path: "/lp/open",
      is_secure: false,
    },
  });
  assert.equal((info.extra!.http_headers_received as Record<string, string>).cookie, "sid=1");
  assert.ok(!isPublicHeader("X-Session-Id"));
  assert.ok(isPublicHeader("Accept-Language"));
});
