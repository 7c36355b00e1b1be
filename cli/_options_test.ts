import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { xbar } from "../tests/_node_kit.ts";
import { parseCommandOrHelp } from "./_options.ts";

Deno.test("parseCommandOrHelp() gives the values, or undefined after --help or -h", () => {
  const spec = { json: { type: "boolean" as const } };
  deepStrictEqual({ ...parseCommandOrHelp(["--json"], spec, "help text") }, { json: true });
  strictEqual(parseCommandOrHelp(["--help"], spec, "help text"), undefined);
  strictEqual(parseCommandOrHelp(["-h", "--json"], spec, "help text"), undefined);
});

Deno.test("xbar <command> --help and -h print the command's usage and exit 0", async () => {
  for (const command of ["init", "stop", "status", "keys", "version", "check", "convert"]) {
    for (const flag of ["--help", "-h"]) {
      const r = await xbar([command, flag], { env: { XBAR_PROG: "xbar" } });
      strictEqual(r.code, 0, `${command} ${flag}: ${r.stderr}`);
      match(r.stdout, new RegExp(`^Usage: xbar ${command}\\b`), `${command} ${flag}`);
    }
  }
});
