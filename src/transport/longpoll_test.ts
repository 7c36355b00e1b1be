import assert from "node:assert/strict";
import { decodeMsgpack, encodeMsgpack } from "../serializer/mod.ts";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { Router } from "../router/router.ts";
import { MemoryLogger } from "../log/logger.ts";
import {
  createLongPollHandler,
  type LongPollHandler,
  type LongPollOptions,
  newTransportId,
} from "./longpoll.ts";

// ---------------------------------------------------------------------------
// Fixtures

/** Records what one transport tells the router. */
class Recorded implements SessionHandle {
  received: unknown[] = [];
  violations: string[] = [];
  overflows: number[] = [];
  closedCount = 0;
  constructor(readonly peer: Peer, readonly changed: () => void) {}
  receive(value: unknown): void {
    this.received.push(value);
    this.changed();
  }
  protocolViolation(message: string): void {
    this.violations.push(message);
    this.peer.send([3, { message }, "wamp.error.protocol_violation"]);
    this.peer.close();
    this.changed();
  }
  overflow(queuedBytes: number): void {
    this.overflows.push(queuedBytes);
    this.peer.close();
    this.changed();
  }
  closed(): void {
    this.closedCount++;
    this.changed();
  }
}

/** An acceptor that records every session, for looking at the transport alone. */
class FakeAcceptor implements SessionAcceptor {
  sessions: Recorded[] = [];
  #waiters: (() => void)[] = [];
  attach(peer: Peer): SessionHandle {
    const s = new Recorded(peer, () => this.#notify());
    this.sessions.push(s);
    this.#notify();
    return s;
  }
  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
  /** Waits (bounded) until `pred` holds. */
  async until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

interface Fixture {
  base: string;
  handler: LongPollHandler;
  post(path: string, body?: BodyInit, init?: RequestInit): Promise<Response>;
  open(protocol?: string): Promise<string>;
}

async function withEndpoint(
  acceptor: SessionAcceptor,
  options: LongPollOptions,
  fn: (f: Fixture) => Promise<void>,
): Promise<void> {
  const handler = createLongPollHandler(acceptor, { ...options, basePath: "/lp" });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const base = `http://127.0.0.1:${server.addr.port}/lp`;
  const post = (path: string, body?: BodyInit, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { method: "POST", body, ...init });
  const f: Fixture = {
    base,
    handler,
    post,
    async open(protocol = "wamp.2.json") {
      const res = await post("/open", JSON.stringify({ protocols: [protocol] }));
      assert.equal(res.status, 200);
      const answer = await res.json();
      assert.equal(answer.protocol, protocol);
      return answer.transport;
    },
  };
  try {
    await fn(f);
  } finally {
    handler.endpoint.closeAll();
    await server.shutdown();
  }
}

const hello = [1, "realm1", { roles: { caller: {}, subscriber: {} } }];

// ---------------------------------------------------------------------------
// The happy path, with a plain HTTP client and the real router

Deno.test("long-poll: open, send HELLO, receive WELCOME, GOODBYE, close — with plain fetch and the real router", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  await withEndpoint(router, {}, async (f) => {
    const id = await f.open();
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const sent = await f.post(`/${id}/send`, JSON.stringify(hello));
    assert.equal(sent.status, 204);
    await sent.body?.cancel();
    const res = await f.post(`/${id}/receive`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    const welcome = await res.json();
    assert.equal(welcome[0], 2);
    assert.ok(Number.isInteger(welcome[1]));
    assert.equal(router.realm("realm1")!.sessions.size, 1);

    await (await f.post(`/${id}/send`, JSON.stringify([6, {}, "wamp.close.normal"]))).body
      ?.cancel();
    const bye = await (await f.post(`/${id}/receive`)).json();
    assert.deepEqual(bye, [6, {}, "wamp.close.goodbye_and_out"]);
    assert.equal(router.realm("realm1")!.sessions.size, 0);

    const closed = await f.post(`/${id}/close`);
    assert.equal(closed.status, 204);
    await closed.body?.cancel();
    assert.equal(f.handler.endpoint.size, 0);
    assert.equal(router.connectionCount, 0);
  });
});

Deno.test("long-poll: open answers CORS and no-cache headers, and preflights", async () => {
  await withEndpoint(new FakeAcceptor(), {}, async (f) => {
    const res = await f.post("/open", JSON.stringify({ protocols: ["wamp.2.json"] }), {
      headers: { origin: "https://app.example" },
    });
    await res.body?.cancel();
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    // Any origin may use the endpoint by default, but never with credentials.
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
    assert.match(res.headers.get("cache-control")!, /no-store/);
    const pre = await fetch(`${f.base}/open`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-headers": "content-type" },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-headers"), "content-type");
    assert.match(pre.headers.get("access-control-allow-methods")!, /POST/);
  });
});

Deno.test("long-poll: allowedOrigins refuses other origins (403) on every operation; listed ones get credentials", async () => {
  await withEndpoint(new FakeAcceptor(), {
    allowedOrigins: ["https://app.example"],
    allowNullOrigin: false,
  }, async (f) => {
    const id = await f.open();
    for (const origin of ["https://evil.example", "null"]) {
      for (const op of ["/open", `/${id}/send`, `/${id}/receive`, `/${id}/close`]) {
        const res = await f.post(op, "[]", { headers: { origin } });
        assert.equal(res.status, 403, `${origin} ${op}`);
        assert.match(await res.text(), /forbidden: origin .* not allowed/);
        assert.equal(res.headers.get("access-control-allow-origin"), null);
      }
      const pre = await fetch(`${f.base}/open`, { method: "OPTIONS", headers: { origin } });
      await pre.body?.cancel();
      assert.equal(pre.status, 403);
    }
    const ok = await f.post("/open", JSON.stringify({ protocols: ["wamp.2.json"] }), {
      headers: { origin: "https://app.example" },
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
  });
});

// ---------------------------------------------------------------------------
// Bad input

Deno.test("long-poll: an unknown transport id answers 404 with a body naming it, for every operation", async () => {
  await withEndpoint(new FakeAcceptor(), {}, async (f) => {
    for (const op of ["send", "receive", "close"]) {
      const res = await f.post(`/nosuchtransport/${op}`, op === "send" ? "[1]" : undefined);
      assert.equal(res.status, 404);
      const text = await res.text();
      assert.match(text, /no WAMP long-poll transport "nosuchtransport"/);
    }
    const odd = await f.post("/a/b/c");
    assert.equal(odd.status, 404);
    assert.match(await odd.text(), /unknown long-poll operation/);
  });
});

Deno.test("long-poll: a closed transport id answers 410 to send/receive and 204 to close", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open();
    await (await f.post(`/${id}/close`)).body?.cancel();
    assert.equal(acceptor.sessions[0].closedCount, 1);
    const r = await f.post(`/${id}/receive`);
    assert.equal(r.status, 410);
    assert.match(await r.text(), /is closed: closed by the client/);
    const s = await f.post(`/${id}/send`, "[1]");
    assert.equal(s.status, 410);
    await s.body?.cancel();
    const c = await f.post(`/${id}/close`);
    assert.equal(c.status, 204);
    await c.body?.cancel();
    assert.equal(acceptor.sessions[0].closedCount, 1);
  });
});

