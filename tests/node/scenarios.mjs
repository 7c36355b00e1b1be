// AutobahnJS (npm `autobahn` 22.11.x, run by Node) scenarios against a running router.
// Usage: node scenarios.mjs <ws-url> <realm> <json|msgpack|cbor|all> <scenario> [websocket]
//        node scenarios.mjs <tcp://host:port | unix:/path> <realm> json <scenario> rawsocket
// The optional 5th argument is the transport: "websocket" (default) or "rawsocket" (AutobahnJS's
// Node RawSocket transport, over TCP or a Unix socket; it speaks JSON only, whatever the
// serializer argument says, see transportOptions()).
// Prints one JSON line of observations on stdout; exits 0 when the scenario ran to the end.
// The Deno tests (tests/interop_autobahn_js_test.ts, tests/interop_rawsocket_test.ts) assert the
// observations.
import autobahn from "autobahn";

const [url, realm, serializerName, scenario, transport = "websocket"] = process.argv.slice(2);

/**
 * The Connection options naming the transport. AutobahnJS 22.11's RawSocket
 * transport (lib/transport/rawsocket.js) takes `host`/`port` or a Unix `path`,
 * always announces serializer 1 (JSON) in its handshake and encodes with
 * JSON.stringify: the `serializers` option does not reach it.
 */
function transportOptions() {
  switch (transport) {
    case "websocket":
      return { url };
    case "rawsocket": {
      if (serializerName !== "json") {
        throw new Error(`AutobahnJS's RawSocket transport speaks JSON only, not ${serializerName}`);
      }
      if (url.startsWith("unix:")) {
        return { transports: [{ type: "rawsocket", path: url.slice("unix:".length) }] };
      }
      const m = /^tcp:\/\/(.+):(\d+)$/.exec(url);
      if (!m) throw new Error(`rawsocket address must be tcp://host:port or unix:/path, got ${url}`);
      return { transports: [{ type: "rawsocket", host: m[1], port: Number(m[2]) }] };
    }
    default:
      throw new Error(`unknown transport ${transport}`);
  }
}

function serializer() {
  switch (serializerName) {
    case "json":
      return new autobahn.serializer.JSONSerializer();
    case "msgpack":
      return new autobahn.serializer.MsgpackSerializer();
    case "cbor":
      return new autobahn.serializer.CBORSerializer();
    default:
      throw new Error(`unknown serializer ${serializerName}`);
  }
}

/** Opens a session; resolves with it. */
function open(extra = {}) {
  return new Promise((resolve, reject) => {
    const conn = new autobahn.Connection({
      ...transportOptions(),
      realm,
      // "all": AutobahnJS's default offer (several subprotocols, comma-joined by Node's ws)
      ...(serializerName === "all" ? {} : { serializers: [serializer()] }),
      max_retries: 0,
      ...extra,
    });
    conn.onopen = (session, details) => {
      session._conn = conn;
      session._welcome = details;
      resolve(session);
    };
    conn.onclose = (reason, details) => {
      reject(new Error(`connection closed: ${reason} ${JSON.stringify(details)}`));
      return true; // no reconnect
    };
    conn.open();
  });
}

