import assert from "node:assert/strict";
import { formatPath } from "./path.ts";

Deno.test("formatPath() writes identifiers with dots and other keys in brackets", () => {
  assert.equal(formatPath([]), "");
  assert.equal(
    formatPath(["workers", 0, "transports", 1, "endpoint", "port"]),
    "workers[0].transports[1].endpoint.port",
  );
  assert.equal(
    formatPath(["workers", 0, "transports", 0, "paths", "/"]),
    'workers[0].transports[0].paths["/"]',
  );
  assert.equal(formatPath(["store", "event-history", 2]), 'store["event-history"][2]');
  assert.equal(formatPath(["$schema"]), '["$schema"]');
});
