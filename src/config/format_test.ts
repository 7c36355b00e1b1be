import assert from "node:assert/strict";
import { formatConfigError, formatConfigErrors } from "./format.ts";

Deno.test("formatConfigError() prints file:line:column: path: message", () => {
  assert.equal(
    formatConfigError({
      path: "workers[0].transports[1].endpoint.port",
      message: "must be 1-65535, got 70000",
      file: "config.yaml",
      line: 12,
      column: 7,
    }),
    "config.yaml:12:7: workers[0].transports[1].endpoint.port: must be 1-65535, got 70000",
  );
});

Deno.test("formatConfigError() leaves out what is unknown", () => {
  assert.equal(
    formatConfigError({ path: "version", message: "must be 2", file: "c.json" }),
    "c.json: version: must be 2",
  );
  assert.equal(formatConfigError({ path: "version", message: "must be 2" }), "version: must be 2");
  assert.equal(
    formatConfigError({ path: "", message: "cannot parse", line: 3, column: 1 }),
    "3:1: cannot parse",
  );
});

Deno.test("formatConfigErrors() prints one line per error", () => {
  assert.equal(
    formatConfigErrors([{ path: "a", message: "x" }, { path: "b", message: "y" }]),
    "a: x\nb: y",
  );
  assert.equal(formatConfigErrors([]), "");
});
