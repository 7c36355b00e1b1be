// An AutobahnJS (npm `autobahn`, run by Node) session driven line by line, for tests that place
// clients on chosen router workers and make them act in turns (tests/_agent.ts drives it).
// Usage: node agent.mjs <ws-url | tcp://host:port | unix:/path> <realm> <json|msgpack|cbor> <name>
// A ws:// URL uses the WebSocket transport; tcp:// and unix: AutobahnJS's Node RawSocket
// transport (JSON only).
// stdout: one JSON object per line: {"event": "joined", "session": id} once joined, then replies
// {"id", "ok": true, "result"} / {"id", "ok": false, "error": {error, args, kwargs}} to commands
// and unsolicited {"event": "event" | "invoked" | "left", ...}.
// stdin: one command per line: {"id", "op": "register" | "call" | "subscribe" | "publish" |
// "leave", ...} (see `ops` below). The process exits when stdin closes or the session is gone.
import autobahn from "autobahn";
import readline from "node:readline";

const [url, realm, serializerName, name] = process.argv.slice(2);

function say(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function transportOptions() {
  if (url.startsWith("ws://")) return { url };
  if (url.startsWith("unix:")) {
    return { transports: [{ type: "rawsocket", path: url.slice("unix:".length) }] };
  }
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(url);
  if (!m) throw new Error(`address must be ws://..., tcp://host:port or unix:/path, got ${url}`);
  return { transports: [{ type: "rawsocket", host: m[1], port: Number(m[2]) }] };
}

const serializers = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};

/** A call's outcome as plain data. */
function asResult(v) {
  if (v instanceof autobahn.Result) return { args: v.args ?? [], kwargs: v.kwargs ?? {} };
  return { args: v === undefined || v === null ? [] : [v], kwargs: {} };
}

function asError(e) {
  if (e instanceof autobahn.Error || (e && typeof e.error === "string")) {
    return { error: e.error, args: e.args ?? [], kwargs: e.kwargs ?? {} };
  }
  return { error: "agent.error", args: [String(e && e.stack ? e.stack : e)], kwargs: {} };
}

/** Procedure behaviours a test can register. */
const kinds = {
  add: (args, kwargs) => new autobahn.Result([args[0] + args[1]], { got: kwargs ?? {} }),
  fail: () => {
    throw new autobahn.Error("com.example.error.bad", ["nope"], { code: 7 });
  },
  name: () => name,
  hang: (_args, _kwargs, details, uri) => {
    say({ event: "invoked", uri, caller: details.caller });
    return new Promise(() => {});
  },
};

let session;

const ops = {
  async register(c) {
    const fn = kinds[c.kind];
    if (!fn) throw new Error(`unknown procedure kind ${c.kind}`);
    const reg = await session.register(
      c.uri,
      (args, kwargs, details) => fn(args, kwargs, details, c.uri),
      c.options ?? {},
    );
    return { registration: reg.id };
  },
  async call(c) {
    return asResult(await session.call(c.uri, c.args ?? [], c.kwargs ?? {}, c.options ?? {}));
  },
  async subscribe(c) {
    const sub = await session.subscribe(c.topic, (args, kwargs, details) => {
      say({
        event: "event",
        topic: details.topic ?? c.topic,
        args,
        kwargs: kwargs ?? {},
        publisher: details.publisher,
      });
    }, c.options ?? {});
    return { subscription: sub.id };
  },
  async publish(c) {
    const p = await session.publish(c.topic, c.args ?? [], c.kwargs ?? {}, c.options ?? {});
    return p ? { publication: p.id } : {};
  },
  leave() {
    session.leave();
    return {};
  },
};

const conn = new autobahn.Connection({
  ...transportOptions(),
  realm,
  serializers: [serializers[serializerName]()],
  max_retries: 0,
});
conn.onopen = (s) => {
  session = s;
  say({ event: "joined", session: s.id });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    const c = JSON.parse(line);
    Promise.resolve().then(() => ops[c.op](c)).then(
      (result) => say({ id: c.id, ok: true, result }),
      (e) => say({ id: c.id, ok: false, error: asError(e) }),
    );
  });
  rl.on("close", () => process.exit(0));
};
conn.onclose = (reason, details) => {
  say({ event: "left", reason, details: { reason: details?.reason, message: details?.message } });
  setTimeout(() => process.exit(0), 10);
  return true; // no reconnect
};
conn.open();
