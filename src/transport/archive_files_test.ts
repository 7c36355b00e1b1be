import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { zipSync } from "fflate";
import { openArchive } from "./archive_files.ts";

const enc = new TextEncoder();

function zipBytes(): Uint8Array {
  return zipSync({
    "site-master/index.html": enc.encode("<h1>home</h1>"),
    "site-master/autobahn.min.js": enc.encode("var autobahn;"),
    "site-master/docs/index.html": enc.encode("<h1>docs</h1>"),
    "site-master/app.html": enc.encode("<h1>app</h1>"),
    "other.txt": enc.encode("outside the prefix"),
  });
}

async function withZip(fn: (dir: string, bytes: Uint8Array) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = zipBytes();
    await Deno.writeFile(join(dir, "site.zip"), bytes);
    await fn(dir, bytes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const get = (path: string, method = "GET") => new Request(`http://x/${path}`, { method });

Deno.test("openArchive() serves files below object_prefix with default_object, default_file, mime_types", async () => {
  await withZip(async (dir) => {
    const a = await openArchive({
      archive: "site.zip",
      baseDir: dir,
      objectPrefix: "site-master",
      defaultObject: "index.html",
      defaultFile: "app.html",
      mimeTypes: { ".min.js": "text/javascript" },
      cache: true,
    });
    assert.equal(a.names.size, 5);
    const home = a.handle(get(""), "");
    assert.equal(home.status, 200);
    assert.equal(home.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await home.text(), "<h1>home</h1>");
    assert.equal(await a.handle(get("docs/"), "docs/").text(), "<h1>docs</h1>");
    const js = a.handle(get("autobahn.min.js"), "autobahn.min.js");
    assert.equal(js.headers.get("content-type"), "text/javascript");
    assert.equal(await js.text(), "var autobahn;");
    // not in the archive: the default file, as in Crossbar
    assert.equal(await a.handle(get("some/route"), "some/route").text(), "<h1>app</h1>");
    const head = a.handle(get("", "HEAD"), "");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "13");
    assert.equal(a.handle(get("", "POST"), "").status, 405);
  });
});

Deno.test("openArchive() answers 404 for names outside the archive without default_file", async () => {
  await withZip(async (dir) => {
    const a = await openArchive({ archive: join(dir, "site.zip") });
    assert.equal(await a.handle(get("other.txt"), "other.txt").text(), "outside the prefix");
    assert.equal(a.handle(get("site-master/"), "site-master/").status, 404);
    assert.equal(a.handle(get("nope"), "nope").status, 404);
  });
});

Deno.test("openArchive() downloads a missing archive from origin, checks its SHA-256, and refuses a wrong one", async () => {
  await withZip(async (dir, bytes) => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(bytes as Uint8Array<ArrayBuffer>),
    );
    try {
      const origin = `http://127.0.0.1:${server.addr.port}/site.zip`;
      const hash = createHash("sha256").update(bytes).digest("hex");
      const a = await openArchive({
        archive: "downloaded.zip",
        baseDir: dir,
        origin,
        download: true,
        hashes: [hash],
      });
      assert.equal(a.names.size, 5);
      assert.deepEqual(await Deno.readFile(join(dir, "downloaded.zip")), bytes);
      await assert.rejects(
        openArchive({ archive: "site.zip", baseDir: dir, hashes: ["00".repeat(32)] }),
        /is not one of the configured hashes/,
      );
      await assert.rejects(
        openArchive({ archive: "missing.zip", baseDir: dir, origin }),
        /does not exist \(origin .* is given, but not download: true\)/,
      );
      await Deno.writeTextFile(join(dir, "bad.zip"), "not a zip");
      await assert.rejects(openArchive({ archive: "bad.zip", baseDir: dir }), /not a readable ZIP/);
    } finally {
      await server.shutdown();
    }
  });
});
