import { strictEqual } from "node:assert/strict";
import * as node from "node:path";
import { fileURLToPath as nodeFileURLToPath } from "node:url";
import {
  basename,
  delimiter,
  fileURLToPath,
  isAbsolute,
  join,
  normalize,
  relative,
  resolve,
  sep,
} from "./posix_path.ts";

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

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "a/b/../../..",
  "../a/./b/",
  "/a/b/",
  "/a/../..",
  "./a//b",
  "a/..",
  "/x/y/z.sock",
];

Deno.test("normalize() and basename() give node:path's for POSIX paths", () => {
  for (const p of PATHS) {
    strictEqual(normalize(p), node.normalize(p), JSON.stringify(p));
    strictEqual(basename(p), node.basename(p), JSON.stringify(p));
  }
});

Deno.test("join() gives node:path's join for POSIX paths", () => {
  for (const a of PATHS) {
    for (const b of ["", "x", "../y", "/abs", "node.sock", "./"]) {
      strictEqual(join(a, b), node.join(a, b), JSON.stringify([a, b]));
    }
  }
  strictEqual(join(), node.join());
});

Deno.test("relative() gives node:path's relative for POSIX paths", () => {
  for (const a of ["/", "/a/b", "/a/b/c", "/x", "rel", ""]) {
    for (const b of ["/", "/a/b", "/a/b/c/d", "/a/y", "rel/z", ""]) {
      strictEqual(relative(a, b), node.relative(a, b), JSON.stringify([a, b]));
    }
  }
});

Deno.test("sep and delimiter are node:path's", () => {
  strictEqual(sep, node.sep);
  strictEqual(delimiter, node.delimiter);
});

Deno.test("fileURLToPath() gives node:url's for file: URLs and refuses the same others", () => {
  for (const u of ["file:///a/b.ts", "file:///a%20b/c%C3%A9.ts", "file:///", "file:///a/b/"]) {
    strictEqual(fileURLToPath(u), nodeFileURLToPath(u), u);
    strictEqual(fileURLToPath(new URL(u)), nodeFileURLToPath(new URL(u)), u);
  }
  for (const u of ["http://x/a", "file:///a%2Fb", "file://host/a"]) {
    let mine = false;
    let theirs = false;
    try {
      fileURLToPath(u);
    } catch {
      mine = true;
    }
    try {
      nodeFileURLToPath(u);
    } catch {
      theirs = true;
    }
    strictEqual(mine, theirs, u);
  }
});
