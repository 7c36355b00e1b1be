import assert from "node:assert/strict";
import type { EventDetails } from "../../client/subscription.ts";
import type { Session } from "../../client/session.ts";
import { type Cluster, cluster, linkOf, waitFor } from "./_link_test_kit.ts";

/** Events received by a subscriber: [args[0], details]. */
type Got = [unknown, EventDetails][];

async function sub(s: Session, topic: string, options = {}): Promise<Got> {
  const got: Got = [];
  await s.subscribe(topic, (args, _k, d) => void got.push([args[0], d]), options);
  return got;
}

/** Waits until router `i` knows `n` remote subscribers of (uri, match). */
async function remoteSubs(c: Cluster, i: number, uri: string, n: number, match = "exact") {
  await waitFor(
    () =>
      (c.routers[i].realm("realm1")!.broker.lookup(uri, match as "exact")?.remoteSubscribers
        .size ?? 0) === n,
    2000,
    `${n} remote subscribers of ${uri} on r${i}`,
  );
}

/**
 * Publishes an "end" marker from `p` to `topic` and waits until every
 * subscriber list in `gots` has it: events on one link arrive in order, so
 * everything published before has arrived too. Returns the lists without markers.
 */
async function flushed(p: Session, topic: string, gots: Got[]): Promise<Got[]> {
  await p.publish(topic, ["end"], undefined, { acknowledge: true });
  await waitFor(() => gots.every((g) => g.some(([v]) => v === "end")), 2000, "end marker");
  return gots.map((g) => g.filter(([v]) => v !== "end"));
}

Deno.test("link: an event published on A reaches subscribers on B once, with publisher disclosure", async () => {
  const c = await cluster(2);
  const b = await c.join(1);
  const got = await sub(b, "com.news");
  await remoteSubs(c, 0, "com.news", 1);
  const a = await c.join(0, { authid: "alice", authrole: "user" });
  await a.publish("com.news", ["hi"], undefined, { acknowledge: true, disclose_me: true });
  const [events] = await flushed(a, "com.news", [got]);
  assert.equal(events.length, 1);
  assert.equal(got[0][0], "hi");
  assert.equal(got[0][1].publisher, a.id);
  assert.equal(got[0][1].publisher_authid, "alice");
  assert.equal(got[0][1].publisher_authrole, "user");
  await c.close();
});

Deno.test("link: exclude, eligible (session, authid, authrole) are applied on the subscribers' router", async () => {
  const c = await cluster(2);
  const subs = [
    await c.join(1, { authid: "u1", authrole: "r1" }),
    await c.join(1, { authid: "u2", authrole: "r2" }),
    await c.join(1, { authid: "u3", authrole: "r1" }),
  ];
  const got = await Promise.all(subs.map((s) => sub(s, "com.t")));
  await remoteSubs(c, 0, "com.t", 3);
  const p = await c.join(0);
  const cases: [Record<string, unknown>, number[]][] = [
    [{ exclude: [subs[0].id] }, [1, 2]],
    [{ eligible: [subs[0].id] }, [0]],
    [{ exclude_authid: ["u2"] }, [0, 2]],
    [{ eligible_authid: ["u2"] }, [1]],
    [{ exclude_authrole: ["r1"] }, [1]],
    [{ eligible_authrole: ["r1"] }, [0, 2]],
  ];
  for (const [options, expect] of cases) {
    for (const g of got) g.length = 0;
    await p.publish("com.t", [1], undefined, { ...options, acknowledge: true });
    const events = await flushed(p, "com.t", got);
    assert.deepEqual(
      events.map((g) => g.length),
      [0, 1, 2].map((i) => (expect.includes(i) ? 1 : 0)),
      JSON.stringify(options),
    );
  }
  await c.close();
});

Deno.test("link: prefix and wildcard subscriptions on B get events published on A with details.topic", async () => {
  const c = await cluster(2);
  const b = await c.join(1);
  const pre = await sub(b, "com.app.", { match: "prefix" });
  const wild = await sub(b, "com..status", { match: "wildcard" });
  await remoteSubs(c, 0, "com.app.", 1, "prefix");
  await remoteSubs(c, 0, "com..status", 1, "wildcard");
  const a = await c.join(0);
  await a.publish("com.app.status", [1], undefined, { acknowledge: true });
  await waitFor(() => pre.length === 1 && wild.length === 1, 1000, "events");
  assert.equal(pre[0][1].topic, "com.app.status");
  assert.equal(wild[0][1].topic, "com.app.status");
  await c.close();
});

Deno.test("link: in a full mesh of three routers each publication reaches each subscription once", async () => {
  const c = await cluster(3);
  const gots: Got[] = [];
  for (const i of [0, 1, 2]) {
    const s = await c.join(i);
    gots.push(await sub(s, "com.mesh"));
    gots.push(await sub(s, "com.", { match: "prefix" }));
  }
  for (const i of [0, 1, 2]) await remoteSubs(c, i, "com.mesh", 2);
  for (const i of [0, 1, 2]) await remoteSubs(c, i, "com.", 2, "prefix");
  for (const i of [0, 1, 2]) {
    const p = await c.join(i);
    for (let k = 0; k < 10; k++) await p.publish("com.mesh", [k], undefined, { acknowledge: true });
  }
  await waitFor(() => gots.every((g) => g.length === 30), 2000, "30 events per subscription");
  for (const i of [0, 1, 2]) await flushed(await c.join(i), "com.mesh", gots);
  for (const g0 of gots) {
    const g = g0.filter(([v]) => v !== "end");
    assert.equal(g.length, 30);
    assert.equal(new Set(g.map(([, d]) => d.publication)).size, 30, "no duplicates");
  }
  await c.close();
});