Deno.test("long-poll: bad open requests answer 400 saying what is wrong", async () => {
  await withEndpoint(new FakeAcceptor(), {}, async (f) => {
    const cases: [string, RegExp][] = [
      ["{not json", /could not parse the open request body as JSON/],
      ["[]", /must be a JSON object/],
      ["{}", /missing attribute "protocols"/],
      [`{"protocols": "wamp.2.json"}`, /must be a non-empty list/],
      [`{"protocols": [1]}`, /must hold strings/],
      [
        `{"protocols": ["wamp.2.ubjson", "mqtt"]}`,
        /no common protocol: offered wamp\.2\.ubjson, mqtt; this endpoint speaks wamp\.2\.json\.batched/,
      ],
    ];
    for (const [body, expected] of cases) {
      const res = await f.post("/open", body);
      assert.equal(res.status, 400, body);
      assert.match(await res.text(), expected);
    }
    const get = await fetch(`${f.base}/open`);
    assert.equal(get.status, 405);
    assert.match(get.headers.get("allow")!, /POST/);
    await get.body?.cancel();
    const notice = await fetch(f.base);
    assert.equal(notice.status, 200);
    assert.match(await notice.text(), /WAMP-over-long-poll endpoint/);
  });
});

Deno.test("long-poll: malformed JSON to /send answers 400, aborts the session, other transports are unaffected", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  await withEndpoint(router, {}, async (f) => {
    const good = await f.open();
    const bad = await f.open();
    await (await f.post(`/${good}/send`, JSON.stringify(hello))).body?.cancel();
    assert.equal((await (await f.post(`/${good}/receive`)).json())[0], 2);

    const res = await f.post(`/${bad}/send`, '[1, "realm1", {');
    assert.equal(res.status, 400);
    assert.match(
      await res.text(),
      /cannot decode wamp\.2\.json message: invalid JSON.*the session is aborted/,
    );
    const abort = await (await f.post(`/${bad}/receive`)).json();
    assert.equal(abort[0], 3);
    assert.equal(abort[2], "wamp.error.protocol_violation");
    const after = await f.post(`/${bad}/receive`);
    assert.equal(after.status, 410);
    await after.body?.cancel();

    // The good session still works: it can call the meta API.
    await (await f.post(`/${good}/send`, JSON.stringify([48, 1, {}, "wamp.session.count"]))).body
      ?.cancel();
    assert.deepEqual(await (await f.post(`/${good}/receive`)).json(), [50, 1, {}, [1]]);
  });
});

