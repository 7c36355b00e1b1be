import assert from "node:assert/strict";
import { linkSocketPath, nodePaths } from "./node_dir.ts";

Deno.test("linkSocketPath() is link-<worker>.sock in the node directory", () => {
  assert.equal(linkSocketPath("/srv/node", "router1"), "/srv/node/link-router1.sock");
  assert.equal(linkSocketPath("/srv/node/", "edge-2"), "/srv/node/link-edge-2.sock");
});

Deno.test("linkSocketPath() falls back to a short path per (directory, worker) when the node directory is too long", () => {
  const dir = "/tmp/" + "d".repeat(100);
  const a = linkSocketPath(dir, "router1");
  const b = linkSocketPath(dir, "router2");
  const c = linkSocketPath(dir + "x", "router1");
  for (const p of [a, b, c]) {
    assert.ok(new TextEncoder().encode(p).length <= 107, p);
    assert.match(p, /\/xbar-[0-9a-f]{8}-[0-9a-f]{8}\.sock$/);
  }
  assert.equal(new Set([a, b, c]).size, 3);
  assert.equal(linkSocketPath(dir, "router1"), a, "the same path every time");
  assert.notEqual(nodePaths(dir).socket, a);
});
