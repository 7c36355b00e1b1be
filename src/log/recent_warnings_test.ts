import assert from "node:assert/strict";
import { MemoryLogger } from "./logger.ts";
import { RecentWarnings, recordingWarnings } from "./recent_warnings.ts";

Deno.test("recordingWarnings() keeps warnings and errors with only the fields safe to show, and still logs everything", () => {
  const ring = new RecentWarnings(2);
  const inner = new MemoryLogger();
  const log = recordingWarnings(inner, ring);
  log.log("info", "not kept");
  log.log("warn", "session closed: slow consumer", {
    session: 7,
    realm: "realm1",
    peer: "tcp4:10.0.0.1:5555",
    authid: "alice",
    transportId: "ws1",
    headers: { authorization: "Basic c2VjcmV0" },
    queuedBytes: 1024,
  });
  log.log("error", "x".repeat(1000), { error: new Error("boom") });
  log.log("warn", "third", { worker: "router1" });
  assert.equal(inner.lines.length, 4);
  const kept = ring.list();
  assert.equal(kept.length, 2, "the oldest is dropped past the limit");
  assert.equal(kept[0].level, "error");
  assert.equal(kept[0].msg.length, 300);
  assert.deepEqual(kept[0].fields, { error: "boom" });
  assert.deepEqual(kept[1].fields, { worker: "router1" });
  const again = new RecentWarnings();
  recordingWarnings(new MemoryLogger(), again).log("warn", "slow", {
    session: 7,
    realm: "realm1",
    peer: "tcp4:10.0.0.1:5555",
    authid: "alice",
    transportId: "ws1",
    headers: { authorization: "Basic c2VjcmV0" },
    queuedBytes: 1024,
  });
  assert.deepEqual(again.list()[0].fields, { session: 7, realm: "realm1", queuedBytes: 1024 });
});
