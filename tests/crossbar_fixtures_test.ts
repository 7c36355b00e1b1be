/**
 * End-to-end: Crossbar users' nodes, unmodified. Each fixture in
 * tests/fixtures/crossbar is a hand-written application directory in
 * Crossbar's format (a `.crossbar/config.json` plus the Python components it
 * names, written for Crossbar, in the shape of crossbario/crossbar-examples);
 * the test copies it, changes only its port 8080 to a free one, starts it with
 * `xbar start --cbdir <app>/.crossbar` and drives it with the clients
 * Crossbar users have: AutobahnJS under Node, Autobahn|Python, plain HTTP and
 * curl.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEBIAN_PYTHON, runAutobahnPython, type ScriptResult } from "./_harness.ts";
import { freePort, type RunningNode, startNode } from "./_node_kit.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/crossbar/", import.meta.url));
const NODE_DIR = fileURLToPath(new URL("./node/", import.meta.url));

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(join(from, e.name), join(to, e.name));
    else if (e.isFile) await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

interface Fixture {
  /** The running node. */
  node: RunningNode;
  /** The port that replaced 8080. */
  port: number;
  /** The copied application directory. */
  app: string;
}

/** Copies fixture `name`, gives it a free port, runs `fn` against the started node, cleans up. */
async function withFixture(name: string, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbf-" });
  try {
    const app = join(tmp, name);
    await copyTree(join(FIXTURES, name), app);
    const port = freePort();
    const cfg = join(app, ".crossbar", "config.json");
    await Deno.writeTextFile(cfg, (await Deno.readTextFile(cfg)).replaceAll("8080", String(port)));
    // Python components start a Python (Twisted, Autobahn) each: slow on a loaded machine
    const node = await startNode(join(app, ".crossbar"), [], { cwd: app, readyTimeoutMs: 90_000 });
    try {
      await fn({ node, port, app });
    } finally {
      await node.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

async function runNodeClient(url: string, scenario: string): Promise<ScriptResult> {
  const out = await new Deno.Command("node", {
    args: ["fixture_client.mjs", url, "realm1", scenario],
    cwd: NODE_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(text) as ScriptResult;
  } catch {
    return { ok: false, error: `${text} ${new TextDecoder().decode(out.stderr)}` };
  }
}

Deno.test("Crossbar hello world: a Python class component in a container, an AutobahnJS client, static web", async () => {
  await withFixture("hello_python", async ({ node, port }) => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Hello WAMP/);
    const r = await runNodeClient(`ws://127.0.0.1:${port}/ws`, "hello");
    assert.ok(r.ok, `${r.error}\n${node.log()}`);
    assert.equal(r.result.counterIsNumber, true);
    assert.equal(r.result.sum, 5);
    assert.equal(r.result.who.authrole, "anonymous");
    assert.equal(r.result.who.realm, "realm1");
    assert.equal(r.result.who.greeting, "hello from the container");
    assert.equal(r.result.who.cbdir_set, true);
    assert.deepEqual(r.result.who.received, ["Hello from JavaScript"]);
    assert.equal(r.result.closed, "closed");
    // the component's own log lines reach the node log, tagged with the component
    await node.waitFor(
      /event for 'onhello' received: Hello from JavaScript component=component001/,
    );
  });
});

Deno.test("Crossbar PubSub and RPC: Python class and function components beside the router, an Autobahn|Python client", async () => {
  await withFixture("pubsub_rpc", async ({ node, port }) => {
    const r = await runAutobahnPython("fixture_client.py", [
      `ws://127.0.0.1:${port}/ws`,
      "realm1",
      "pubsub_rpc",
    ]);
    assert.ok(r.ok, `${r.error}\n${node.log()}`);
    const x = r.result;
    assert.equal(x.authrole, "anonymous");
    assert.equal(x.add, 5);
    assert.deepEqual(x.div_error, {
      error: "com.example.error.div_by_zero",
      args: ["cannot divide by zero"],
      kwargs: { dividend: 1 },
    });
    // disclose.caller is set for role anonymous; the backend runs with its configured role
    assert.deepEqual(x.whoami, {
      caller: x.session,
      caller_authrole: "anonymous",
      my_role: "backend",
    });
    assert.equal(x.fn, "pong from a function component");
    assert.equal(x.pong, "hi");
    assert.deepEqual(x.heard, [["hi", x.session]]);
    assert.equal(x.register_error, "wamp.error.not_authorized");
  });
});

Deno.test("Crossbar WAMP-CRA dynamic: a Python authenticator beside the router (authenticator-realm/-role), a backend in a container over a Unix socket, AutobahnJS logging in", async () => {
  await withFixture("wampcra_dynamic", async ({ node, port }) => {
    const r = await runNodeClient(`ws://127.0.0.1:${port}/ws`, "wampcra");
    assert.ok(r.ok, `${r.error}\n${node.log()}`);
    assert.deepEqual(r.result.welcome, { authid: "joe", authrole: "frontend" });
    assert.deepEqual(r.result.sum, { sum: 23, caller_authid: "joe", caller_authrole: "frontend" });
    assert.deepEqual(r.result.salted, { authid: "peter", authrole: "frontend" });
    assert.equal(r.result.closed, "closed");
    assert.equal(r.result.failures.length, 2);
    for (const f of r.result.failures) {
      assert.match(f.error, /wamp\.error\.authentication_failed|com\.example\.no_such_user/, f);
    }
    assert.match(r.result.failures[1].error, /com\.example\.no_such_user/);
  });
});

Deno.test("Crossbar universal transport: RawSocket (a Python container component), WebSocket (AutobahnJS) and static web on one port", async () => {
  await withFixture("universal", async ({ node, port }) => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.match(await page.text(), /universal/);
    const info = await fetch(`http://127.0.0.1:${port}/info`);
    assert.equal(info.status, 200);
    await info.body?.cancel();
    const r = await runNodeClient(`ws://127.0.0.1:${port}/ws`, "universal");
    assert.ok(r.ok, `${r.error}\n${node.log()}`);
    assert.deepEqual(r.result.sum, { sum: 42, caller: r.result.me });
    assert.match(r.result.peer, /^tcp4:127\.0\.0\.1:\d+$/);
    assert.equal(r.result.closed, "closed");
  });
});

async function curl(args: string[]): Promise<string> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "15", "-H", "Content-Type: application/json", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("Crossbar HTTP bridge (caller, publisher) and long-poll with session_timeout 0, driven by HTTP and curl", async () => {
  await withFixture("http_services", async ({ node, port }) => {
    const base = `http://127.0.0.1:${port}`;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const sum = await post("call", { procedure: "com.example.add2", args: [1, 2] });
    assert.deepEqual([sum.status, sum.body.args], [200, [3]]);
    const pub = await post("publish", {
      topic: "com.example.topic",
      args: ["x"],
      kwargs: { n: 1 },
    });
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    assert.equal(typeof pub.body.id, "number");
    const events = await post("call", { procedure: "com.example.events" });
    assert.deepEqual(events.body.args[0], [{ args: ["x"], kwargs: { n: 1 } }]);

    // long-poll, the way crossbar-examples' longpoll_curl does it
    const opened = JSON.parse(
      await curl(["-d", '{"protocols": ["wamp.2.json"]}', `${base}/lp/open`]),
    );
    assert.equal(opened.protocol, "wamp.2.json");
    const lp = `${base}/lp/${opened.transport}`;
    await curl(["-d", '[1, "realm1", {"roles": {"subscriber": {}, "caller": {}}}]', `${lp}/send`]);
    assert.equal(JSON.parse(await curl(["-d", "", `${lp}/receive`]))[0], 2);
    await curl(["-d", '[32, 1, {}, "com.myapp.topic1"]', `${lp}/send`]);
    assert.equal(JSON.parse(await curl(["-d", "", `${lp}/receive`]))[0], 33);
    await curl(["-d", '[48, 2, {}, "com.example.trigger", ["Hello, world!"]]', `${lp}/send`]);
    const seen: unknown[][] = [];
    while (seen.length < 2) {
      const batch = await curl(["-d", "", `${lp}/receive`]);
      if (batch.trim() === "") continue;
      seen.push(JSON.parse(batch));
    }
    const event = seen.find((m) => m[0] === 36)!;
    assert.deepEqual(event.slice(3), [{}, ["Hello, world!", 23, 666]]);
    assert.deepEqual(seen.find((m) => m[0] === 50)!.slice(3), [["published"]]);
    await curl(["-d", "", `${lp}/close`]);
    assert.ok(!node.log().includes("ERROR"), node.log());
  });
});

Deno.test("fixture Python components are plain Crossbar code: Autobahn|Python compiles them", async () => {
  for await (const e of Deno.readDir(FIXTURES)) {
    if (!e.isDirectory) continue;
    for await (const f of Deno.readDir(join(FIXTURES, e.name))) {
      if (!f.name.endsWith(".py")) continue;
      const out = await new Deno.Command(DEBIAN_PYTHON, {
        args: ["-m", "py_compile", join(FIXTURES, e.name, f.name)],
        env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONPYCACHEPREFIX: "/tmp/xbar-pycache" },
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    }
  }
});
