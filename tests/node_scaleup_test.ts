/**
 * Scale-up with real processes (issue 8): one node, three router workers
 * serving realm1 on one shared WebSocket port (SO_REUSEPORT), each also on its
 * own RawSocket TCP port so the test can place AutobahnJS (Node) and
 * Autobahn|Python clients on chosen workers. The workers are linked by the
 * controller over Unix sockets in the node directory; together they must
 * behave as one router: calls with args/kwargs and callee errors, pub/sub
 * (each event once), roundrobin over callees on two workers, the session
 * count over all sessions. A worker that falls silent mid-call (SIGSTOP)
 * is cut off by the heartbeats and the call ends in ERROR; a worker killed
 * with SIGKILL mid-call ends the call in ERROR at once (its sockets close),
 * the supervisor restarts it, and it rejoins the mesh by itself.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connectManagement } from "../src/node/management_client.ts";
import type { Session } from "../src/client/session.ts";
import {
  freePort,
  openRealm,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
  xbar,
} from "./_node_kit.ts";
import { Agent, AgentCallError } from "./_agent.ts";

const WORKERS = ["router1", "router2", "router3"];
/** Heartbeat of links between the workers of a node (src/worker/router_links.ts), ms. */
const HEARTBEAT_MS = 1000;

function router(id: string, wsPort: number, rsPort: number) {
  return {
    type: "router",
    id,
    options: { restart: { policy: "on-failure", initial_delay: 100 } },
    realms: [openRealm("realm1", { disclose: true })],
    transports: [
      {
        type: "websocket",
        id: "ws_shared",
        endpoint: { type: "tcp", interface: "127.0.0.1", port: wsPort, shared: true },
      },
      {
        type: "rawsocket",
        id: "rs_own",
        endpoint: { type: "tcp", interface: "127.0.0.1", port: rsPort },
        serializers: ["json", "msgpack", "cbor"],
      },
    ],
  };
}

/** Distinct free ports (port 0 cannot be shared across processes). */
function ports(n: number): number[] {
  const out = new Set<number>();
  while (out.size < n) out.add(freePort());
  return [...out];
}

type Dict = Record<string, unknown>;

/** Waits until every router worker has a synced link to each of the others. */
async function meshUp(m: Session, timeoutMs = 20000): Promise<void> {
  await waitUntil(
    async () => {
      for (const id of WORKERS) {
        const links = (await m.call(`xbar.worker.${id}.get_links`)).args[0] as Dict[];
        const up = links.filter((l) => l.state === "up" && l.synced === true);
        if (up.length !== WORKERS.length - 1) return false;
      }
      return true;
    },
    "the three router workers linked",
    timeoutMs,
  );
}

/** The meta procedures that count a registration's callees or a subscription's subscribers. */
const COUNTED = {
  registration: { count: "wamp.registration.count_callees", what: "callee(s)" },
  subscription: { count: "wamp.subscription.count_subscribers", what: "subscriber(s)" },
} as const;

/** Waits until `agent`'s worker knows `n` callees or subscribers of `uri` (local or behind links). */
async function seen(
  agent: Agent,
  kind: keyof typeof COUNTED,
  uri: string,
  n: number,
): Promise<void> {
  await waitUntil(
    async () => {
      const id = (await agent.call(`wamp.${kind}.lookup`, [uri])).args[0];
      if (typeof id !== "number") return false;
      return (await agent.call(COUNTED[kind].count, [id])).args[0] === n;
    },
    `${n} ${COUNTED[kind].what} of ${uri} seen by ${agent.name}`,
    10000,
  );
}

/** Waits until `agent`'s worker knows `n` callees of `uri` (local or behind links). */
function callees(agent: Agent, uri: string, n: number): Promise<void> {
  return seen(agent, "registration", uri, n);
}

/** Waits until `agent`'s worker knows `n` subscribers of `topic`. */
function subscribers(agent: Agent, topic: string, n: number): Promise<void> {
  return seen(agent, "subscription", topic, n);
}

/**
 * `callee` registers `procedure` and never answers; `caller` calls it.
 * Resolves once the callee was invoked, with the call still pending:
 * `pending` gives its error (undefined if it succeeds).
 */
async function hangingCall(
  callee: Agent,
  caller: Agent,
  procedure: string,
): Promise<{ pending: Promise<unknown> }> {
  await callee.register(procedure, "hang");
  await callees(caller, procedure, 1);
  const pending = caller.call(procedure).then(
    () => undefined,
    (e: unknown) => e,
  );
  await callee.waitEvent((e) => e.event === "invoked");
  return { pending };
}