Deno.test("long-poll: a valid encoding that is not a WAMP message gets ABORT protocol_violation from the router", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  await withEndpoint(router, {}, async (f) => {
    const id = await f.open();
    const res = await f.post(`/${id}/send`, JSON.stringify([999, "garbage"]));
    assert.equal(res.status, 204);
    await res.body?.cancel();
    const abort = await (await f.post(`/${id}/receive`)).json();
    assert.deepEqual([abort[0], abort[2]], [3, "wamp.error.protocol_violation"]);
    assert.equal(router.connectionCount, 0);
  });
});

Deno.test("long-poll: an oversize /send body answers 413 and aborts the session (with and without Content-Length)", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, { maxMessageSize: 1000 }, async (f) => {
    const a = await f.open();
    const res = await f.post(`/${a}/send`, JSON.stringify(["x".repeat(2000)]));
    assert.equal(res.status, 413);
    assert.match(await res.text(), /request body of \d+ bytes exceeds the limit of 1000 bytes/);
    assert.match(acceptor.sessions[0].violations[0], /message too big/);
    assert.equal(acceptor.sessions[0].received.length, 0);

    const b = await f.open();
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
        c.close();
      },
    });
    const streamed = await f.post(`/${b}/send`, chunks);
    assert.equal(streamed.status, 413);
    assert.match(await streamed.text(), /more than 1000 bytes/);
    assert.equal(acceptor.sessions[1].violations.length, 1);
  });
});

Deno.test("long-poll: an empty /send body is a protocol violation", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open();
    const res = await f.post(`/${id}/send`, "");
    assert.equal(res.status, 400);
    assert.match(await res.text(), /empty request body/);
    assert.equal(acceptor.sessions[0].violations.length, 1);
  });
});

// ---------------------------------------------------------------------------
// Timeouts

Deno.test("long-poll: receive answers 204 after requestTimeout when nothing comes", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, { requestTimeout: 0.2 }, async (f) => {
    const id = await f.open();
    const started = performance.now();
    const res = await f.post(`/${id}/receive`);
    const took = performance.now() - started;
    assert.equal(res.status, 204);
    await res.body?.cancel();
    assert.ok(took >= 150 && took < 3000, `took ${took} ms`);
    assert.equal(acceptor.sessions[0].closedCount, 0);
  });
});

Deno.test("long-poll: a transport nobody polls is closed after sessionTimeout and the router is told", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  await withEndpoint(router, { sessionTimeout: 0.3 }, async (f) => {
    const idle = await f.open();
    const busy = await f.open();
    await (await f.post(`/${idle}/send`, JSON.stringify(hello))).body?.cancel();
    assert.equal(router.connectionCount, 2);
    // `busy` keeps a receive pending all along: it stays.
    const pending = f.post(`/${busy}/receive`);
    const deadline = Date.now() + 5000;
    while (router.realm("realm1")!.sessions.size > 0 || router.connectionCount > 1) {
      assert.ok(Date.now() < deadline, "the idle transport was not closed");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(f.handler.endpoint.size, 1);
    const res = await f.post(`/${idle}/receive`);
    assert.equal(res.status, 410);
    assert.match(await res.text(), /session timeout/);
    await (await f.post(`/${busy}/close`)).body?.cancel();
    assert.equal((await pending).status, 204);
  });
});

// ---------------------------------------------------------------------------
// Queue, ordering, polls

