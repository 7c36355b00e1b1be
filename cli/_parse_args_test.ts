import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { parseArgs } from "node:util";
import { type OptionSpec, parseOptions } from "./_parse_args.ts";

const OPTIONS: Record<string, OptionSpec> = {
  dir: { type: "string", short: "d" },
  cbdir: { type: "string" },
  config: { type: "string", short: "c" },
  help: { type: "boolean", short: "h" },
  force: { type: "boolean", short: "f" },
  loglevel: { type: "string", default: "info" },
};

const LINES: string[][] = [
  [],
  ["--dir", "x"],
  ["--dir=x"],
  ["--dir="],
  ["-d", "x"],
  ["-dx"],
  ["-hf"],
  ["-hd", "x"],
  ["-hdx"],
  ["--help", "--force", "--loglevel", "debug"],
  ["--dir", "a", "--dir", "b"],
  ["--config", "c.yaml", "-h"],
  ["--"],
  ["--", "x"],
  ["x"],
  ["--dir"],
  ["-d"],
  ["--dir", "--help"],
  ["--nope"],
  ["-z"],
  ["--help=yes"],
  ["--dir", "-x"],
  ["-"],
  ["--toString"],
  ["--constructor", "x"],
];

Deno.test("parseOptions() gives parseArgs's values, and refuses what it refuses", () => {
  for (const args of LINES) {
    let theirs: unknown;
    let theirError = false;
    try {
      theirs = {
        ...parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values,
      };
    } catch {
      theirError = true;
    }
    let mine: unknown;
    let myError = false;
    try {
      mine = parseOptions(args, OPTIONS);
    } catch (err) {
      myError = true;
      strictEqual(err instanceof TypeError, true);
    }
    strictEqual(myError, theirError, JSON.stringify(args));
    if (!myError) deepStrictEqual(mine, theirs, JSON.stringify(args));
  }
});

Deno.test("parseOptions() names the option it refuses", () => {
  const reason = (args: string[]) => {
    try {
      parseOptions(args, OPTIONS);
    } catch (err) {
      return (err as Error).message;
    }
    return "";
  };
  strictEqual(reason(["--nope"]), "Unknown option '--nope'");
  strictEqual(reason(["x"]), "Unexpected argument 'x'");
  strictEqual(reason(["--dir"]), "Option '--dir <value>' argument missing");
  strictEqual(reason(["--help=1"]), "Option '--help' does not take an argument");
});