function close(session) {
  return new Promise((resolve) => {
    session._conn.onclose = () => {
      resolve();
      return true;
    };
    session._conn.close();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the error of a promise that must reject. */
async function failure(p) {
  try {
    const v = await p;
    return { unexpected: v };
  } catch (e) {
    return { error: e.error, args: e.args, kwargs: e.kwargs };
  }
}

/** Waits until `pred()` is true (polling), at most `ms`. */
async function until(pred, ms = 2000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(5);
  }
}

const scenarios = {
  async rpc() {
    const callee = await open();
    const caller = await open();
    await callee.register("com.example.add", (args) => args[0] + args[1]);
    await callee.register(
      "com.example.kw",
      (args, kwargs) => new autobahn.Result([args.length], { got: kwargs }),
    );
    await callee.register("com.example.fail", () => {
      throw new autobahn.Error("com.example.error.bad", ["nope"], { code: 7 });
    });
    const sum = await caller.call("com.example.add", [2, 3]);
    const kw = await caller.call("com.example.kw", [1, 2, 3], { a: "b" });
    const err = await failure(caller.call("com.example.fail"));
    const missing = await failure(caller.call("com.example.missing"));
    const dup = await failure(caller.register("com.example.add", () => 0));
    const big = await caller.call("com.example.add", [2 ** 52, 1]);
    const unicode = await caller.call("com.example.add", ["grüß ", "🌍"]);
    await close(callee);
    await close(caller);
    return {
      sum,
      kw: { args: kw.args, kwargs: kw.kwargs },
      err,
      missing: missing.error,
      dup: dup.error,
      big,
      unicode,
      welcome: { authrole: callee._welcome.authrole, roles: Object.keys(callee._welcome.roles) },
    };
  },

  async progressive() {
    const callee = await open();
    const caller = await open();
    await callee.register("com.example.count", async (args, kwargs, details) => {
      for (let i = 0; i < args[0]; i++) {
        if (details.progress) details.progress([i]);
      }
      return "done";
    });
    const progress = [];
    const res = await caller.call("com.example.count", [3], {}, {
      receive_progress: true,
    }).then(null, null, (p) => progress.push(p.args ? p.args[0] : p));
    // autobahn-js reports progress via the deferred's notify; collect via a second path too
    const res2 = await new Promise((resolve, reject) => {
      const got = [];
      const d = caller.call("com.example.count", [2], {}, { receive_progress: true });
      d.then((r) => resolve({ r, got }), reject, (p) => got.push(p));
    });
    await close(callee);
    await close(caller);
    return { res, progress, res2: { r: res2.r, n: res2.got.length } };
  },

  async pubsub() {
    const pub = await open();
    const s1 = await open();
    const s2 = await open();
    const got1 = [];
    const got2 = [];
    const gotPub = [];
    await s1.subscribe(
      "com.example.topic",
      (args, kwargs, details) => got1.push({ args, kwargs, publisher: details.publisher }),
    );
    await s2.subscribe("com.example.topic", (args) => got2.push(args));
    await pub.subscribe("com.example.topic", (args) => gotPub.push(args));
    const ack = await pub.publish("com.example.topic", ["a"], { k: 1 }, { acknowledge: true });
    await pub.publish("com.example.topic", ["b"], {}, { acknowledge: true, exclude_me: false });
    await pub.publish("com.example.topic", ["c"], {}, { acknowledge: true, exclude: [s2.id] });
    await pub.publish("com.example.topic", ["d"], {}, { acknowledge: true, eligible: [s2.id] });
    await pub.publish("com.example.topic", ["e"], {}, { acknowledge: true, disclose_me: true });
    await until(() => got1.length >= 4 && got2.length >= 3 && gotPub.length >= 1);
    await sleep(50);
    const denied = await failure(
      pub.publish("wamp.session.on_join", [], {}, { acknowledge: true }),
    );
    const badUri = await failure(pub.publish("com..bad topic", [], {}, { acknowledge: true }));
    const pubId = pub.id;
    await close(pub);
    await close(s1);
    await close(s2);
    return {
      ackIsId: typeof ack.id === "number",
      got1: got1.map((e) => e.args[0]),
      got1kw: got1[0].kwargs,
      got2: got2.map((a) => a[0]),
      gotPub: gotPub.map((a) => a[0]),
      disclosed: got1.find((e) => e.args[0] === "e")?.publisher === pubId,
      notDisclosed: got1.find((e) => e.args[0] === "a")?.publisher === undefined,
      denied: denied.error,
      badUri: badUri.error,
    };
  },

  async patterns() {
    const a = await open();
    const b = await open();
    const events = [];
    await a.subscribe(
      "com.example.",
      (args, kw, d) => events.push({ m: "prefix", topic: d.topic }),
      { match: "prefix" },
    );
    await a.subscribe(
      "com..update",
      (args, kw, d) => events.push({ m: "wildcard", topic: d.topic }),
      { match: "wildcard" },
    );
    await a.subscribe(
      "com.example.x.update",
      (args, kw, d) => events.push({ m: "exact", topic: d.topic }),
    );
    await a.register("com.example.", (args, kw, d) => `prefix:${d.procedure}`, { match: "prefix" });
    await a.register("com.example.exact", (args, kw, d) => `exact:${d.procedure}`);
    await a.register("com..get", (args, kw, d) => `wildcard:${d.procedure}`, { match: "wildcard" });
    await b.publish("com.example.x.update", [], {}, { acknowledge: true });
    await b.publish("com.other.update", [], {}, { acknowledge: true });
    await until(() => events.length >= 3);
    await sleep(50);
    const calls = [
      await b.call("com.example.exact"),
      await b.call("com.example.foo.bar"),
      await b.call("com.thing.get"),
    ];
    await close(a);
    await close(b);
    return { events: events.sort((x, y) => (x.m + x.topic).localeCompare(y.m + y.topic)), calls };
  },

  async shared() {
    const c1 = await open();
    const c2 = await open();
    const caller = await open();
    await c1.register("com.example.rr", () => "c1", { invoke: "roundrobin" });
    await c2.register("com.example.rr", () => "c2", { invoke: "roundrobin" });
    const mismatch = await failure(
      caller.register("com.example.rr", () => "x", { invoke: "random" }),
    );
    await c1.register("com.example.first", () => "c1", { invoke: "first" });
    await c2.register("com.example.first", () => "c2", { invoke: "first" });
    await c1.register("com.example.last", () => "c1", { invoke: "last" });
    await c2.register("com.example.last", () => "c2", { invoke: "last" });
    const rr = [];
    for (let i = 0; i < 4; i++) rr.push(await caller.call("com.example.rr"));
    const first = await caller.call("com.example.first");
    const last = await caller.call("com.example.last");
    await close(c1);
    const afterLeave = await caller.call("com.example.rr");
    await close(c2);
    await close(caller);
    return { rr, first, last, mismatch: mismatch.error, afterLeave };
  },

  async disclosure() {
    const callee = await open();
    const caller = await open();
    await callee.register(
      "com.example.who",
      (args, kw, d) => ({ caller: d.caller ?? null, authrole: d.caller_authrole ?? null }),
    );
    const hidden = await caller.call("com.example.who");
    const shown = await caller.call("com.example.who", [], {}, { disclose_me: true });
    const callerId = caller.id;
    await close(callee);
    await close(caller);
    return { hidden, shown: shown.caller === callerId, role: shown.authrole };
  },

  async timeoutCancel() {
    const callee = await open();
    const caller = await open();
    await callee.register(
      "com.example.slow",
      () => new Promise((r) => setTimeout(() => r("late"), 1500)),
    );
    const t0 = Date.now();
    const timedOut = await failure(caller.call("com.example.slow", [], {}, { timeout: 200 }));
    const elapsed = Date.now() - t0;
    const p = caller.call("com.example.slow");
    await sleep(50);
    // AutobahnJS 22.11 forgets a call canceled in skip/killnowait mode and then treats the
    // dealer's ERROR wamp.error.canceled (which the spec requires) as a protocol violation,
    // failing its own transport. With mode "kill" it waits for that ERROR. Its callee does not
    // announce call_canceling, so the dealer applies skip semantics: ERROR at once.
    p.cancel({ mode: "kill" });
    const canceled = await failure(p);
    // the router still works after both
    await callee.register("com.example.fast", () => "ok");
    const fast = await caller.call("com.example.fast");
    await close(callee);
    await close(caller);
    return { timedOut: timedOut.error, elapsed, canceled: canceled.error ?? "rejected", fast };
  },

  async calleeLeaves() {
    const callee = await open();
    const caller = await open();
    await callee.register("com.example.hang", () => new Promise(() => {}));
    const p = failure(caller.call("com.example.hang"));
    await sleep(100);
    await close(callee);
    const r = await p;
    await close(caller);
    return { error: r.error };
  },

  async meta() {
    const watcher = await open();
    const watcherId = watcher.id;
    const joins = [];
    const leaves = [];
    await watcher.subscribe("wamp.session.on_join", (args) => joins.push(args[0].session));
    await watcher.subscribe("wamp.session.on_leave", (args) => leaves.push(args[0]));
    const other = await open();
    const otherId = other.id;
    await until(() => joins.includes(otherId));
    const count = await watcher.call("wamp.session.count");
    const list = await watcher.call("wamp.session.list");
    const info = await watcher.call("wamp.session.get", [other.id]);
    await other.register("com.example.m", () => 1);
    const regId = await watcher.call("wamp.registration.lookup", ["com.example.m"]);
    const callees = await watcher.call("wamp.registration.list_callees", [regId]);
    const noSession = await failure(watcher.call("wamp.session.get", [1]));
    const killed = await watcher.call("wamp.session.kill", [otherId], {
      reason: "com.example.kicked",
      message: "bye",
    });
    await until(() => leaves.includes(otherId));
    const countAfter = await watcher.call("wamp.session.count");
    await close(watcher);
    return {
      count,
      listHas: list.includes(otherId) && list.includes(watcherId),
      infoSession: info.session === otherId,
      infoAuthrole: info.authrole,
      callees: callees[0] === otherId,
      noSession: noSession.error,
      killed,
      countAfter,
    };
  },

  /** How AutobahnJS reports the end of a connection: after close(), after leave(), when killed. */
  async closing() {
    const ended = (session) =>
      new Promise((resolve) => {
        session._conn.onclose = (reason, details) => {
          resolve({ reason, goodbye: details.reason, will_retry: details.will_retry });
          return true;
        };
      });
    const a = await open();
    const aEnded = ended(a);
    a._conn.close();
    const b = await open();
    const bEnded = ended(b);
    b.leave();
    const admin = await open();
    const c = await open();
    const cEnded = ended(c);
    await admin.call("wamp.session.kill", [c.id]);
    const result = { close: await aEnded, leave: await bEnded, killed: await cEnded };
    await close(admin);
    return result;
  },

  async retained() {
    const pub = await open();
    await pub.publish("com.example.state", ["v1"], {}, { acknowledge: true, retain: true });
    await pub.publish("com.example.state", ["v2"], {}, { acknowledge: true, retain: true });
    const sub = await open();
    const got = [];
    await sub.subscribe(
      "com.example.state",
      (args, kw, d) => got.push({ v: args[0], retained: d.retained === true }),
      { get_retained: true },
    );
    await until(() => got.length >= 1);
    await close(pub);
    await close(sub);
    return { got };
  },
};

try {
  const fn = scenarios[scenario];
  if (!fn) throw new Error(`unknown scenario ${scenario}`);
  const result = await fn();
  process.stdout.write(JSON.stringify({ ok: true, result }) + "\n");
  process.exit(0);
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.stack || e) }) + "\n");
  process.exit(1);
}
