import assert from "node:assert/strict";
import { ConsoleLogger } from "./console_logger.ts";

Deno.test("ConsoleLogger writes text lines with kind, pid, message and fields, above the level", () => {
  const lines: string[] = [];
  const log = new ConsoleLogger({ level: "info", kind: "Router", write: (l) => lines.push(l) });
  log.log("debug", "hidden");
  log.log("info", "listening", { port: 8080, path: "/ws", note: "a b" });
  log.log("warn", "slow");
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^\d{4}-\d\d-\d\dT.*Z \[Router\s+\d+\] listening port=8080 path=\/ws note="a b"$/,
  );
  assert.match(lines[1], /WARN slow$/);
  assert.equal(log.enabled("debug"), false);
});

Deno.test("ConsoleLogger writes JSON lines with time, level, kind, pid, msg and fields", () => {
  const lines: string[] = [];
  const log = new ConsoleLogger({
    format: "json",
    kind: "Controller",
    write: (l) => lines.push(l),
  });
  log.log("error", "boom", { code: 3 });
  const o = JSON.parse(lines[0]);
  assert.equal(o.level, "error");
  assert.equal(o.kind, "Controller");
  assert.equal(o.msg, "boom");
  assert.equal(o.code, 3);
  assert.equal(o.pid, Deno.pid);
});

Deno.test("ConsoleLogger writes nothing at level none, no time in syslogd format, and colours by level", () => {
  const lines: string[] = [];
  const write = (l: string) => lines.push(l);
  const none = new ConsoleLogger({ level: "none", write });
  none.log("error", "dropped");
  assert.equal(lines.length, 0);
  assert.equal(none.enabled("error"), false);
  new ConsoleLogger({ format: "syslogd", kind: "Router", write }).log("info", "up");
  assert.match(lines[0], /^\[Router\s+\d+\] up$/);
  const colored = new ConsoleLogger({ color: true, write });
  colored.log("warn", "careful");
  colored.log("info", "plain");
  assert.ok(lines[1].startsWith("\u001b[33m") && lines[1].endsWith("WARN careful\u001b[0m"));
  assert.ok(!lines[2].includes("\u001b"));
});
