/**
 * `deno task compile` where no denort runtime can be had (this machine): a
 * clear message and exit 1, never a stack trace; a wrong DENORT_BIN is caught.
 */

import { doesNotMatch, match, strictEqual } from "node:assert/strict";
import { ROOT } from "./_node_kit.ts";

async function compile(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `${ROOT}scripts/compile.ts`,
      "--output",
      "/tmp/xbar-compile-test-never",
    ],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task compile with a DENORT_BIN that does not exist: a clear message and exit 1", async () => {
  const r = await compile({ DENORT_BIN: "/nonexistent/denort" });
  strictEqual(r.code, 1);
  match(r.stderr, /DENORT_BIN=\/nonexistent\/denort is not usable/);
  match(r.stderr, /denort binary of Deno \d+\.\d+\.\d+/);
  doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});
