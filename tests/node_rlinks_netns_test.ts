/**
 * Scale-out across hosts: two xbar nodes in their own network namespaces
 * (test hosts 198.51.100.1 and .2 on a virtual bridge), linked by rlinks as
 * in Crossbar's rlink test, clients on each host's own loopback. The network
 * is cut with a call pending (the caller gets an ERROR within the heartbeat
 * window + 1 s; the registration disappears on the other side) and healed
 * (the nodes relink by themselves and the call works again).
 *
 * Needs root (network namespaces): skipped otherwise.
 */
import assert from "node:assert/strict";
import { startNode, waitUntil } from "./_node_kit.ts";
import { Agent, AgentCallError } from "./_agent.ts";
import { rlinkNodes, writeRlinkConfig } from "./_rlink_kit.ts";
import { netnsAvailable, NetnsHosts } from "./_netns_kit.ts";

const HEARTBEAT_MS = 1000;

Deno.test({
  name:
    "rlinks across hosts (network namespaces): cut with a call pending → ERROR within the heartbeat window + 1 s; heal → relinked, callable again",
  ignore: !netnsAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hosts = await NetnsHosts.create(2);
    const agents: Agent[] = [];
    const running: Awaited<ReturnType<typeof startNode>>[] = [];
    try {
      const nodes = await rlinkNodes(hosts.addrs.map((host) => ({
        host,
        rawsocketPort: 8091,
        wsPort: 8080,
      })));
      for (const i of [0, 1]) {
        await writeRlinkConfig(nodes, i, { heartbeatMs: HEARTBEAT_MS, interface: "0.0.0.0" });
      }
      const wrap = (i: number) => ["ip", "netns", "exec", hosts.names[i]];
      running.push(
        ...await Promise.all(nodes.map((n, i) => startNode(n.dir, [], { wrap: wrap(i) }))),
      );
      await Promise.all(running.map((n) => n.waitFor(/router link up/, 20000)));

      const alice = await Agent.start("autobahn-js", "ws://127.0.0.1:8080/ws", {
        name: "alice",
        wrap: wrap(0),
      });
      agents.push(alice);
      await alice.register("test.rpc", "name");
      await alice.register("test.hang", "hang");
      const bob = await Agent.start("autobahn-python", "ws://127.0.0.1:8080/ws", {
        name: "bob",
        wrap: wrap(1),
      });
      agents.push(bob);
      await waitUntil(
        () => bob.call("test.rpc").catch(() => undefined),
        "test.rpc on host 1",
        10000,
      );

      // a call pending at alice when the network goes
      const pending = bob.call("test.hang").then(
        () => assert.fail("test.hang returned"),
        (e: unknown) => e,
      );
      await alice.waitEvent((e) => e.event === "invoked" && e.uri === "test.hang");
      const t0 = Date.now();
      await hosts.partition(0);
      const err = await pending;
      const took = Date.now() - t0;
      assert.ok(err instanceof AgentCallError, String(err));
      assert.equal(err.error.error, "wamp.error.canceled");
      assert.ok(took <= 3 * HEARTBEAT_MS + HEARTBEAT_MS / 4 + 1000, `ERROR after ${took} ms`);
      console.log(`call ended ${took} ms after the cut (heartbeat ${HEARTBEAT_MS} ms)`);
      // apart: alice's procedure is gone on bob's node
      await assert.rejects(bob.call("test.rpc"), (e: unknown) => {
        assert.ok(e instanceof AgentCallError);
        return e.error.error === "wamp.error.no_such_procedure";
      });

      await hosts.heal(0);
      const back = await waitUntil(
        () => bob.call("test.rpc").catch(() => undefined),
        "test.rpc callable again after the heal",
        20000,
        100,
      );
      assert.deepEqual(back.args, ["alice"]);
      assert.equal((await bob.call("wamp.session.count")).args[0], 2);
    } finally {
      for (const a of agents) await a.close().catch(() => {});
      await Promise.all(running.map((n) => n.stop().catch(() => {})));
      await hosts.close();
    }
  },
});
