import * as assert from "node:assert/strict";
import { MemoryLogger } from "../log/logger.ts";
import { LogThrottle } from "./log_throttle.ts";

Deno.test("LogThrottle.hit() logs the first event at once and the rest as one summary per interval", async () => {
  const logger = new MemoryLogger();
  const t = new LogThrottle(logger, 30, { message: "refused", fields: { a: 1 }, level: "info" });
  t.hit({ peer: "x" });
  t.hit();
  t.hit();
  assert.deepEqual(logger.lines, [{ level: "info", msg: "refused", fields: { a: 1, peer: "x" } }]);
  while (logger.lines.length < 2) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(logger.lines[1].fields, { a: 1, count: 2, within_ms: 30 });
  assert.equal(t.total, 3);
  t.flush();
});

Deno.test("LogThrottle.flush() writes what is pending and stops", () => {
  const logger = new MemoryLogger();
  const t = new LogThrottle(logger, 60_000, { message: "m" });
  t.hit();
  t.hit();
  t.flush();
  assert.equal(logger.lines.length, 2);
  assert.equal(logger.lines[1].level, "warn");
  t.flush();
  assert.equal(logger.lines.length, 2);
});
