// AutobahnJS (npm `autobahn`, under Node) client for the Crossbar-format fixtures
// (tests/fixtures/crossbar): what a Crossbar user's browser/Node client does against them.
// Usage: node fixture_client.mjs <ws-url> <realm> <scenario>
// Prints one JSON line {"ok": true, "result": {...}} on stdout (tests/crossbar_fixtures_test.ts).
import autobahn from "autobahn";

const [url, realm, scenario] = process.argv.slice(2);

function open(extra = {}) {
  return new Promise((resolve, reject) => {
    const conn = new autobahn.Connection({ url, realm, max_retries: 0, ...extra });
    conn.onopen = (session, details) => {
      session._conn = conn;
      session._welcome = details;
      resolve(session);
    };
    conn.onclose = (reason, details) => {
      reject(new Error(`connection closed: ${reason} ${JSON.stringify(details)}`));
      return true;
    };
    conn.open();
  });
}

/** Closes the connection; resolves with AutobahnJS's close reason ("closed" or "lost"). */
function close(session) {
  return new Promise((resolve) => {
    session._conn.onclose = (reason) => {
      resolve(reason);
      return true;
    };
    session._conn.close();
  });
}

const scenarios = {
  /** Crossbar's hello world: events from the Python backend, a call, a publish. */
  async hello() {
    const s = await open();
    const counter = await new Promise((resolve) => {
      s.subscribe("com.example.oncounter", (args) => resolve(args[0]));
    });
    const sum = await s.call("com.example.add2", [2, 3]);
    await s.publish("com.example.onhello", ["Hello from JavaScript"], {}, { acknowledge: true });
    let who;
    for (let i = 0; i < 50; i++) {
      who = await s.call("com.example.whoami");
      if (who.received.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { counterIsNumber: typeof counter === "number", sum, who, closed: await close(s) };
  },

  /** WebSocket on a universal transport, calling a backend that came over RawSocket on the same port. */
  async universal() {
    const s = await open();
    const sum = await s.call("com.example.add2", [40, 2]);
    const ownPeer = await s.call("wamp.session.get", [s.id]);
    return { sum, me: s.id, peer: ownPeer.transport.peer, closed: await close(s) };
  },

  /** WAMP-CRA against a dynamic authenticator (a Python router component). */
  async wampcra() {
    const login = (authid, secret) =>
      open({
        authmethods: ["wampcra"],
        authid,
        onchallenge: (session, method, extra) => {
          const key = extra.salt
            ? autobahn.auth_cra.derive_key(secret, extra.salt, extra.iterations, extra.keylen)
            : secret;
          return autobahn.auth_cra.sign(key, extra.challenge);
        },
      });
    const joe = await login("joe", "secret2");
    const sum = await joe.call("com.example.add2", [20, 3]);
    const welcome = { authid: joe._welcome.authid, authrole: joe._welcome.authrole };
    const closed = await close(joe);
    const peter = await login("peter", "secret1");
    const salted = { authid: peter._welcome.authid, authrole: peter._welcome.authrole };
    await close(peter);
    const failures = [];
    for (const [authid, secret] of [["joe", "wrong"], ["nobody", "x"]]) {
      try {
        const s = await login(authid, secret);
        failures.push({ authid, unexpected: s._welcome });
      } catch (e) {
        failures.push({ authid, error: String(e.message) });
      }
    }
    return { welcome, sum, salted, failures, closed };
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
