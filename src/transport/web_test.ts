import assert from "node:assert/strict";
import { join } from "node:path";
import { Router } from "../router/router.ts";
import { connectWebSocket } from "../client/websocket_transport.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { MemoryLogger } from "../log/logger.ts";
import { connectLongPoll } from "./longpoll_client.ts";
import { makeTestCertificate } from "./rawsocket_test_kit.ts";
import { serveWeb, type WebOptions, type WebServer } from "./web.ts";
import { PathTable } from "./web_paths.ts";
import type { PathService } from "./web_service.ts";

// ---------------------------------------------------------------------------
// Fixture: a temp node directory with a web/ folder, a router, and serveWeb.

interface Fixture {
  router: Router;
  web: WebServer;
  http: string;
  ws: string;
  dir: string;
  logger: MemoryLogger;
}

async function withWeb(
  paths: (dir: string) => Record<string, PathService>,
  fn: (f: Fixture) => Promise<void>,
  extra: Partial<WebOptions> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xbar-web-" });
  await Deno.mkdir(join(dir, "web", "js"), { recursive: true });
  await Deno.writeTextFile(join(dir, "web", "index.html"), "<h1>xbar</h1>");
  await Deno.writeTextFile(join(dir, "web", "js", "app.js"), "let x = 1;");
  const router = new Router({ realms: [{ name: "realm1" }] });
  const logger = new MemoryLogger();
  const web = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: paths(dir),
    baseDir: dir,
    logger,
    transportId: "web1",
    ...extra,
  });
  const host = `127.0.0.1:${web.port}`;
  try {
    await fn({ router, web, http: `http://${host}`, ws: `ws://${host}`, dir, logger });
  } finally {
    await web.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const everything = (): Record<string, PathService> => ({
  "/": { type: "static", directory: "web" },
  "ws": { type: "websocket" },
  "ws-msgpack": { type: "websocket", serializers: ["msgpack"], options: { maxMessageSize: 4096 } },
  "lp": { type: "longpoll", options: { requestTimeout: 1 } },
  "call": { type: "caller", realm: "realm1" },
  "publish": { type: "publisher", realm: "realm1" },
  "old": { type: "redirect", url: "/new/place" },
  "moved": { type: "redirect", url: "https://example.com/", status: 301 },
  "api": { type: "path", paths: { "v1/call": { type: "caller", realm: "realm1" } } },
});

async function text(res: Response): Promise<string> {
  return await res.text();
}

// ---------------------------------------------------------------------------

Deno.test("serveWeb(): one port serves static files, two WebSocket paths, long-poll, bridges and redirects", async () => {
  await withWeb(everything, async (f) => {
    // static at the root
    const index = await fetch(`${f.http}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await text(index), "<h1>xbar</h1>");
    const js = await fetch(`${f.http}/js/app.js`);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(await text(js), "let x = 1;");
    const missing = await fetch(`${f.http}/nope.html`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    // "wsx" is not "ws": it falls to the root (static), which has no such file.
    const wsx = await fetch(`${f.http}/wsx`);
    assert.equal(wsx.status, 404);
    await wsx.body?.cancel();

    // Two WebSocket endpoints with their own options; sessions on both talk to each other.
    const a = await joinSession(await connectWebSocket(`${f.ws}/ws`), "realm1");
    const b = await joinSession(
      await connectWebSocket(`${f.ws}/ws-msgpack`, { serializer: "msgpack" }),
      "realm1",
    );
    assert.equal(b.transport.info.protocol, "wamp.2.msgpack");
    await a.register("com.example.echo", (args) => args[0]);
    assert.deepEqual((await b.call("com.example.echo", ["hi"])).args, ["hi"]);
    await assert.rejects(
      connectWebSocket(`${f.ws}/ws-msgpack`, { serializer: "json" }),
      /connection failed/,
    );
    const plain = await fetch(`${f.http}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();

    // Long-poll on the same port.
    const lp = await joinSession(await connectLongPoll(`${f.http}/lp`), "realm1");
    assert.deepEqual((await lp.call("com.example.echo", ["over long-poll"])).args, [
      "over long-poll",
    ]);

    // HTTP bridges, also nested (api/v1/call).
    for (const path of ["/call", "/api/v1/call"]) {
      const res = await fetch(`${f.http}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ procedure: "com.example.echo", args: [path] }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { args: [path], kwargs: {} });
    }
    const events: unknown[] = [];
    await a.subscribe("com.example.news", (args) => events.push(args[0]));
    const pub = await fetch(`${f.http}/publish`, {
      method: "POST",
      body: JSON.stringify({ topic: "com.example.news", args: ["extra"] }),
    });
    assert.equal(pub.status, 200);
    assert.ok((await pub.json()).id > 0);
    const deadline = Date.now() + 2000;
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(events, ["extra"]);

    // Bridges answer only their exact path.
    const below = await fetch(`${f.http}/call/more`, { method: "POST", body: "{}" });
    assert.equal(below.status, 404);
    await below.body?.cancel();

    // Redirects: 302 by default, the whole subtree, or the configured status.
    for (const path of ["/old", "/old/deeper/page"]) {
      const r = await fetch(`${f.http}${path}`, { redirect: "manual" });
      assert.equal(r.status, 302);
      assert.equal(r.headers.get("location"), "/new/place");
      await r.body?.cancel();
    }
    const moved = await fetch(`${f.http}/moved`, { redirect: "manual" });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get("location"), "https://example.com/");
    await moved.body?.cancel();

    // The WAMP connections carry the transport id and kind.
    const list = (await a.call("wamp.session.list")).args[0] as number[];
    const kinds = new Set<string>();
    for (const id of list) {
      const details = (await a.call("wamp.session.get", [id])).args[0] as {
        transport?: { type?: string };
      };
      if (details.transport?.type) kinds.add(details.transport.type);
    }
    assert.ok(kinds.has("websocket"), [...kinds].join(","));

    await Promise.all([a.leave(), b.leave(), lp.leave()]);
  });
});

Deno.test("serveWeb(): paths without a root answer 404 to everything else", async () => {
  await withWeb(() => ({ "ws": { type: "websocket" } }), async (f) => {
    for (const path of ["/", "/index.html", "/ws/x", "/w"]) {
      const res = await fetch(`${f.http}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(await text(res), "not found\n");
    }
  });
});

Deno.test("serveWeb(): static files are safe against traversal over the real server", async () => {
  await withWeb(
    () => ({ "/": { type: "static", directory: "web" }, "ws": { type: "websocket" } }),
    async (f) => {
      await Deno.writeTextFile(join(f.dir, "secret.txt"), "TOP SECRET");
      await Deno.symlink(join(f.dir, "secret.txt"), join(f.dir, "web", "escape"));
      for (
        const path of [
          "/..%2fsecret.txt",
          "/%2e%2e/secret.txt",
          "/js/..%2f..%2fsecret.txt",
          "/escape",
          "/..%5csecret.txt",
        ]
      ) {
        const res = await fetch(`${f.http}${path}`);
        const body = await text(res);
        assert.ok(res.status === 403 || res.status === 404, `${path}: ${res.status}`);
        assert.doesNotMatch(body, /SECRET/, path);
      }
    },
  );
});

Deno.test("serveWeb(): a directory asked for as //js gets Location /js/, never a protocol-relative //js/", async () => {
  await withWeb(
    () => ({ "/": { type: "static", directory: "web" } }),
    async (f) => {
      for (const path of ["//js", "///js"]) {
        const res = await fetch(`${f.http}${path}`, { redirect: "manual" });
        await res.body?.cancel();
        assert.equal(res.status, 301, path);
        assert.equal(res.headers.get("location"), "/js/", path);
      }
    },
  );
});

Deno.test("serveWeb(): static directory listing when enabled", async () => {
  await withWeb(
    () => ({
      "files": { type: "static", directory: "web/js", options: { enableDirectoryListing: true } },
    }),
    async (f) => {
      const res = await fetch(`${f.http}/files/`);
      assert.equal(res.status, 200);
      assert.match(await text(res), /<a href="app.js">app.js<\/a>/);
      const redirect = await fetch(`${f.http}/files`, { redirect: "manual" });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get("location"), "/files/");
      await redirect.body?.cancel();
    },
  );
});

Deno.test("serveWeb() rejects bad configuration before listening, one line per problem, naming the path", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const dir = await Deno.makeTempDir({ prefix: "xbar-web-bad-" });
  try {
    const err = await serveWeb(router, {
      endpoint: { hostname: "127.0.0.1", port: 0 },
      baseDir: dir,
      paths: {
        "/": { type: "static", directory: "missing" },
        "ws": { type: "websocket", options: { maxMessageSize: -1 } },
        "lp": { type: "longpoll", serializers: ["ubjson" as "json"] },
        "call": { type: "caller", realm: "nope" },
        "go": { type: "redirect", url: "" },
        "x": { type: "mqtt" } as unknown as PathService,
      },
    }).then(() => undefined, (e: Error) => e);
    assert.ok(err instanceof Error);
    const lines = err.message.split("\n");
    assert.equal(lines.length, 6, err.message);
    assert.match(err.message, /^paths\["\/"\]: static directory ".*missing" cannot be used/m);
    assert.match(err.message, /^paths\["ws"\]: maxMessageSize: must be a positive integer/m);
    assert.match(err.message, /^paths\["lp"\]: serializers: unknown serializer "ubjson"/m);
    assert.match(
      err.message,
      /^paths\["call"\]: caller bridge cannot join realm "nope" as role "anonymous"/m,
    );
    assert.match(err.message, /^paths\["go"\]: url: must be a URL or path/m);
    assert.match(err.message, /^paths\["x"\]: type: must be websocket, static, .* got "mqtt"/m);
    // Nothing listens, no bridge session is left behind.
    assert.equal(router.connectionCount, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PathTable: longest whole-segment prefix wins; invalid and duplicate keys are refused", () => {
  const t = new PathTable({
    "/": { type: "redirect", url: "/a" },
    "ws": { type: "websocket" },
    "/static/": { type: "static", directory: "." },
    "a": { type: "path", paths: { "b": { type: "websocket" }, "c/d": { type: "longpoll" } } },
  });
  const at = (p: string) => {
    const m = t.resolve(p)!;
    return `${m.entry.key} ${JSON.stringify(m.rest)}`;
  };
  assert.equal(at("/"), `/ "/"`);
  assert.equal(at("/ws"), `ws ""`);
  assert.equal(at("/ws/"), `ws "/"`);
  assert.equal(at("/wsx"), `/ "/wsx"`);
  assert.equal(at("/static/js/app.js"), `static "/js/app.js"`);
  assert.equal(at("/a/b"), `a/b ""`);
  assert.equal(at("/a/c/d/open"), `a/c/d "/open"`);
  assert.equal(at("/a/x"), `/ "/a/x"`);
  assert.equal(new PathTable({ "ws": { type: "websocket" } }).resolve("/other"), undefined);

  assert.throws(
    () =>
      new PathTable({
        "ws": { type: "websocket" },
        "/ws/": { type: "longpoll" },
        "a b": { type: "websocket" },
        "x/../y": { type: "websocket" },
        "//": { type: "websocket" },
        "/": { type: "path", paths: {} },
      }),
    (e: Error) => {
      assert.match(e.message, /paths\["\/ws\/"\]: the same path as paths\["ws"\]/);
      assert.match(e.message, /paths\["a b"\]: invalid path segment "a b"/);
      assert.match(e.message, /paths\["x\/..\/y"\]: invalid path segment ".."/);
      assert.match(e.message, /paths\["\/"\]: a nested "path" service needs a non-root key/);
      return true;
    },
  );
});

Deno.test("serveWeb() over TLS (https) with HSTS, from PEM files relative to baseDir", async () => {
  const certDir = await Deno.makeTempDir({ prefix: "xbar-web-tls-" });
  try {
    const cert = await makeTestCertificate(certDir);
    const router = new Router({ realms: [{ name: "realm1" }] });
    const web = await serveWeb(router, {
      endpoint: {
        hostname: "127.0.0.1",
        port: 0,
        tls: { key: "server.key", certificate: "server.crt" },
      },
      baseDir: certDir,
      hsts: true,
      paths: {
        "ws": { type: "websocket" },
        "call": { type: "caller", realm: "realm1", options: { requireTls: true } },
      },
    });
    const client = Deno.createHttpClient({ caCerts: [cert.certPem] });
    try {
      const local = await joinSession(localPair(router), "realm1");
      await local.register("com.example.ping", () => "pong");
      const res = await fetch(`https://localhost:${web.port}/call`, {
        method: "POST",
        body: JSON.stringify({ procedure: "com.example.ping" }),
        client,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("strict-transport-security"), "max-age=31536000");
      assert.deepEqual(await res.json(), { args: ["pong"], kwargs: {} });
      await local.leave();
    } finally {
      client.close();
      await web.shutdown();
    }
    const bad = await serveWeb(router, {
      endpoint: {
        hostname: "127.0.0.1",
        port: 0,
        tls: { key: "missing.key", certificate: "server.crt" },
      },
      baseDir: certDir,
      paths: { "ws": { type: "websocket" } },
    }).then(() => undefined, (e: Error) => e);
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /missing\.key/);
  } finally {
    await Deno.remove(certDir, { recursive: true });
  }
});

Deno.test("WebServer.shutdown() closes WebSockets (1001), long-poll transports and bridge sessions; idempotent", async () => {
  await withWeb(everything, async (f) => {
    const ws: Session = await joinSession(await connectWebSocket(`${f.ws}/ws`), "realm1");
    const lp: Session = await joinSession(await connectLongPoll(`${f.http}/lp`), "realm1");
    const call = await fetch(`${f.http}/call`, {
      method: "POST",
      body: JSON.stringify({ procedure: "wamp.session.count" }),
    });
    assert.equal(call.status, 200);
    // ws + lp + the three bridge sessions (call, api/v1/call, publish), joined at start.
    assert.deepEqual((await call.json()).args, [5]);
    assert.equal(f.router.connectionCount, 5);
    await f.web.shutdown();
    await f.web.shutdown();
    const [wsClosed, lpClosed] = await Promise.all([ws.closed, lp.closed]);
    assert.equal(wsClosed.reason, "xbar.close.transport_lost");
    assert.equal(lpClosed.reason, "xbar.close.transport_lost");
    assert.equal(f.router.connectionCount, 0);
    assert.equal(f.router.realm("realm1")!.sessions.size, 0);
    await assert.rejects(fetch(`${f.http}/`));
  });
});

Deno.test("serveWeb(): accessLog logs each request; the signal shuts the server down", async () => {
  const abort = new AbortController();
  await withWeb(() => ({ "ws": { type: "websocket" } }), async (f) => {
    const res = await fetch(`${f.http}/nothing`);
    await res.body?.cancel();
    const line = f.logger.lines.find((l) => l.msg === "http request");
    assert.ok(line);
    assert.deepEqual({ ...line.fields, ms: 0 }, {
      method: "GET",
      path: "/nothing",
      status: 404,
      ms: 0,
      transportId: "web1",
    });
    abort.abort();
    const deadline = Date.now() + 3000;
    while (
      f.logger.lines.every((l) => l.msg !== "web transport stopped") && Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(f.logger.lines.some((l) => l.msg === "web transport stopped"));
  }, { accessLog: true, signal: abort.signal });
});

Deno.test("serveWeb() rejects when the port is taken, leaving no bridge session behind", async () => {
  await withWeb(() => ({ "ws": { type: "websocket" } }), async (f) => {
    const err = await serveWeb(f.router, {
      endpoint: { hostname: "127.0.0.1", port: f.web.port },
      paths: { "call": { type: "caller", realm: "realm1" } },
    }).then(() => undefined, (e: Error) => e);
    assert.ok(err instanceof Deno.errors.AddrInUse);
    assert.equal(f.router.connectionCount, 0);
  });
});