Deno.test("long-poll: the outbound queue bound (messages) calls overflow() once; what was queued is still delivered", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, { queueLimitMessages: 3 }, async (f) => {
    const id = await f.open();
    const s = acceptor.sessions[0];
    for (let i = 1; i <= 10; i++) s.peer.send([36, 1, i, {}]);
    await Promise.resolve(); // the router hears it on a microtask
    assert.equal(s.overflows.length, 1);
    const got = [];
    while (true) {
      const res = await f.post(`/${id}/receive`);
      if (res.status !== 200) {
        assert.equal(res.status, 410);
        await res.body?.cancel();
        break;
      }
      got.push(await res.json());
    }
    assert.deepEqual(got.map((m) => m[2]), [1, 2, 3]);
    assert.equal(s.closedCount, 1);
  });
});

Deno.test("long-poll: the outbound queue bound (bytes) calls overflow() with the bytes; one big message always fits", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, { queueLimitBytes: 1000, queueLimitMessages: 0 }, async (f) => {
    await f.open();
    const s = acceptor.sessions[0];
    s.peer.send([36, 1, 1, {}, ["x".repeat(5000)]]); // alone in an empty queue: fits
    await Promise.resolve();
    assert.equal(s.overflows.length, 0);
    s.peer.send([36, 1, 2, {}, ["y"]]);
    await Promise.resolve(); // the router hears it on a microtask
    assert.equal(s.overflows.length, 1);
    assert.ok(s.overflows[0] > 5000);
  });
});

Deno.test("long-poll: a too-big RESULT is replaced by ERROR payload_size_exceeded", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, { maxMessageSize: 1000 }, async (f) => {
    const id = await f.open();
    acceptor.sessions[0].peer.send([50, 7, {}, ["x".repeat(2000)]]);
    const err = await (await f.post(`/${id}/receive`)).json();
    assert.deepEqual(err.slice(0, 5), [8, 48, 7, {}, "wamp.error.payload_size_exceeded"]);
  });
});

Deno.test("long-poll: sends reach the router in the order they arrived, even when bodies finish in another order", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open();
    // The first body trickles in slowly; the second is sent whole after it started.
    let push!: (s: string) => void;
    let end!: () => void;
    const slow = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s));
        end = () => c.close();
      },
    });
    push("[16, 1, {}, ");
    const first = f.post(`/${id}/send`, slow);
    await new Promise((r) => setTimeout(r, 100));
    const second = f.post(`/${id}/send`, JSON.stringify([16, 2, {}, "b"]));
    await new Promise((r) => setTimeout(r, 100));
    push(`"a"]`);
    end();
    assert.equal((await first).status, 204);
    assert.equal((await second).status, 204);
    assert.deepEqual(acceptor.sessions[0].received, [[16, 1, {}, "a"], [16, 2, {}, "b"]]);
  });
});

Deno.test("long-poll: a second receive answers the pending one empty and gets the next message", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open();
    const first = f.post(`/${id}/receive`);
    await new Promise((r) => setTimeout(r, 50));
    const second = f.post(`/${id}/receive`);
    const r1 = await first;
    assert.equal(r1.status, 204);
    await r1.body?.cancel();
    acceptor.sessions[0].peer.send([36, 1, 1, {}]);
    assert.deepEqual(await (await second).json(), [36, 1, 1, {}]);
  });
});

Deno.test("long-poll: a receive the client gave up on does not lose messages", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open();
    const abort = new AbortController();
    const gone = f.post(`/${id}/receive`, undefined, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await assert.rejects(gone);
    await new Promise((r) => setTimeout(r, 50));
    acceptor.sessions[0].peer.send([36, 1, 1, {}]);
    assert.deepEqual(await (await f.post(`/${id}/receive`)).json(), [36, 1, 1, {}]);
  });
});

Deno.test("long-poll: unbatched receive carries one message; batched JSON carries all, each followed by 0x1e", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const plain = await f.open("wamp.2.json");
    const batched = await f.open("wamp.2.json.batched");
    for (const s of acceptor.sessions) {
      s.peer.send([36, 1, 1, {}]);
      s.peer.send([36, 1, 2, {}]);
    }
    assert.deepEqual(await (await f.post(`/${plain}/receive`)).json(), [36, 1, 1, {}]);
    assert.deepEqual(await (await f.post(`/${plain}/receive`)).json(), [36, 1, 2, {}]);
    assert.equal(
      await (await f.post(`/${batched}/receive`)).text(),
      "[36,1,1,{}]\x1e[36,1,2,{}]\x1e",
    );

    const sent = await f.post(`/${batched}/send`, '[16,1,{},"a"]\x1e[16,2,{},"b"]\x1e');
    assert.equal(sent.status, 204);
    await sent.body?.cancel();
    assert.deepEqual(acceptor.sessions[1].received, [[16, 1, {}, "a"], [16, 2, {}, "b"]]);

    const empty = await f.post(`/${batched}/send`, "\x1e");
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /zero messages/);
  });
});

