import { strictEqual } from "node:assert/strict";
import * as node from "node:path";
import { isAbsolute, resolve } from "./posix_path.ts";

const CASES: string[][] = [
  ["/a/b"],
  ["/a/b/"],
  ["/a//b/./c/../d"],
  ["/"],
  ["/.."],
  ["/a", "b"],
  ["/a", "../../x"],
  ["/a", "/b", "c"],
  ["/a", "", "c"],
  ["rel/x"],
  ["./x/../y"],
  [""],
  [],
  ["/node/dir", "sockets/s.sock"],
  ["/node/dir", "./.x/..y/..."],
];

Deno.test("resolve() gives node:path's resolve for POSIX paths", () => {
  for (const c of CASES) strictEqual(resolve(...c), node.resolve(...c), JSON.stringify(c));
});

Deno.test("isAbsolute() gives node:path's isAbsolute for POSIX paths", () => {
  for (const p of ["/", "/a", "a", "", "./a", "../a", "~/a"]) {
    strictEqual(isAbsolute(p), node.isAbsolute(p), p);
  }
});
