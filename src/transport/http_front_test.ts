import * as assert from "node:assert/strict";
import { MemoryLogger } from "../log/logger.ts";
import type { ConnectionLimits } from "./connection_gate.ts";
import { type Front, type FrontTimeouts, serveFront } from "./http_front.ts";
import type { Http1Handler } from "./http1.ts";

interface Fixture {
  front: Front;
  port: number;
  logger: MemoryLogger;
  close(): Promise<void>;
}

function start(
  http: Http1Handler,
  opts: { limits?: ConnectionLimits; timeouts?: FrontTimeouts } = {},
): Fixture {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const logger = new MemoryLogger();
  const front = serveFront(listener, {
    route: () => ({ kind: "http" }),
    http,
    secure: false,
    name: "test front",
    logger,
    ...opts,
  });
  return {
    front,
    port: (listener.addr as Deno.NetAddr).port,
    logger,
    async close() {
      front.abort();
      await front.idle;
    },
  };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function connect(port: number, text = ""): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  if (text !== "") await conn.write(enc.encode(text));
  return conn;
}

/** Reads until the server closes (or `ms` pass: then the text so far and "open"). */
async function readAll(conn: Deno.Conn, ms = 10_000): Promise<{ text: string; closed: boolean }> {
  const buf = new Uint8Array(65536);
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), ms);
  });
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buf).catch(() => null), timeout]);
      if (n === "timeout") return { text, closed: false };
      if (n === null) return { text, closed: true };
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

/** Reads until `text` holds `count` complete responses with Content-Length bodies. */
async function readResponses(conn: Deno.Conn, count: number): Promise<string[]> {
  const buf = new Uint8Array(65536);
  let text = "";
  const out: string[] = [];
  while (out.length < count) {
    const m = /^HTTP\/1\.1 [^]*?\r\n\r\n/.exec(text);
    if (m) {
      const len = Number(/content-length: (\d+)/i.exec(m[0])?.[1] ?? "0");
      if (text.length >= m[0].length + len) {
        out.push(text.slice(0, m[0].length + len));
        text = text.slice(m[0].length + len);
        continue;
      }
    }
    const n = await conn.read(buf);
    if (n === null) throw new Error(`closed after ${out.length} responses: ${text}`);
    text += dec.decode(buf.subarray(0, n));
  }
  return out;
}

const hello: Http1Handler = (req) => new Response(`hello ${new URL(req.url).pathname}`);

