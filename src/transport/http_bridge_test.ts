import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { CallResult } from "../client/call_result.ts";
import { ApplicationError } from "../wamp/errors.ts";
import type { HttpBridge } from "./http_bridge.ts";
import {
  type CallerBridgeOptions,
  createCallerBridge,
  validateCall,
} from "./http_bridge_caller.ts";
import {
  createPublisherBridge,
  type PublisherBridgeOptions,
  validatePublication,
} from "./http_bridge_publisher.ts";
import { statusOfErrorUri } from "./http_bridge_error.ts";
import { sign } from "./http_bridge_signature.ts";
import { IpFilter } from "./http_bridge_ip_filter.ts";

// ---------------------------------------------------------------------------
// Fixture: a router whose realm has an app role (for the test's own session)
// and a "bridge" role that may call com.* and publish com.*, with caller and
// publisher identities disclosed; both bridges served on one Deno.serve.

function newRouter(): Router {
  return new Router({
    // Anonymous, but honouring the HELLO authrole, so the test's own session can be "app".
    authenticator: () => ({
      hello: (_realm, details) => ({
        kind: "welcome",
        info: {
          authid: "tester",
          authrole: typeof details.authrole === "string" ? details.authrole : "anonymous",
          authmethod: "anonymous",
          authprovider: "static",
        },
      }),
      authenticate: () => ({
        kind: "abort",
        uri: "wamp.error.protocol_violation",
        message: "no challenge",
      }),
    }),
    realms: [{
      name: "realm1",
      roles: [
        {
          name: "app",
          permissions: [{
            uri: "",
            match: "prefix",
            allow: { call: true, register: true, publish: true, subscribe: true },
          }],
        },
        {
          name: "bridge",
          permissions: [{
            uri: "com.",
            match: "prefix",
            allow: { call: true, publish: true },
            disclose: { caller: true, publisher: true },
          }],
        },
      ],
    }],
  });
}

interface Fixture {
  router: Router;
  app: Session;
  url: string;
  call(
    body: unknown,
    init?: RequestInit,
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
  publish(
    body: unknown,
    init?: RequestInit,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
}

async function withBridges(
  callerOptions: Partial<CallerBridgeOptions>,
  publisherOptions: Partial<PublisherBridgeOptions>,
  fn: (f: Fixture) => Promise<void>,
  hostname = "127.0.0.1",
): Promise<void> {
  const router = newRouter();
  const caller = createCallerBridge(router, { realm: "realm1", role: "bridge", ...callerOptions });
  const publisher = createPublisherBridge(router, {
    realm: "realm1",
    role: "bridge",
    ...publisherOptions,
  });
  const app = await joinSession(localPair(router), "realm1", { authrole: "app" });
  const bridges: HttpBridge<unknown>[] = [
    caller as HttpBridge<unknown>,
    publisher as HttpBridge<unknown>,
  ];
  const server = Deno.serve({ hostname, port: 0, onListen() {} }, (req, info) => {
    const path = new URL(req.url).pathname;
    if (path === "/call") return caller.handle(req, info);
    if (path === "/publish") return publisher.handle(req, info);
    return new Response("not found", { status: 404 });
  });
  const url = `http://${hostname === "::1" ? "[::1]" : hostname}:${server.addr.port}`;
  const post = async (path: string, body: unknown, init: RequestInit = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      ...init,
    });
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`not JSON (${res.status}): ${text}`);
    }
    return { status: res.status, json, headers: res.headers };
  };
  try {
    await fn({
      router,
      app,
      url,
      call: (body, init) => post("/call", body, init),
      publish: (body, init) => post("/publish", body, init),
    });
  } finally {
    await app.leave();
    for (const b of bridges) await b.close();
    await server.shutdown();
  }
}

// ---------------------------------------------------------------------------

