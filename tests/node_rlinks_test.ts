/**
 * Scale-out with Crossbar's own rlink config: two xbar nodes set up as in
 * Crossbar's rlink test (each dials the other), a real AutobahnJS client on
 * one node and a real Autobahn|Python client on the other.
 */
import assert from "node:assert/strict";
import { freePort, type RunningNode, startNode, waitUntil, xbar } from "./_node_kit.ts";
import { Agent, AgentCallError } from "./_agent.ts";
import { rlinkNodes, writeRlinkConfig } from "./_rlink_kit.ts";

/** Two node directories with keys, listening on free loopback ports. */
function loopbackNodes() {
  return rlinkNodes([0, 1].map(() => ({
    host: "127.0.0.1",
    rawsocketPort: freePort(),
    wsPort: freePort(),
  })));
}

async function linksUp(node: RunningNode): Promise<Record<string, unknown>[]> {
  const r = await xbar(["status", "--json", "--dir", node.dir]);
  const status = JSON.parse(r.stdout);
  const out: Record<string, unknown>[] = [];
  for (const w of status.workers ?? []) for (const l of w.links ?? []) out.push(l);
  return out;
}

Deno.test({
  name:
    "rlinks: two nodes configured as in Crossbar's rlink test act as one router for AutobahnJS on one and Autobahn|Python on the other",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nodes = await loopbackNodes();
    for (const i of [0, 1]) await writeRlinkConfig(nodes, i);
    const check = await xbar(["check", "--dir", nodes[0].dir]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const running = await Promise.all(nodes.map((n) => startNode(n.dir)));
    const agents: Agent[] = [];
    try {
      await Promise.all(running.map((n) => n.waitFor(/router link up/, 20000)));
      const alice = await Agent.start("autobahn-js", `ws://127.0.0.1:${nodes[0].wsPort}/ws`, {
        name: "alice",
      });
      agents.push(alice);
      await alice.register("test.rpc", "name");
      await alice.register("test.add", "add");
      await alice.register("test.fail", "fail");
      await alice.subscribe("test.a_thing");
      const bob = await Agent.start("autobahn-python", `ws://127.0.0.1:${nodes[1].wsPort}/ws`, {
        name: "bob",
        serializer: "msgpack",
      });
      agents.push(bob);
      // the registrations crossed: bob's calls reach alice on the other node
      const r = await waitUntil(
        () => bob.call("test.rpc").catch(() => undefined),
        "test.rpc callable from node1",
        10000,
      );
      assert.deepEqual(r.args, ["alice"]);
      assert.deepEqual((await bob.call("test.add", [2, 3])).args, [5]);
      await assert.rejects(bob.call("test.fail", ["x"]), (e: unknown) => {
        assert.ok(e instanceof AgentCallError);
        assert.equal(e.error.error, "com.example.error.bad");
        assert.deepEqual(e.error.args, ["nope"]);
        assert.deepEqual(e.error.kwargs, { code: 7 });
        return true;
      });
      await bob.publish("test.a_thing", [3, 2, 1]);
      const ev = await alice.waitEvent((e) => e.event === "event" && e.topic === "test.a_thing");
      assert.deepEqual(ev.args, [3, 2, 1]);
      // the session meta API sees both nodes' sessions
      assert.equal((await bob.call("wamp.session.count")).args[0], 2);
      // both nodes dialed each other: one link each way stays, status says so
      const l0 = await linksUp(running[0]);
      const l1 = await linksUp(running[1]);
      assert.equal(l0.filter((l) => l.state === "up").length, 1, JSON.stringify(l0));
      assert.equal(l1.filter((l) => l.state === "up").length, 1, JSON.stringify(l1));
    } finally {
      for (const a of agents) await a.close();
      await Promise.all(running.map((n) => n.stop()));
    }
  },
});

Deno.test({
  name: "rlinks: xbar check refuses an rlink whose node cannot check the peer's key",
  async fn() {
    const nodes = await loopbackNodes();
    await writeRlinkConfig(nodes, 0);
    const file = `${nodes[0].dir}/config.json`;
    const config = JSON.parse(await Deno.readTextFile(file));
    config.workers[0].transports[0].auth = { anonymous: { type: "static", role: "anonymous" } };
    await Deno.writeTextFile(file, JSON.stringify(config, null, 2));
    const r = await xbar(["check", "--dir", nodes[0].dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /rlinks\[0\].*cannot check the peer's key/s);
  },
});

Deno.test({
  name:
    "rlinks with replicas: two nodes of two router workers each behind shared ports form a full mesh (each worker linked to every worker of the other node)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nodes = await loopbackNodes();
    for (const i of [0, 1]) await writeRlinkConfig(nodes, i, { replicas: 2, heartbeatMs: 1000 });
    const running = await Promise.all(nodes.map((n) => startNode(n.dir)));
    const agents: Agent[] = [];
    try {
      // every worker ends up with an up link to both workers of the other node
      const status = async (i: number) =>
        JSON.parse((await xbar(["status", "--json", "--dir", nodes[i].dir])).stdout);
      const nodeIds = [(await status(0)).status.node, (await status(1)).status.node];
      const meshed = async (i: number) => {
        const other = `${nodeIds[1 - i]}/`;
        const routers = ((await status(i)).workers ?? []).filter((w: { type: string }) =>
          w.type === "router"
        ) as { links?: Record<string, unknown>[] }[];
        return routers.length === 2 && routers.every((w) =>
          new Set(
            (w.links ?? []).filter((l) => l.state === "up" && String(l.peer).startsWith(other))
              .map((l) => l.peer),
          ).size === 2
        );
      };
      await waitUntil(
        async () => await meshed(0) && await meshed(1),
        "a full mesh across the two nodes' replicas",
        30000,
        200,
      );

      const alice = await Agent.start("autobahn-js", `ws://127.0.0.1:${nodes[0].wsPort}/ws`, {
        name: "alice",
      });
      agents.push(alice);
      await alice.register("test.rpc", "name");
      for (let k = 0; k < 4; k++) {
        const bob = await Agent.start(
          "autobahn-python",
          `ws://127.0.0.1:${nodes[1].wsPort}/ws`,
          { name: `bob${k}` },
        );
        agents.push(bob);
        const r = await waitUntil(
          () => bob.call("test.rpc").catch(() => undefined),
          `test.rpc from bob${k}`,
          10000,
        );
        assert.deepEqual(r.args, ["alice"]);
      }
      assert.equal((await agents[1].call("wamp.session.count")).args[0], 5);
    } finally {
      for (const a of agents) await a.close();
      await Promise.all(running.map((n) => n.stop()));
    }
  },
});