Deno.test("link: a retained event published on A is delivered on subscribe on B, also to a router linked later", async () => {
  const c = await cluster(3, { mesh: false });
  await c.link(1, 0);
  const a = await c.join(0);
  await a.publish("com.state", ["v1"], undefined, { retain: true, acknowledge: true });
  await a.publish("com.state", ["v2"], undefined, { retain: true, acknowledge: true });
  const b = await c.join(1);
  await new Promise((r) => setTimeout(r, 20));
  const got = await sub(b, "com.state", { get_retained: true });
  await waitFor(() => got.length === 1, 1000, "retained event on B");
  assert.equal(got[0][0], "v2");
  assert.equal(got[0][1].retained, true);
  // a third router linked afterwards gets it in the sync
  await c.link(2, 0);
  const x = await c.join(2);
  const got2 = await sub(x, "com.state", { get_retained: true });
  await waitFor(() => got2.length === 1, 1000, "retained event on C");
  assert.equal(got2[0][0], "v2");
  await c.close();
});

Deno.test("link: a testament of a session on A is published to subscribers on B when it leaves", async () => {
  const c = await cluster(2);
  const b = await c.join(1);
  const got = await sub(b, "com.gone");
  await remoteSubs(c, 0, "com.gone", 1);
  const a = await c.join(0);
  await a.call("wamp.session.add_testament", ["com.gone", ["bye"], {}]);
  await a.leave();
  await waitFor(() => got.length === 1, 1000, "testament");
  assert.equal(got[0][0], "bye");
  await c.close();
});

Deno.test("link: unsubscribing on B stops forwarding from A (interest follows subscribers)", async () => {
  const c = await cluster(2);
  const b = await c.join(1);
  const got: unknown[] = [];
  const s = await b.subscribe("com.x", (a) => void got.push(a[0]));
  await remoteSubs(c, 0, "com.x", 1);
  await s.unsubscribe();
  await remoteSubs(c, 0, "com.x", 0);
  assert.equal(c.routers[0].realm("realm1")!.broker.lookup("com.x", "exact"), undefined);
  const a = await c.join(0);
  const before = linkOf(c.routers[0], "r1")!.stats.eventsOut;
  await a.publish("com.x", [1], undefined, { acknowledge: true });
  assert.equal(linkOf(c.routers[0], "r1")!.stats.eventsOut, before, "nothing forwarded");
  await c.close();
});

Deno.test("link: a router keeping event history gets events published on another router without subscribers", async () => {
  const c = await cluster(2, { realm: { eventHistory: [{ uri: "com.log", limit: 10 }] } });
  const a = await c.join(0);
  await waitFor(
    () =>
      c.routers[0].realm("realm1")!.broker.lookup("com.log", "exact")!.remoteInterest.size === 1,
    1000,
    "history interest",
  );
  await a.publish("com.log", ["e1"], undefined, { acknowledge: true });
  const b = await c.join(1);
  const subId = (await b.call("wamp.subscription.lookup", ["com.log"])).args[0];
  await waitFor(
    () => {
      const s = c.routers[1].realm("realm1")!.broker.byId(subId as number)!;
      return (s.history?.length ?? 0) === 1;
    },
    1000,
    "history on B",
  );
  const events = (await b.call("wamp.subscription.get_events", [subId])).args[0] as {
    args: unknown[];
  }[];
  assert.deepEqual(events.map((e) => e.args), [["e1"]]);
  await c.close();
});

Deno.test("link: events for a congested link are dropped, counted and logged; calls to its callees get unavailable", async () => {
  const c = await cluster(2, { highWaterBytes: 1000 });
  const b = await c.join(1);
  const got = await sub(b, "com.flood");
  await b.register("com.remote", () => "ok");
  await remoteSubs(c, 0, "com.flood", 1);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.remote", "exact"));
  const wire = c.wires.get("1-0")!; // r1 dialed r0: r0 is the acceptor
  wire.acceptorQueued = 5000;
  const a = await c.join(0);
  await a.publish("com.flood", [1], undefined, { acknowledge: true });
  const link = linkOf(c.routers[0], "r1")!;
  assert.equal(link.stats.eventsDropped, 1);
  await assert.rejects(a.call("com.remote"), { uri: "wamp.error.unavailable" });
  wire.acceptorQueued = 0;
  await a.publish("com.flood", [2], undefined, { acknowledge: true });
  assert.deepEqual((await a.call("com.remote")).args, ["ok"]);
  await waitFor(() => got.length === 1, 1000, "event after the congestion");
  assert.equal(got[0][0], 2);
  await c.close();
});
