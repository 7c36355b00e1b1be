/**
 * `"replicas": N` on a router worker, with real processes: N identical router
 * workers from one config block, on one shared port, linked into one router;
 * `xbar status` and the management API show each replica and its links; and
 * realms and replicas started and stopped at runtime keep the mesh right.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import type { Session } from "../src/client/session.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  openRealm,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
  xbar,
} from "./_node_kit.ts";

type Dict = Record<string, unknown>;

async function links(m: Session, worker: string): Promise<Dict[]> {
  return (await m.call(`xbar.worker.${worker}.get_links`)).args[0] as Dict[];
}

async function localSessions(m: Session, worker: string, realmName = "realm1"): Promise<number> {
  const realms = (await m.call(`xbar.worker.${worker}.get_realms`)).args[0] as Dict[];
  return (realms.find((r) => r.name === realmName)?.sessions as number) ?? 0;
}

Deno.test("replicas: two router workers from one block share a port and act as one router; realms at runtime keep the mesh right", async (t) => {
  const dir = await tempNodeDir();
  const port = freePort();
  const url = `ws://127.0.0.1:${port}/ws`;
  await writeConfig(dir, {
    version: 2,
    workers: [{
      type: "router",
      id: "edge",
      replicas: 2,
      realms: [openRealm("realm1")],
      transports: [{
        type: "websocket",
        endpoint: { type: "tcp", interface: "127.0.0.1", port, shared: true },
      }],
    }],
  });
  const node = await startNode(dir);
  const m = await connectManagement(join(dir, "node.sock"));
  const sessions: Session[] = [];
  try {
    await t.step(
      "each replica runs, is shown with its replica number, and links to the other",
      async () => {
        const workers = (await m.call("xbar.get_workers")).args[0] as Dict[];
        assert.deepEqual(
          workers.map((w) => [w.id, w.state, w.replica]),
          [
            ["edge-1", "running", { of: "edge", index: 1, count: 2 }],
            ["edge-2", "running", { of: "edge", index: 2, count: 2 }],
          ],
        );
        await waitUntil(
          async () => {
            const [a, b] = [await links(m, "edge-1"), await links(m, "edge-2")];
            return a.length === 1 && b.length === 1 && a[0].synced === true && b[0].synced === true;
          },
          "edge-1 and edge-2 linked",
          15000,
        );
        const [l] = await links(m, "edge-2");
        assert.equal(l.realm, "realm1");
        assert.equal(l.dialed, true);
        assert.equal(l.state, "up");
        assert.match(String(l.peer), /^node_[0-9a-f]{8}\/edge-1$/);
        assert.equal(l.remote_sessions, 0);
        assert.equal(l.queued_bytes, 0);
      },
    );

    await t.step(
      "clients on the shared port land on both replicas and call each other",
      async () => {
        const callee = await connect(url, "realm1");
        sessions.push(callee);
        await callee.register("com.example.echo", (args) => ({ args }) as never);
        // more callers until both replicas have local sessions (the kernel spreads connections)
        for (let i = 0; i < 40; i++) {
          if (await localSessions(m, "edge-1") > 0 && await localSessions(m, "edge-2") > 0) break;
          sessions.push(await connect(url, "realm1"));
        }
        assert.ok(await localSessions(m, "edge-1") > 0 && await localSessions(m, "edge-2") > 0);
        for (const s of sessions) {
          await waitUntil(
            () => s.call("com.example.echo", [s.id]).then(() => true, () => false),
            `session ${s.id} reaches the callee`,
            10000,
          );
        }
        const crossed = [...await links(m, "edge-1"), ...await links(m, "edge-2")]
          .reduce((n, l) => n + (l.calls_out as number), 0);
        assert.ok(crossed > 0, "some calls crossed the link");
        const count = (await sessions[0].call("wamp.session.count")).args[0];
        assert.equal(count, sessions.length);
      },
    );

    await t.step("xbar status shows each replica and its link", async () => {
      const r = await xbar(["status", "--dir", dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /edge-1\s+router\s+running .*replica 1\/2 of edge/);
      assert.match(r.stdout, /edge-2\s+router\s+running .*replica 2\/2 of edge/);
      assert.match(r.stdout, /link realm1 <- node_[0-9a-f]{8}\/edge-2: up, \d+ remote sessions?/);
      assert.match(r.stdout, /link realm1 -> node_[0-9a-f]{8}\/edge-1: up, \d+ remote sessions?/);
      const j = JSON.parse((await xbar(["status", "--dir", dir, "--json"])).stdout);
      assert.equal(j.workers[0].links.length, 1);
    });

    await t.step(
      "a realm started at runtime on both replicas gets linked; stopped on one, its link goes",
      async () => {
        const realm2 = (ls: Dict[]) => ls.filter((l) => l.realm === "realm2");
        await m.call("xbar.worker.edge-1.start_realm", [openRealm("realm2")]);
        assert.deepEqual(realm2(await links(m, "edge-1")), []);
        await m.call("xbar.worker.edge-2.start_realm", [openRealm("realm2")]);
        await waitUntil(
          async () => {
            const [a, b] = [realm2(await links(m, "edge-1")), realm2(await links(m, "edge-2"))];
            return a.length === 1 && b.length === 1 && a[0].synced === true &&
              b[0].synced === true;
          },
          "realm2 linked",
          15000,
        );
        await m.call("xbar.worker.edge-1.stop_realm", ["realm2"]);
        await waitUntil(
          async () =>
            realm2(await links(m, "edge-1")).length === 0 &&
            realm2(await links(m, "edge-2")).length === 0,
          "realm2's link gone on both replicas",
          10000,
        );
        // realm1 is untouched
        assert.equal((await links(m, "edge-2")).filter((l) => l.realm === "realm1").length, 1);
      },
    );

    await t.step(
      "replicas started and stopped through the management API join and leave the mesh",
      async () => {
        const started = (await m.call("xbar.start_worker", [{
          type: "router",
          id: "more",
          replicas: 2,
          realms: [openRealm("realm1")],
        }])).args[0] as Dict[];
        assert.deepEqual(started.map((w) => [w.id, w.state]), [
          ["more-1", "running"],
          ["more-2", "running"],
        ]);
        const all = ["edge-1", "edge-2", "more-1", "more-2"];
        await waitUntil(
          async () => {
            for (const w of all) {
              const up = (await links(m, w)).filter((l) => l.synced === true);
              if (up.length !== 3) return false;
            }
            return true;
          },
          "four workers fully meshed",
          20000,
        );
        await m.call("xbar.stop_worker", ["more-1"]);
        await m.call("xbar.stop_worker", ["more-2"]);
        await waitUntil(
          async () => {
            for (const w of ["edge-1", "edge-2"]) {
              if ((await links(m, w)).length !== 1) return false;
            }
            return true;
          },
          "back to one link each",
          10000,
        );
      },
    );
  } finally {
    await Promise.all(sessions.map((s) => s.leave().catch(() => {})));
    await m.leave().catch(() => {});
    const s = await node.stop();
    assert.equal(s.code, 0, node.log());
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
