import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { connect } from "../client/connect.ts";
import { serveWeb, type WebServer } from "./web.ts";

const SECRET_ID = "transport-id-nobody-may-see";

async function withServer(fn: (base: string, server: WebServer) => Promise<void>) {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    transportId: SECRET_ID,
    paths: {
      "/": {
        type: "nodeinfo",
        info: { note: "<script>alert(1)</script>" },
        updateMs: 100,
      },
      ws: { type: "websocket" },
      metrics: { type: "metrics" },
    },
  });
  try {
    await fn(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`, server);
  } finally {
    router.shutdown();
    await server.shutdown();
  }
}

/** Reads server-sent events from `res` until `done(event, data)` is true (rejects after 10 s). */
async function readEvents(
  res: Response,
  done: (event: string, data: string) => boolean,
): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no such event within 10 s")), 10_000);
  });
  try {
    for (;;) {
      const { value, done: end } = await Promise.race([reader.read(), expired]);
      if (end) throw new Error("event stream ended");
      buf += value;
      let at;
      while ((at = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6))
          .join("\n");
        if (data !== "" && done(event, data)) return;
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

Deno.test("serveWeb() nodeinfo serves the status page: a plain summary with a strict CSP, its script, JSON, nothing secret", async () => {
  await withServer(async (base) => {
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
    assert.match(page.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
    const html = await page.text();
    assert.match(html, /<tr data-realm="realm1" data-sessions="0">/);
    assert.match(html, new RegExp(`ws://127\\.0\\.0\\.1:\\d+/ws`));
    assert.match(html, /<script src="\/status\.js" defer><\/script>/);
    assert.match(html, /data-events="\/events"/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/, "extra facts are escaped");
    assert.doesNotMatch(html, /<script>alert/);
    assert.ok(!html.includes(SECRET_ID), "no transport id on the page");

    const js = await fetch(`${base}/status.js`);
    assert.match(js.headers.get("content-type")!, /javascript/);
    assert.match(await js.text(), /new EventSource\(url\)/);

    const json = await fetch(`${base}/status.json`);
    const summary = await json.json();
    assert.deepEqual(summary.realms, [{ name: "realm1", sessions: 0, workers: [] }]);
    assert.ok(!JSON.stringify(summary).includes(SECRET_ID));

    const post = await fetch(`${base}/`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    const missing = await fetch(`${base}/nothing/here`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("serveWeb() nodeinfo pushes updates that show a session joining, and ends its streams at shutdown", async () => {
  await withServer(async (base, server) => {
    const first = await fetch(`${base}/events`);
    assert.match(first.headers.get("content-type")!, /text\/event-stream/);
    let updates = 0;
    await readEvents(first, (event, data) => {
      assert.equal(event, "update");
      const u = JSON.parse(data);
      assert.match(u.sections.realms, /data-sessions="0"/);
      assert.ok(!data.includes(SECRET_ID));
      return ++updates === 2;
    });
    const session = await connect(
      `ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/ws`,
      "realm1",
    );
    try {
      const stream = await fetch(`${base}/events`);
      await readEvents(
        stream,
        (_event, data) => /data-sessions="1"/.test(JSON.parse(data).sections.realms),
      );
    } finally {
      await session.leave();
    }
    const open = await fetch(`${base}/events`);
    const ended = readEvents(open, () => false).then(() => "updates", (e) => String(e));
    await server.shutdown();
    // cleanly or cut with the connection: either way the stream does not outlive the server
    assert.doesNotMatch(await ended, /no such event within/);
  });
});

Deno.test("serveWeb() metrics answers Prometheus text, or OpenMetrics when asked, with the router's figures", async () => {
  await withServer(async (base, server) => {
    const session = await connect(
      `ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/ws`,
      "realm1",
    );
    try {
      const text = await fetch(`${base}/metrics`);
      assert.equal(text.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const body = await text.text();
      assert.match(body, /^xbar_sessions\{realm="realm1",transport="websocket"\} 1$/m);
      assert.match(body, /^xbar_messages_received_total\{transport="websocket",type="HELLO"\} 1$/m);
      assert.match(body, /^xbar_process_resident_memory_bytes\{process="router"\} \d+$/m);
      const om = await fetch(`${base}/metrics`, {
        headers: { accept: "application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1" },
      });
      assert.match(om.headers.get("content-type")!, /^application\/openmetrics-text/);
      assert.ok((await om.text()).endsWith("# EOF\n"));
      const post = await fetch(`${base}/metrics`, { method: "POST" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD");
      await post.body?.cancel();
    } finally {
      await session.leave();
    }
  });
});