Deno.test("caller bridge: POST {procedure, args, kwargs} calls the procedure as the bridge's role and answers its result", async () => {
  await withBridges({}, {}, async (f) => {
    await f.app.register("com.example.add2", (args, kwargs, details) => {
      return new CallResult([(args[0] as number) + (args[1] as number)], {
        offset: kwargs.offset ?? null,
        role: details.caller_authrole ?? null,
      });
    });
    const res = await f.call({
      procedure: "com.example.add2",
      args: [1, 2],
      kwargs: { offset: 10 },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { args: [3], kwargs: { offset: 10, role: "bridge" } });
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");

    // args and kwargs are optional; null counts as absent.
    await f.app.register("com.example.ping", () => "pong");
    assert.deepEqual((await f.call({ procedure: "com.example.ping" })).json, {
      args: ["pong"],
      kwargs: {},
    });
    assert.deepEqual(
      (await f.call({ procedure: "com.example.ping", args: null, kwargs: null })).json,
      {
        args: ["pong"],
        kwargs: {},
      },
    );
  });
});

Deno.test("caller bridge: WAMP errors come back as {error, args, kwargs} with a status from the URI", async () => {
  await withBridges({}, {}, async (f) => {
    await f.app.register("com.example.fail", () => {
      throw new ApplicationError("com.example.error.out_of_stock", {
        args: ["none left"],
        kwargs: { item: 7 },
      });
    });
    await f.app.register("com.example.bad", () => {
      throw new ApplicationError("wamp.error.invalid_argument", { args: ["x must be positive"] });
    });
    const app = await f.call({ procedure: "com.example.fail" });
    assert.equal(app.status, 500);
    assert.deepEqual(app.json, {
      error: "com.example.error.out_of_stock",
      args: ["none left"],
      kwargs: { item: 7 },
    });

    const invalid = await f.call({ procedure: "com.example.bad" });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.error, "wamp.error.invalid_argument");

    const missing = await f.call({ procedure: "com.example.nothing_here" });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, "wamp.error.no_such_procedure");
    assert.ok(Array.isArray(missing.json.args));
    assert.deepEqual(missing.json.kwargs, {});

    const forbidden = await f.call({ procedure: "org.other.proc" });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error, "wamp.error.not_authorized");
  });
});

Deno.test("caller bridge: options.timeout ends a slow call with 504 wamp.error.timeout", async () => {
  await withBridges({}, {}, async (f) => {
    await f.app.register("com.example.slow", (_a, _k, d) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve("late"), 5000);
        d.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve("interrupted");
        });
      }));
    const res = await f.call({ procedure: "com.example.slow", options: { timeout: 100 } });
    assert.equal(res.status, 504);
    assert.equal(res.json.error, "wamp.error.timeout");
  });
});

Deno.test("caller bridge: bad bodies answer 400 with a clear JSON error", async () => {
  await withBridges({}, {}, async (f) => {
    const cases: [unknown, RegExp][] = [
      [{ args: [1] }, /missing "procedure"/],
      [{ procedure: "" }, /"procedure" must be a non-empty string/],
      [{ procedure: 5 }, /"procedure" must be a non-empty string \(a URI\), got number 5/],
      [{ procedure: "com.x", args: { a: 1 } }, /"args" must be a list, got an object/],
      [{ procedure: "com.x", kwargs: [1] }, /"kwargs" must be an object, got a list/],
      [
        { procedure: "com.x", options: { timeout: -1 } },
        /"options.timeout" must be a number of milliseconds/,
      ],
      [{ procedure: "com.x", options: { rkey: "a" } }, /unknown call option "rkey"/],
      [{ procdure: "com.x" }, /unknown key "procdure"/],
      ["[1, 2]", /must be a JSON object, got a list/],
      ['"com.x"', /must be a JSON object, got string/],
      ["{procedure: com.x}", /the body is not valid JSON/],
      ["", /the body is not valid JSON/],
    ];
    for (const [body, expected] of cases) {
      const res = await f.call(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error, "wamp.error.invalid_argument");
      assert.match((res.json.args as string[])[0], expected);
      assert.deepEqual(res.json.kwargs, {});
    }
  });
});

