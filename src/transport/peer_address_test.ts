import assert from "node:assert/strict";
import { formatPeerAddress } from "./peer_address.ts";

Deno.test("formatPeerAddress() writes tcp4, tcp6 with brackets, and unix peers", () => {
  assert.equal(
    formatPeerAddress({ transport: "tcp", hostname: "127.0.0.1", port: 5 }),
    "tcp4:127.0.0.1:5",
  );
  assert.equal(formatPeerAddress({ transport: "tcp", hostname: "::1", port: 6 }), "tcp6:[::1]:6");
  assert.equal(
    formatPeerAddress({ transport: "tcp", hostname: "::ffff:10.0.0.1", port: 7 }),
    "tcp4:10.0.0.1:7",
  );
  assert.equal(formatPeerAddress({ transport: "unix", path: "/run/x.sock" }), "unix:/run/x.sock");
  assert.equal(formatPeerAddress({ transport: "unix", path: "" }), "unix:");
});
