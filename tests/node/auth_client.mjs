// AutobahnJS (npm `autobahn` 22.11.x under Node) authenticating to a router and
// trying actions, for xbar's authentication/authorization end-to-end tests.
// Usage: node auth_client.mjs '<spec json>'
//   spec: {url, realm, serializer?: "json"|"msgpack"|"cbor",
//          auth: {method: "anonymous"} | {method: "ticket", authid, ticket}
//              | {method: "wampcra", authid, secret}   (secret: the key, or the password when salted)
//              | {method: "cryptosign", authid?, seed} (seed: 32 bytes hex),
//          actions: [{action: "call"|"register"|"publish"|"subscribe", uri}]}
// Prints one JSON line:
//   {"ok": true, "result": {"welcome": {authid, authrole, authmethod, authprovider},
//                           "outcomes": ["ok" | <error uri>, ...], "values": [...]}}
//   {"ok": true, "result": {"abort": <reason uri>, "message": <text>}}
//   {"ok": false, "error": <text>}
import autobahn from "autobahn";

const spec = JSON.parse(process.argv[2]);

function serializer(name) {
  switch (name ?? "json") {
    case "json":
      return new autobahn.serializer.JSONSerializer();
    case "msgpack":
      return new autobahn.serializer.MsgpackSerializer();
    case "cbor":
      return new autobahn.serializer.CBORSerializer();
    default:
      throw new Error(`unknown serializer ${name}`);
  }
}

function authOptions(auth) {
  switch (auth.method) {
    case "anonymous":
      return {};
    case "ticket":
      return {
        authmethods: ["ticket"],
        authid: auth.authid,
        onchallenge: (_session, method) => {
          if (method !== "ticket") throw new Error(`unexpected challenge ${method}`);
          return auth.ticket;
        },
      };
    case "wampcra":
      return {
        authmethods: ["wampcra"],
        authid: auth.authid,
        onchallenge: (_session, method, extra) => {
          if (method !== "wampcra") throw new Error(`unexpected challenge ${method}`);
          const key = extra.salt
            ? autobahn.auth_cra.derive_key(auth.secret, extra.salt, extra.iterations, extra.keylen)
            : auth.secret;
          return autobahn.auth_cra.sign(key, extra.challenge);
        },
      };
    case "cryptosign": {
      const key = autobahn.nacl.sign.keyPair.fromSeed(autobahn.util.htob(auth.seed));
      const options = {
        authmethods: ["cryptosign"],
        authextra: { pubkey: autobahn.util.btoh(key.publicKey) },
        onchallenge: (_session, method, extra) => {
          if (method !== "cryptosign") throw new Error(`unexpected challenge ${method}`);
          return autobahn.auth_cryptosign.sign_challenge(key, extra);
        },
      };
      if (auth.authid) options.authid = auth.authid;
      return options;
    }
    default:
      throw new Error(`unknown auth method ${auth.method}`);
  }
}

/** Resolves with {session, details} on join, or {abort, message} when the router refuses. */
function open() {
  return new Promise((resolve, reject) => {
    const conn = new autobahn.Connection({
      url: spec.url,
      realm: spec.realm,
      serializers: [serializer(spec.serializer)],
      max_retries: 0,
      ...authOptions(spec.auth),
    });
    let joined = false;
    conn.onopen = (session, details) => {
      joined = true;
      resolve({ conn, session, details });
    };
    conn.onclose = (reason, details) => {
      if (!joined) {
        if (details && details.reason) resolve({ abort: details.reason, message: details.message });
        else reject(new Error(`connection closed: ${reason} ${JSON.stringify(details)}`));
      }
      return true; // no reconnect
    };
    conn.open();
  });
}

async function attempt(session, { action, uri }) {
  try {
    switch (action) {
      case "call": {
        const r = await session.call(uri, []);
        return { outcome: "ok", value: r === undefined ? null : r };
      }
      case "register": {
        const reg = await session.register(uri, () => null);
        await session.unregister(reg);
        return { outcome: "ok" };
      }
      case "publish":
        await session.publish(uri, [], {}, { acknowledge: true });
        return { outcome: "ok" };
      case "subscribe": {
        const sub = await session.subscribe(uri, () => {});
        await session.unsubscribe(sub);
        return { outcome: "ok" };
      }
      default:
        throw new Error(`unknown action ${action}`);
    }
  } catch (e) {
    if (e && typeof e.error === "string") return { outcome: e.error };
    throw e;
  }
}

async function main() {
  const opened = await open();
  if (opened.abort) return { abort: opened.abort, message: opened.message ?? null };
  const { conn, session, details } = opened;
  const outcomes = [];
  const values = [];
  for (const a of spec.actions ?? []) {
    const r = await attempt(session, a);
    outcomes.push(r.outcome);
    values.push(r.value ?? null);
  }
  await new Promise((resolve) => {
    conn.onclose = () => {
      resolve();
      return true;
    };
    conn.close();
  });
  return {
    welcome: {
      authid: details.authid,
      authrole: details.authrole,
      authmethod: details.authmethod,
      authprovider: details.authprovider,
      authextra: details.authextra ?? null,
    },
    outcomes,
    values,
  };
}

const timer = setTimeout(() => {
  console.log(JSON.stringify({ ok: false, error: "timed out" }));
  process.exit(2);
}, 15000);

main().then(
  (result) => {
    clearTimeout(timer);
    console.log(JSON.stringify({ ok: true, result }));
    process.exit(0);
  },
  (e) => {
    clearTimeout(timer);
    console.log(JSON.stringify({ ok: false, error: String(e && e.stack ? e.stack : e) }));
    process.exit(1);
  },
);
