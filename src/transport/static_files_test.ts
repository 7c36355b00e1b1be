import assert from "node:assert/strict";
import { join } from "node:path";
import { createStaticFiles, type StaticFiles, type StaticFilesOptions } from "./static_files.ts";
import { contentTypeFor } from "./web_content_type.ts";

/**
 * A temp tree:
 *   outside/secret.txt
 *   root/index.html, root/app.js, root/style.CSS, root/data.bin, root/notes.md
 *   root/docs/readme.txt, root/docs/a&b<c>.txt
 *   root/empty/  (no index)
 *   root/link-out -> ../outside/secret.txt   (escapes)
 *   root/dir-out -> ../outside               (escapes)
 *   root/link-in -> docs/readme.txt          (stays inside)
 */
async function withTree(
  options: StaticFilesOptions,
  fn: (
    f: { files: StaticFiles; get: (path: string, init?: RequestInit) => Promise<Response> },
  ) => Promise<void>,
): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "xbar-static-" });
  try {
    const root = join(tmp, "root");
    await Deno.mkdir(join(root, "docs"), { recursive: true });
    await Deno.mkdir(join(root, "empty"));
    await Deno.mkdir(join(tmp, "outside"));
    await Deno.writeTextFile(join(tmp, "outside", "secret.txt"), "TOP SECRET");
    await Deno.writeTextFile(join(root, "index.html"), "<h1>home</h1>");
    await Deno.writeTextFile(join(root, "app.js"), "console.log(1)");
    await Deno.writeTextFile(join(root, "style.CSS"), "body{}");
    await Deno.writeFile(join(root, "data.bin"), new Uint8Array([0, 1, 2, 255]));
    await Deno.writeTextFile(join(root, "notes.md"), "# notes");
    await Deno.writeTextFile(join(root, "docs", "readme.txt"), "read me");
    await Deno.writeTextFile(join(root, "docs", "a&b<c>.txt"), "odd name");
    await Deno.symlink("../outside/secret.txt", join(root, "link-out"));
    await Deno.symlink("../outside", join(root, "dir-out"));
    await Deno.symlink("docs/readme.txt", join(root, "link-in"));
    const files = await createStaticFiles("root", { ...options, baseDir: tmp });
    const get = (path: string, init: RequestInit = {}) =>
      files.handle(new Request(`http://localhost/static${path}`, init), path);
    await fn({ files, get });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

async function body(res: Response): Promise<string> {
  return await res.text();
}

Deno.test("StaticFiles serves files with content type, length, ETag and Last-Modified", async () => {
  await withTree({}, async ({ get }) => {
    const res = await get("/app.js");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("content-length"), "14");
    assert.ok(res.headers.get("etag")?.startsWith('W/"'));
    assert.ok(res.headers.get("last-modified"));
    assert.equal(res.headers.get("cache-control"), null);
    assert.equal(await body(res), "console.log(1)");

    const css = await get("/style.CSS");
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    await css.body?.cancel();
    const bin = await get("/data.bin");
    assert.equal(bin.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(new Uint8Array(await bin.arrayBuffer()), new Uint8Array([0, 1, 2, 255]));
  });
});

Deno.test("StaticFiles serves index.html for / and for a directory with a trailing slash", async () => {
  await withTree({}, async ({ get }) => {
    for (const p of ["", "/"]) {
      const res = await get(p);
      if (p === "") {
        assert.equal(res.status, 301);
        assert.equal(res.headers.get("location"), "/static/");
        continue;
      }
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(await body(res), "<h1>home</h1>");
    }
  });
});

Deno.test("StaticFiles redirects a directory without trailing slash (301), keeping the query", async () => {
  await withTree({}, async ({ files }) => {
    const res = await files.handle(new Request("http://localhost/static/docs?x=1"), "/docs");
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), "/static/docs/?x=1");
  });
});

Deno.test("StaticFiles never redirects off-site: //docs and /\\docs get a one-slash Location", async () => {
  await withTree({}, async ({ files }) => {
    for (const path of ["//docs", "///docs", "/\\docs"]) {
      const req = new Request(`http://localhost${path}`);
      // The mount point is "/", so the rest is the whole path.
      const res = await files.handle(req, "//docs");
      assert.equal(res.status, 301, path);
      assert.equal(res.headers.get("location"), "/docs/", path);
    }
  });
});