Deno.test("serveFront() serves HTTP/1.1 keep-alive and pipelined requests on one connection", async () => {
  const f = start(hello);
  try {
    const c = await connect(
      f.port,
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const [a, b] = await readResponses(c, 2);
    assert.match(a, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(a, /content-length: 8\r\n/);
    assert.match(a, /\r\n\r\nhello \/a$/);
    assert.match(b, /hello \/b$/);
    await c.write(enc.encode("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const last = await readAll(c);
    assert.ok(last.closed);
    assert.match(last.text, /connection: close\r\n[^]*hello \/c$/);
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() reads Content-Length and chunked request bodies and answers with fetch", async () => {
  const f = start(async (req) => new Response(`${req.method} ${(await req.text()).length}`));
  try {
    const r1 = await fetch(`http://127.0.0.1:${f.port}/`, {
      method: "POST",
      body: "x".repeat(1000),
    });
    assert.equal(await r1.text(), "POST 1000");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(enc.encode("abc"));
        c.enqueue(enc.encode("defg"));
        c.close();
      },
    });
    const r2 = await fetch(`http://127.0.0.1:${f.port}/`, {
      method: "PUT",
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(await r2.text(), "PUT 7");
    const c = await connect(
      f.port,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
    );
    const [res] = await readResponses(c, 1);
    assert.match(res, /POST 5$/);
    c.close();
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() sends an unknown-length (streamed) body whole with its length, HEAD gets no body, 100-continue is answered", async () => {
  const f = start((req) => {
    if (new URL(req.url).pathname === "/stream") {
      let i = 0;
      const body = new ReadableStream({
        async pull(c) {
          await new Promise((r) => setTimeout(r, 1));
          if (i++ < 3) c.enqueue(enc.encode(`part${i};`));
          else c.close();
        },
      });
      return new Response(body);
    }
    if (req.method === "POST") return req.text().then((t) => new Response(`got ${t}`));
    return new Response("body text", { headers: { "content-length": "9" } });
  });
  try {
    const res = await fetch(`http://127.0.0.1:${f.port}/stream`);
    assert.equal(await res.text(), "part1;part2;part3;");
    const raw = await readAll(
      await connect(
        f.port,
        "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      ),
    );
    assert.match(raw.text, /content-length: 18\r\n[^]*part1;part2;part3;$/);
    const head = await readAll(
      await connect(f.port, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    );
    assert.match(head.text, /content-length: 9\r\n/);
    assert.ok(head.text.endsWith("\r\n\r\n"), "no body after the head");
    const c = await connect(
      f.port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
    );
    const buf = new Uint8Array(100);
    const n = await c.read(buf);
    assert.equal(dec.decode(buf.subarray(0, n!)), "HTTP/1.1 100 Continue\r\n\r\n");
    await c.write(enc.encode("hi"));
    const [final] = await readResponses(c, 1);
    assert.match(final, /got hi$/);
    c.close();
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() answers smuggling-prone or malformed requests 400 and closes", async () => {
  const f = start(hello);
  try {
    for (
      const bad of [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
      ]
    ) {
      const r = await readAll(await connect(f.port, bad));
      assert.match(r.text, /^HTTP\/1\.1 400 /, bad);
      assert.ok(r.closed, bad);
    }
    // A malformed chunk makes the handler's read fail; the connection is closed.
    const r = await readAll(
      await connect(
        f.port,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      ),
    );
    assert.ok(r.closed);
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() closes connections that send nothing, half a head, or stay idle after a response", async () => {
  const f = start(hello, { timeouts: { headMs: 150, idleMs: 150 } });
  try {
    const t0 = performance.now();
    const [idle, half, kept] = await Promise.all([
      readAll(await connect(f.port)),
      readAll(await connect(f.port, "GET / HTTP/1.1\r\nHost: x\r\n")),
      readAll(await connect(f.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
    ]);
    assert.ok(performance.now() - t0 < 5000);
    assert.ok(idle.closed && idle.text === "");
    assert.ok(half.closed);
    assert.match(half.text, /^HTTP\/1\.1 408 /);
    assert.ok(kept.closed);
    assert.match(kept.text, /^HTTP\/1\.1 200 OK/);
    const phases = f.logger.lines.map((l) => l.fields?.phase);
    assert.ok(phases.includes("request head") && phases.includes("keep-alive"));
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() closes a connection whose request body stalls past bodyMs; the handler's read fails", async () => {
  let failed: unknown;
  const f = start(async (req) => {
    try {
      await req.arrayBuffer();
    } catch (err) {
      failed = err;
    }
    return new Response("late");
  }, { timeouts: { bodyMs: 150 } });
  try {
    const r = await readAll(
      await connect(f.port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"),
    );
    assert.ok(r.closed);
    assert.ok(failed !== undefined);
    assert.ok(f.logger.lines.some((l) => l.fields?.phase === "request body"));
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() drops a client that does not read its response within writeMs", async () => {
  const big = new Uint8Array(8 * 1024 * 1024);
  const f = start(() => new Response(big), { timeouts: { writeMs: 200 } });
  try {
    const c = await connect(f.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    while (!f.logger.lines.some((l) => l.fields?.phase === "response")) {
      await new Promise((r) => setTimeout(r, 20));
    }
    c.close();
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() keeps a slow handler's connection (time limits only wait for the client) and aborts req.signal when the client leaves", async () => {
  const aborted = Promise.withResolvers<void>();
  const f = start(async (req) => {
    if (new URL(req.url).pathname === "/wait") {
      req.signal.addEventListener("abort", () => aborted.resolve());
      await aborted.promise;
      return new Response("gone");
    }
    await new Promise((r) => setTimeout(r, 400));
    return new Response("late");
  }, { timeouts: { headMs: 100, idleMs: 100, bodyMs: 100 } });
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${f.port}/`)).text(), "late");
    const c = await connect(f.port, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await aborted.promise;
  } finally {
    await f.close();
  }
});

Deno.test("serveFront() refuses connections over maxConnections (503) and per IP, admits again after a close", async () => {
  const f = start(hello, { limits: { maxConnections: 2 }, timeouts: { headMs: 60_000 } });
  try {
    const a = await connect(f.port);
    const b = await connect(f.port);
    while (f.front.connections < 2) await new Promise((r) => setTimeout(r, 5));
    const refused = await readAll(await connect(f.port));
    assert.match(refused.text, /^HTTP\/1\.1 503 /);
    assert.equal(f.front.gate.refused.max_connections, 1);
    assert.ok(f.logger.lines.some((l) => /max_connections reached/.test(l.msg)));
    a.close();
    while (f.front.connections > 1) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await (await fetch(`http://127.0.0.1:${f.port}/ok`)).text(), "hello /ok");
    b.close();
  } finally {
    await f.close();
  }
  const g = start(hello, { limits: { maxConnectionsPerIp: 1 }, timeouts: { headMs: 60_000 } });
  try {
    const a = await connect(g.port);
    while (g.front.connections < 1) await new Promise((r) => setTimeout(r, 5));
    assert.match((await readAll(await connect(g.port))).text, /^HTTP\/1\.1 503 /);
    assert.equal(g.front.gate.refused.max_connections_per_ip, 1);
    a.close();
  } finally {
    await g.close();
  }
});

Deno.test("Front.close() closes idle connections and lets a request in flight finish", async () => {
  const gate = Promise.withResolvers<void>();
  const f = start(async () => {
    await gate.promise;
    return new Response("finished");
  }, { timeouts: { headMs: 60_000 } });
  const idle = await connect(f.port);
  const busy = await connect(f.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  while (f.front.connections < 2) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  f.front.close();
  gate.resolve();
  const done = await readAll(busy);
  assert.match(done.text, /connection: close[^]*finished$/);
  await f.front.idle;
  assert.ok((await readAll(idle)).closed);
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: f.port }));
});