Deno.test("long-poll: batched msgpack frames every message with a 32-bit length", async () => {
  const acceptor = new FakeAcceptor();
  await withEndpoint(acceptor, {}, async (f) => {
    const id = await f.open("wamp.2.msgpack.batched");
    const s = acceptor.sessions[0];
    s.peer.send([36, 1, 1, {}, [new Uint8Array([1, 2, 3])]]);
    s.peer.send([36, 1, 2, {}]);
    const res = await f.post(`/${id}/receive`);
    assert.equal(res.headers.get("content-type"), "application/x-msgpack");
    const body = new Uint8Array(await res.arrayBuffer());
    const view = new DataView(body.buffer);
    const n1 = view.getUint32(0);
    assert.deepEqual(decodeMsgpack(body.subarray(4, 4 + n1)), [36, 1, 1, {}, [
      new Uint8Array([1, 2, 3]),
    ]]);
    const n2 = view.getUint32(4 + n1);
    assert.deepEqual(decodeMsgpack(body.subarray(8 + n1, 8 + n1 + n2)), [36, 1, 2, {}]);

    const m = encodeMsgpack([16, 1, {}, "a"]);
    const batch = new Uint8Array(4 + m.byteLength);
    new DataView(batch.buffer).setUint32(0, m.byteLength);
    batch.set(m, 4);
    const sent = await f.post(`/${id}/send`, batch);
    assert.equal(sent.status, 204);
    await sent.body?.cancel();
    assert.deepEqual(s.received, [[16, 1, {}, "a"]]);

    const truncated = await f.post(`/${id}/send`, batch.subarray(0, batch.byteLength - 1));
    assert.equal(truncated.status, 400);
    assert.match(await truncated.text(), /runs past the end of the msgpack batch/);
  });
});

Deno.test("LongPollEndpoint.closeAll() answers pending receives 410, tells the router, refuses new transports", async () => {
  const acceptor = new FakeAcceptor();
  const logger = new MemoryLogger();
  await withEndpoint(acceptor, { logger }, async (f) => {
    const id = await f.open();
    const pending = f.post(`/${id}/receive`);
    await new Promise((r) => setTimeout(r, 50));
    f.handler.endpoint.closeAll();
    const res = await pending;
    assert.equal(res.status, 410);
    assert.match(await res.text(), /server shutdown/);
    assert.equal(acceptor.sessions[0].closedCount, 1);
    const again = await f.post("/open", JSON.stringify({ protocols: ["wamp.2.json"] }));
    assert.equal(again.status, 503);
    await again.body?.cancel();
  });
});

Deno.test("LongPollEndpoint: maxTransports bounds open transports (503)", async () => {
  await withEndpoint(new FakeAcceptor(), { maxTransports: 1 }, async (f) => {
    await f.open();
    const res = await f.post("/open", JSON.stringify({ protocols: ["wamp.2.json"] }));
    assert.equal(res.status, 503);
    assert.match(await res.text(), /too many long-poll transports open \(limit 1\)/);
  });
});

Deno.test("createLongPollHandler() rejects invalid options with what and the value", () => {
  const a = new FakeAcceptor();
  assert.throws(
    () => createLongPollHandler(a, { requestTimeout: -1 }),
    /requestTimeout: .* got -1/,
  );
  assert.throws(
    () => createLongPollHandler(a, { queueLimitBytes: 1.5 }),
    /queueLimitBytes: .* got 1.5/,
  );
  assert.throws(() => createLongPollHandler(a, { maxMessageSize: 0 }), /maxMessageSize: .* got 0/);
  assert.throws(
    () => createLongPollHandler(a, { serializers: [] }),
    /serializers: must name at least one/,
  );
  assert.throws(() => createLongPollHandler(a, { debugTransportId: "a/b" }), /debugTransportId/);
});

Deno.test("newTransportId() gives 22 url-safe characters, different every time", () => {
  const ids = new Set(Array.from({ length: 1000 }, newTransportId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
});