Deno.test("StaticFiles: a directory without index answers 403 unless listing is enabled", async () => {
  await withTree({}, async ({ get }) => {
    const res = await get("/docs/");
    assert.equal(res.status, 403);
    assert.match(await body(res), /directory listing is disabled/);
  });
  await withTree({ enableDirectoryListing: true }, async ({ get }) => {
    const res = await get("/docs/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await body(res);
    assert.match(html, /<title>Index of \/docs<\/title>/);
    assert.match(html, /<a href="readme.txt">readme.txt<\/a>/);
    assert.match(
      html,
      /<a href="a%26b%3Cc%3E.txt">a&amp;b&lt;c&gt;.txt<\/a>/,
      "names escaped in text and href",
    );
    assert.match(html, /<a href="..\/">/);
    const empty = await get("/empty/");
    assert.equal(empty.status, 200);
    await empty.body?.cancel();
  });
});

Deno.test("StaticFiles: missing files are 404", async () => {
  await withTree({}, async ({ get }) => {
    for (const p of ["/nope.txt", "/docs/nope", "/app.js/more"]) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      assert.equal(await body(res), "not found\n");
    }
  });
});

Deno.test("StaticFiles refuses path traversal: encoded dot segments, encoded slashes, backslashes, NUL (403)", async () => {
  await withTree({}, async ({ get }) => {
    for (
      const p of [
        "/..",
        "/%2e%2e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/docs/..%2F..%2Foutside/secret.txt",
        "/..%5coutside%5csecret.txt",
        "/app.js%00.txt",
        "/%2E",
      ]
    ) {
      const res = await get(p);
      assert.equal(res.status, 403, p);
      assert.doesNotMatch(await body(res), /SECRET/);
    }
    const malformed = await get("/%E0%A4%A");
    assert.equal(malformed.status, 400);
    await malformed.body?.cancel();
  });
});

Deno.test("StaticFiles refuses symlinks that leave the directory and follows those that stay inside", async () => {
  await withTree({ enableDirectoryListing: true }, async ({ get }) => {
    for (const p of ["/link-out", "/dir-out/", "/dir-out/secret.txt"]) {
      const res = await get(p);
      assert.equal(res.status, 403, p);
      assert.doesNotMatch(await body(res), /SECRET/);
    }
    const inside = await get("/link-in");
    assert.equal(inside.status, 200);
    assert.equal(await body(inside), "read me");
  });
});

Deno.test("StaticFiles: the URL parser resolves literal ../ before we see the path, so a real server stays inside", async () => {
  await withTree({}, async ({ files }) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const path = new URL(req.url).pathname;
      return files.handle(req, path.startsWith("/static") ? path.slice(7) : path);
    });
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(
        new TextEncoder().encode(
          "GET /static/../../outside/secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ),
      );
      const chunks: Uint8Array[] = [];
      const buf = new Uint8Array(4096);
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        chunks.push(buf.slice(0, n));
      }
      conn.close();
      const text = new TextDecoder().decode(
        chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
      );
      assert.doesNotMatch(text, /TOP SECRET/);
      assert.match(text, /^HTTP\/1.1 (403|404)/);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("StaticFiles answers conditional requests with 304, HEAD without a body, other methods 405", async () => {
  await withTree({ cacheTimeout: 60 }, async ({ get }) => {
    const first = await get("/app.js");
    await first.body?.cancel();
    assert.equal(first.headers.get("cache-control"), "max-age=60");
    const etag = first.headers.get("etag")!;
    const again = await get("/app.js", { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    const since = await get("/app.js", {
      headers: { "if-modified-since": first.headers.get("last-modified")! },
    });
    assert.equal(since.status, 304);
    const head = await get("/app.js", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "14");
    assert.equal(head.body, null);
    const post = await get("/app.js", { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();
  });
});

Deno.test("StaticFiles: mimeTypes override the table; defaultFile picks the directory file", async () => {
  await withTree(
    { mimeTypes: { md: "text/plain; charset=utf-8" }, defaultFile: "readme.txt" },
    async ({ get }) => {
      const md = await get("/notes.md");
      assert.equal(md.headers.get("content-type"), "text/plain; charset=utf-8");
      await md.body?.cancel();
      const docs = await get("/docs/");
      assert.equal(await body(docs), "read me");
    },
  );
});

Deno.test("createStaticFiles() rejects a missing directory or a file, naming it", async () => {
  await assert.rejects(
    createStaticFiles("/no/such/dir/xbar"),
    /static directory "\/no\/such\/dir\/xbar" cannot be used/,
  );
  const tmp = await Deno.makeTempFile();
  try {
    await assert.rejects(createStaticFiles(tmp), /is not a directory/);
  } finally {
    await Deno.remove(tmp);
  }
});

Deno.test("contentTypeFor() knows common types, ignores case, falls back to octet-stream", () => {
  assert.equal(contentTypeFor("a.HTML"), "text/html; charset=utf-8");
  assert.equal(contentTypeFor("x.wasm"), "application/wasm");
  assert.equal(contentTypeFor("x.svg"), "image/svg+xml");
  assert.equal(contentTypeFor("Makefile"), "application/octet-stream");
  assert.equal(contentTypeFor(".hidden"), "application/octet-stream");
  assert.equal(contentTypeFor("x.md", { ".md": "text/x-md" }), "text/x-md");
});