Deno.test("caller bridge: wrong method 405, wrong content type 415, oversize body 413, preflight 204", async () => {
  await withBridges({ postBodyLimit: 100 }, {}, async (f) => {
    const get = await fetch(`${f.url}/call`);
    assert.equal(get.status, 405);
    assert.match(get.headers.get("allow")!, /POST/);
    assert.match((await get.json()).args[0], /method GET not allowed/);

    const form = await f.call("procedure=x", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(form.status, 415);
    const latin = await f.call("{}", {
      headers: { "content-type": "application/json; charset=latin-1" },
    });
    assert.equal(latin.status, 415);

    const big = await f.call({ procedure: "com.x", args: ["x".repeat(200)] });
    assert.equal(big.status, 413);
    assert.equal(big.json.error, "wamp.error.payload_size_exceeded");
    assert.match((big.json.args as string[])[0], /exceeds the limit of 100 bytes/);

    const pre = await fetch(`${f.url}/call`, {
      method: "OPTIONS",
      headers: { origin: "https://a.example" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "https://a.example");
    await pre.body?.cancel();
  });
});

Deno.test("bridges: CORS never pairs an arbitrary origin with credentials; allowedOrigins refuses others (403)", async () => {
  const body = JSON.stringify({ topic: "com.t" });
  const headers = (origin: string) => ({ "content-type": "application/json", origin });
  await withBridges({}, {}, async (f) => {
    const res = await fetch(`${f.url}/publish`, {
      method: "POST",
      headers: headers("https://evil.example"),
      body,
    });
    await res.body?.cancel();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
  });
  await withBridges({}, { allowedOrigins: ["https://a.example"] }, async (f) => {
    const evil = await fetch(`${f.url}/publish`, {
      method: "POST",
      headers: headers("https://evil.example"),
      body,
    });
    assert.equal(evil.status, 403);
    assert.match(
      (await evil.json()).args[0],
      /forbidden: origin "https:\/\/evil.example" not allowed/,
    );
    const pre = await fetch(`${f.url}/publish`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 403);
    const ok = await fetch(`${f.url}/publish`, {
      method: "POST",
      headers: headers("https://a.example"),
      body,
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://a.example");
    assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
  });
});

Deno.test("caller bridge: binary values travel as the WAMP JSON convention both ways", async () => {
  await withBridges({}, {}, async (f) => {
    await f.app.register(
      "com.example.reverse",
      (args) => (args[0] as Uint8Array).slice().reverse(),
    );
    const res = await f.call({ procedure: "com.example.reverse", args: ["\u0000AQID"] }); // bytes 1,2,3
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.args, ["\u0000AwIB"]);
  });
});

Deno.test("publisher bridge: POST {topic, args, kwargs} publishes as the bridge's role and answers {id}", async () => {
  await withBridges({}, {}, async (f) => {
    const got: unknown[] = [];
    await f.app.subscribe("com.myapp.topic1", (args, kwargs, details) => {
      got.push({ args, kwargs, role: details.publisher_authrole ?? null });
    });
    const res = await f.publish({
      topic: "com.myapp.topic1",
      args: ["Hello, world"],
      kwargs: { n: 1 },
    });
    assert.equal(res.status, 200);
    assert.ok(Number.isSafeInteger(res.json.id) && (res.json.id as number) > 0);
    const deadline = Date.now() + 2000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, [{ args: ["Hello, world"], kwargs: { n: 1 }, role: "bridge" }]);
  });
});

Deno.test("publisher bridge: options.exclude / eligible are applied; refused publications map to statuses", async () => {
  await withBridges({}, {}, async (f) => {
    let count = 0;
    await f.app.subscribe("com.myapp.t", () => count++);
    const excluded = await f.publish({ topic: "com.myapp.t", options: { exclude: [f.app.id] } });
    assert.equal(excluded.status, 200);
    const included = await f.publish({ topic: "com.myapp.t", options: { eligible: [f.app.id] } });
    assert.equal(included.status, 200);
    const deadline = Date.now() + 2000;
    while (count === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(count, 1);

    const forbidden = await f.publish({ topic: "org.other.t" });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error, "wamp.error.not_authorized");
  });
});

Deno.test("publisher bridge: bad bodies answer 400 with a clear JSON error", async () => {
  await withBridges({}, {}, async (f) => {
    const cases: [unknown, RegExp][] = [
      [{ args: ["x"] }, /missing "topic"/],
      [{ topic: ["a"] }, /"topic" must be a non-empty string/],
      [{ topic: "com.t", args: "x" }, /"args" must be a list/],
      [
        { topic: "com.t", options: { exclude: ["a"] } },
        /"options.exclude" must be a list of session ids/,
      ],
      [
        { topic: "com.t", options: { eligible_authid: [1] } },
        /"options.eligible_authid" must be a list of strings/,
      ],
      [{ topic: "com.t", options: { retain: "yes" } }, /"options.retain" must be true or false/],
      [{ topic: "com.t", options: { acknowledge: false } }, /unknown publish option "acknowledge"/],
      [{ topic: "com.t", procedure: "x" }, /unknown key "procedure"/],
    ];
    for (const [body, expected] of cases) {
      const res = await f.publish(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error, "wamp.error.invalid_argument");
      assert.match((res.json.args as string[])[0], expected);
    }
  });
});

Deno.test("bridges: the session rejoins after it was killed; a realm that is gone answers 503", async () => {
  await withBridges({}, {}, async (f) => {
    await f.app.register("com.example.ping", () => "pong");
    assert.equal((await f.call({ procedure: "com.example.ping" })).status, 200);
    // Kill the bridge session through the meta API.
    const sessions = (await f.app.call("wamp.session.list")).args[0] as number[];
    for (const id of sessions) if (id !== f.app.id) await f.app.call("wamp.session.kill", [id]);
    assert.equal((await f.call({ procedure: "com.example.ping" })).status, 200, "rejoined");

    f.router.removeRealm("realm1");
    const gone = await f.call({ procedure: "com.example.ping" });
    assert.equal(gone.status, 503);
    assert.equal(gone.json.error, "wamp.error.unavailable");
    assert.match((gone.json.args as string[])[0], /cannot reach realm "realm1".*no_such_realm/);
  });
});

Deno.test("bridge start() rejects naming the realm and role it cannot join", async () => {
  const router = newRouter();
  const bridge = createCallerBridge(router, { realm: "nope", role: "bridge" });
  await assert.rejects(
    bridge.start(),
    /caller bridge cannot join realm "nope" as role "bridge": .*no_such_realm/,
  );
  const noRole = createPublisherBridge(router, { realm: "realm1", role: "ghost" });
  await assert.rejects(
    noRole.start(),
    /publisher bridge cannot join realm "realm1" as role "ghost": .*no_such_role/,
  );
  await bridge.close();
  await noRole.close();
});

Deno.test("bridges refuse invalid options with what and the value", () => {
  const router = newRouter();
  assert.throws(() => createCallerBridge(router, { realm: "" }), /realm: must be a realm name/);
  assert.throws(
    () => createCallerBridge(router, { realm: "r", postBodyLimit: 0 }),
    /postBodyLimit: .* got 0/,
  );
  assert.throws(
    () => createCallerBridge(router, { realm: "r", key: "k" }),
    /key, secret: give both/,
  );
  assert.throws(
    () => createCallerBridge(router, { realm: "r", callTimeout: -5 }),
    /callTimeout: .* got -5/,
  );
  assert.throws(
    () => createPublisherBridge(router, { realm: "r", requireIp: ["10.0.0.0/33"] }),
    /requireIp\[0\]: .*10\.0\.0\.0\/33/,
  );
});

Deno.test("bridges: requireTls refuses plain HTTP (403); requireIp refuses other addresses (403)", async () => {
  await withBridges({ requireTls: true }, { requireIp: ["10.0.0.0/8"] }, async (f) => {
    const tls = await f.call({ procedure: "com.x" });
    assert.equal(tls.status, 403);
    assert.match((tls.json.args as string[])[0], /TLS \(https\) only/);
    const ip = await f.publish({ topic: "com.t" });
    assert.equal(ip.status, 403);
    assert.match((ip.json.args as string[])[0], /requests from 127\.0\.0\.1 are not allowed/);
  });
  await withBridges({}, { requireIp: ["127.0.0.0/255.0.0.0"] }, async (f) => {
    assert.equal((await f.publish({ topic: "com.t" })).status, 200);
  });
});

Deno.test("bridges: signed requests (key/secret) are checked as Crossbar signs them", async () => {
  await withBridges({}, { key: "myapp1", secret: "kkjH68GiuUZ" }, async (f) => {
    const body = JSON.stringify({ topic: "com.t", args: [1] });
    const timestamp = new Date().toISOString();
    const signature = await sign(
      "kkjH68GiuUZ",
      "myapp1",
      timestamp,
      "1",
      "42",
      new TextEncoder().encode(body),
    );
    const q = new URLSearchParams({ key: "myapp1", timestamp, seq: "1", nonce: "42", signature });
    const ok = await fetch(`${f.url}/publish?${q}`, { method: "POST", body });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.ok((await ok.json()).id > 0);

    // The same signed request again, within the timestamp window: a replay.
    const replay = await fetch(`${f.url}/publish?${q}`, { method: "POST", body });
    assert.equal(replay.status, 401);
    assert.match((await replay.json()).args[0], /nonce 42 was used already: a replayed request/);

    const unsigned = await f.publish({ topic: "com.t" });
    assert.equal(unsigned.status, 400);
    assert.match((unsigned.json.args as string[])[0], /query parameter "key" missing/);

    q.set("signature", signature.replace(/^./, signature[0] === "A" ? "B" : "A"));
    const forged = await fetch(`${f.url}/publish?${q}`, { method: "POST", body });
    assert.equal(forged.status, 401);
    assert.match((await forged.json()).args[0], /invalid request signature/);

    const old = new Date(Date.now() - 3600_000).toISOString();
    const oldSig = await sign(
      "kkjH68GiuUZ",
      "myapp1",
      old,
      "1",
      "42",
      new TextEncoder().encode(body),
    );
    const stale = new URLSearchParams({
      key: "myapp1",
      timestamp: old,
      seq: "1",
      nonce: "42",
      signature: oldSig,
    });
    const late = await fetch(`${f.url}/publish?${stale}`, { method: "POST", body });
    assert.equal(late.status, 400);
    assert.match((await late.json()).args[0], /more than 300 seconds off/);
  });
});

Deno.test("validateCall() and validatePublication() accept the minimal bodies", () => {
  assert.deepEqual(validateCall({ procedure: "a.b" }), {
    ok: true,
    value: { procedure: "a.b", args: [], kwargs: {}, timeout: 0 },
  });
  assert.deepEqual(
    validatePublication({ topic: "a.b", options: { retain: true, exclude: null } }),
    {
      ok: true,
      value: { topic: "a.b", args: [], kwargs: {}, options: { retain: true } },
    },
  );
});

Deno.test("statusOfErrorUri() maps standard URIs and defaults to 500", () => {
  assert.equal(statusOfErrorUri("wamp.error.no_such_procedure"), 404);
  assert.equal(statusOfErrorUri("wamp.error.not_authorized"), 403);
  assert.equal(statusOfErrorUri("wamp.error.option_disallowed.disclose_me"), 400);
  assert.equal(statusOfErrorUri("wamp.error.no_eligible_callee"), 503);
  assert.equal(statusOfErrorUri("wamp.error.timeout"), 504);
  assert.equal(statusOfErrorUri("com.example.oops"), 500);
});

Deno.test("IpFilter matches IPv4/IPv6 addresses and networks, IPv4-mapped peers as IPv4", () => {
  const f = new IpFilter([
    "127.0.0.1",
    "10.0.0.0/8",
    "192.168.1.0/255.255.255.0",
    "::1",
    "fd00::/8",
  ]);
  for (
    const a of ["127.0.0.1", "10.200.3.4", "192.168.1.77", "::1", "fd12:3456::1", "::ffff:10.1.1.1"]
  ) {
    assert.ok(f.allows(a), a);
  }
  for (const a of ["127.0.0.2", "11.0.0.1", "192.168.2.1", "::2", "fe80::1", "garbage", ""]) {
    assert.ok(!f.allows(a), a);
  }
  assert.throws(() => new IpFilter(["10.0.0.0/255.0.255.0"]), /requireIp\[0\]/);
  assert.throws(() => new IpFilter(["1.2.3"]), /requireIp\[0\]/);
  assert.throws(() => new IpFilter(["::1::2"]), /requireIp\[0\]/);
});

// ---------------------------------------------------------------------------