Deno.test("scale-up: three linked router workers on one shared port act as one router for AutobahnJS and Autobahn|Python clients", async (t) => {
  const dir = await tempNodeDir();
  const [wsPort, ...rs] = ports(4);
  await writeConfig(dir, {
    version: 2,
    workers: WORKERS.map((id, i) => router(id, wsPort, rs[i])),
  });
  const node = await startNode(dir);
  const m = await connectManagement(join(dir, "node.sock"));
  const agents: Agent[] = [];
  const at = async (kind: "js" | "py", worker: number, name: string, serializer = "json") => {
    const a = await Agent.start(
      kind === "js" ? "autobahn-js" : "autobahn-python",
      `tcp://127.0.0.1:${rs[worker]}`,
      { name, serializer },
    );
    agents.push(a);
    return a;
  };
  try {
    await meshUp(m);

    await t.step(
      "a call crosses workers with args and kwargs, and a callee error comes back verbatim",
      async () => {
        const jsCallee = await at("js", 0, "js-callee");
        await jsCallee.register("com.example.add", "add");
        await jsCallee.register("com.example.fail", "fail");
        const pyCaller = await at("py", 1, "py-caller", "msgpack");
        await callees(pyCaller, "com.example.add", 1);
        await callees(pyCaller, "com.example.fail", 1);
        const r = await pyCaller.call("com.example.add", [2, 3], { x: 1 });
        assert.deepEqual(r, { args: [5], kwargs: { got: { x: 1 } } });
        await assert.rejects(pyCaller.call("com.example.fail"), (e: unknown) => {
          assert.ok(e instanceof AgentCallError);
          assert.deepEqual(e.error, {
            error: "com.example.error.bad",
            args: ["nope"],
            kwargs: { code: 7 },
          });
          return true;
        });

        // and the other way round: a Python callee on router3, an AutobahnJS caller on router1
        const pyCallee = await at("py", 2, "py-callee", "cbor");
        await pyCallee.register("com.example.add3", "add");
        await pyCallee.register("com.example.fail3", "fail");
        await callees(jsCallee, "com.example.add3", 1);
        await callees(jsCallee, "com.example.fail3", 1);
        const r2 = await jsCallee.call("com.example.add3", [40, 2], { y: "z" });
        assert.deepEqual(r2, { args: [42], kwargs: { got: { y: "z" } } });
        await assert.rejects(jsCallee.call("com.example.fail3"), (e: unknown) => {
          assert.ok(e instanceof AgentCallError);
          assert.deepEqual(e.error, {
            error: "com.example.error.bad",
            args: ["nope"],
            kwargs: { code: 7 },
          });
          return true;
        });
      },
    );

    await t.step(
      "pub/sub across workers: every subscriber on every worker gets each event once, in order",
      async () => {
        const jsSub = await at("js", 0, "js-sub");
        const pySub = await at("py", 2, "py-sub", "msgpack");
        const pyPub = await at("py", 1, "py-pub", "cbor");
        const topic = "com.example.news";
        await jsSub.subscribe(topic);
        await pySub.subscribe(topic);
        await subscribers(pyPub, topic, 2);
        for (let i = 1; i <= 5; i++) await pyPub.publish(topic, [i], { n: i });
        await pyPub.publish(topic, ["end"]);
        for (const s of [jsSub, pySub]) {
          await s.waitEvent((e) => e.topic === topic && (e.args as unknown[])[0] === "end");
          assert.deepEqual(
            s.received(topic).map((e) => [e.args, e.kwargs]),
            [...[1, 2, 3, 4, 5].map((i) => [[i], { n: i }]), [["end"], {}]],
            `${s.name} got each event once`,
          );
          assert.equal(s.received(topic)[0].publisher, pyPub.session, "publisher disclosed");
        }
      },
    );

    await t.step("roundrobin over two callees on two workers splits 20 calls 10/10", async () => {
      const a = await at("js", 0, "rr-js");
      const b = await at("py", 1, "rr-py");
      const caller = await at("js", 2, "rr-caller");
      await a.register("com.example.rr", "name", { invoke: "roundrobin" });
      await b.register("com.example.rr", "name", { invoke: "roundrobin" });
      await callees(caller, "com.example.rr", 2);
      const counts: Record<string, number> = {};
      for (let i = 0; i < 20; i++) {
        const r = await caller.call("com.example.rr");
        const who = String(r.args[0]);
        counts[who] = (counts[who] ?? 0) + 1;
      }
      assert.deepEqual(counts, { "rr-js": 10, "rr-py": 10 });
    });

    await t.step(
      "wamp.session.count counts every session on every worker, including one on the shared WebSocket port",
      async () => {
        const ws = await Agent.start("autobahn-js", `ws://127.0.0.1:${wsPort}/ws`, {
          name: "ws-client",
        });
        agents.push(ws);
        const total = agents.length;
        for (const a of [agents[0], agents[1], ws]) {
          await waitUntil(
            async () => (await a.call("wamp.session.count")).args[0] === total,
            `${a.name} counts ${total} sessions`,
            10000,
          );
        }
      },
    );

    await t.step(
      "a silent worker (SIGSTOP) mid-call: ERROR after missed heartbeats; after SIGCONT it relinks",
      async () => {
        const callee = await at("js", 2, "stop-callee");
        const caller = await at("py", 0, "stop-caller");
        const { pending } = await hangingCall(callee, caller, "com.example.hang3");
        const w = (await m.call("xbar.get_worker", ["router3"])).args[0] as Dict;
        const t0 = performance.now();
        Deno.kill(w.pid as number, "SIGSTOP");
        let err: unknown;
        try {
          err = await pending;
        } finally {
          Deno.kill(w.pid as number, "SIGCONT");
        }
        const ms = performance.now() - t0;
        assert.ok(err instanceof AgentCallError, `the call ended in ERROR, got ${err}`);
        assert.equal(err.error.error, "wamp.error.canceled");
        // A link closes when nothing came for 3 heartbeats, checked once per heartbeat: 3-4 s
        // after the peer fell silent (measured 3.0-3.5 s); 1 s more for a loaded 2-core machine.
        assert.ok(
          ms < 4 * HEARTBEAT_MS + 1000,
          `ERROR after ${Math.round(ms)} ms (bound ${4 * HEARTBEAT_MS + 1000})`,
        );
        await meshUp(m);
      },
    );

    await t.step(
      "kill -9 of a worker mid-call: ERROR within the heartbeat window + 1 s, restart, callable again from the others",
      async () => {
        const callee = await at("py", 1, "hang-callee");
        const caller = await at("js", 0, "hang-caller");
        const { pending } = await hangingCall(callee, caller, "com.example.hang");
        const before = (await m.call("xbar.get_worker", ["router2"])).args[0] as Dict;
        const t0 = performance.now();
        Deno.kill(before.pid as number, "SIGKILL");
        const err = await pending;
        const ms = performance.now() - t0;
        assert.ok(err instanceof AgentCallError, `the call ended in ERROR, got ${err}`);
        assert.equal(err.error.error, "wamp.error.canceled");
        assert.ok(
          ms < 3 * HEARTBEAT_MS + 1000,
          `ERROR after ${Math.round(ms)} ms (heartbeat window + 1 s = ${3 * HEARTBEAT_MS + 1000})`,
        );
        await callee.waitEvent((e) => e.event === "left");

        // the supervisor restarts it; it rejoins the mesh by itself
        await waitUntil(
          async () => {
            const w = (await m.call("xbar.get_worker", ["router2"])).args[0] as Dict;
            return w.state === "running" && w.pid !== before.pid;
          },
          "router2 restarted",
          20000,
        );
        await meshUp(m);
        const again = await waitUntil(
          () => at("js", 1, "new-callee").catch(() => undefined),
          "a client on the restarted router2",
          10000,
        );
        await again.register("com.example.add2", "add");
        const pyCaller = await at("py", 2, "late-caller");
        for (const c of [caller, pyCaller]) {
          await callees(c, "com.example.add2", 1);
          assert.deepEqual(await c.call("com.example.add2", [1, 2]), {
            args: [3],
            kwargs: { got: {} },
          });
        }
        // the dead worker's callee is gone everywhere (no stale callee is ever chosen)
        await assert.rejects(caller.call("com.example.hang"), (e: unknown) => {
          assert.ok(e instanceof AgentCallError);
          assert.equal(e.error.error, "wamp.error.no_such_procedure");
          return true;
        });
      },
    );

    await t.step("xbar status shows each worker's links", async () => {
      const r = await xbar(["status", "--dir", dir]);
      assert.equal(r.code, 0, r.stderr);
      for (const id of WORKERS) {
        assert.match(r.stdout, new RegExp(`${id}\\s+router\\s+running`));
      }
      const links = r.stdout.split("\n").filter((l) => /^\s+link realm1 (->|<-) \S+: up/.test(l));
      assert.equal(links.length, 6, r.stdout);
    });
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await m.leave().catch(() => {});
    const s = await node.stop();
    assert.equal(s.code, 0, node.log());
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
