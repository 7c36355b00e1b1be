import assert from "node:assert/strict";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { Dict } from "../../wamp/messages.ts";
import { cluster, waitFor } from "./_link_test_kit.ts";

Deno.test("link meta: wamp.session.count/list/get cover the sessions of every linked router", async () => {
  const c = await cluster(3);
  const s0 = await c.join(0, { authid: "a", authrole: "user" });
  const s1 = await c.join(1, { authid: "b", authrole: "admin" });
  const s2 = await c.join(2, { authid: "c", authrole: "user" });
  const ids = [s0.id, s1.id, s2.id].sort();
  for (const s of [s0, s1, s2]) {
    await waitFor(() => c.routers.every((r) => r.realm("realm1")!.sessions.size === 3));
    assert.equal((await s.call("wamp.session.count")).args[0], 3);
    assert.equal((await s.call("wamp.session.count", [["user"]])).args[0], 2);
    assert.deepEqual(((await s.call("wamp.session.list")).args[0] as number[]).sort(), ids);
  }
  const d = (await s0.call("wamp.session.get", [s2.id])).args[0] as Dict;
  assert.equal(d.session, s2.id);
  assert.equal(d.authid, "c");
  assert.equal(d.authrole, "user");
  await c.close();
});

Deno.test("link meta: wamp.session.kill reaches a session on another router; kill_by_authid too", async () => {
  const c = await cluster(2);
  const admin = await c.join(0);
  const victim = await c.join(1, { authid: "bob" });
  const other = await c.join(1, { authid: "carol" });
  await waitFor(() => c.routers[0].realm("realm1")!.sessions.size === 3);
  await admin.call("wamp.session.kill", [victim.id], { reason: "com.example.bye", message: "go" });
  const info = await victim.closed;
  assert.equal(info.reason, "com.example.bye");
  await waitFor(() => c.routers[0].realm("realm1")!.sessions.size === 2, 1000, "victim gone on r0");
  const killed = (await admin.call("wamp.session.kill_by_authid", ["carol"])).args[0];
  assert.deepEqual(killed, [other.id]);
  await other.closed;
  await assert.rejects(admin.call("wamp.session.kill", [victim.id]), {
    uri: ErrorUri.NO_SUCH_SESSION,
  });
  await c.close();
});

Deno.test("link meta: on_join/on_leave and registration/subscription events for sessions of another router, once each", async () => {
  const c = await cluster(2);
  const watcher = await c.join(0);
  const events: [string, unknown[]][] = [];
  for (
    const t of [
      "wamp.session.on_join",
      "wamp.session.on_leave",
      "wamp.registration.on_create",
      "wamp.registration.on_register",
      "wamp.registration.on_unregister",
      "wamp.registration.on_delete",
      "wamp.subscription.on_create",
      "wamp.subscription.on_subscribe",
      "wamp.subscription.on_unsubscribe",
      "wamp.subscription.on_delete",
    ]
  ) await watcher.subscribe(t, (args) => void events.push([t, args]));
  const s = await c.join(1);
  const reg = await s.register("com.p", () => null);
  const sub = await s.subscribe("com.t", () => {});
  await s.leave();
  await waitFor(() => events.some(([t]) => t === "wamp.session.on_leave"), 1000, "on_leave");
  assert.deepEqual(events.map(([t]) => t), [
    "wamp.session.on_join",
    "wamp.registration.on_create",
    "wamp.registration.on_register",
    "wamp.subscription.on_create",
    "wamp.subscription.on_subscribe",
    "wamp.registration.on_unregister",
    "wamp.registration.on_delete",
    "wamp.subscription.on_unsubscribe",
    "wamp.subscription.on_delete",
    "wamp.session.on_leave",
  ]);
  assert.equal((events[0][1][0] as Dict).session, s.id);
  assert.deepEqual(events[2][1], [s.id, reg.id]);
  assert.deepEqual(events[4][1], [s.id, sub.id]);
  assert.equal(events[9][1][0], s.id);
  await c.close();
});

Deno.test("link meta: subscription ids are the same everywhere; list_subscribers names the real sessions", async () => {
  const c = await cluster(2);
  const a = await c.join(0);
  const b = await c.join(1);
  const sa = await a.subscribe("com.shared", () => {});
  const sb = await b.subscribe("com.shared", () => {});
  assert.equal(sa.id, sb.id);
  await waitFor(() =>
    c.routers.every((r) =>
      r.realm("realm1")!.broker.lookup("com.shared", "exact")!.allSubscribers().length === 2
    )
  );
  for (const s of [a, b]) {
    const list = (await s.call("wamp.subscription.list_subscribers", [sa.id])).args[0] as number[];
    assert.deepEqual(list.sort(), [a.id, b.id].sort());
    assert.equal((await s.call("wamp.subscription.count_subscribers", [sa.id])).args[0], 2);
  }
  await c.close();
});

Deno.test("link meta: when the link goes, the other router's sessions leave (on_leave), and come back with it", async () => {
  const c = await cluster(2);
  const watcher = await c.join(0);
  const left: unknown[] = [];
  await watcher.subscribe("wamp.session.on_leave", (args) => void left.push(args[0]));
  const remote = await c.join(1);
  await waitFor(() => c.routers[0].realm("realm1")!.sessions.size === 2);
  c.wires.get("1-0")!.cut();
  await waitFor(() => left.length === 1, 1000, "on_leave after the cut");
  assert.deepEqual(left, [remote.id]);
  assert.equal((await watcher.call("wamp.session.count")).args[0], 1);
  await c.link(1, 0);
  assert.equal((await watcher.call("wamp.session.count")).args[0], 2);
  const d = (await watcher.call("wamp.session.get", [remote.id])).args[0] as Dict;
  assert.equal(d.session, remote.id);
  await assert.rejects(watcher.call("wamp.session.get", [12345]), (e) => {
    assert.ok(e instanceof ApplicationError);
    return e.uri === ErrorUri.NO_SUCH_SESSION;
  });
  await c.close();
});
