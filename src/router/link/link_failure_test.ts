import assert from "node:assert/strict";
import { ErrorUri } from "../../wamp/uris.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { Router } from "../router.ts";
import { F } from "./link_frames.ts";
import { type Cluster, cluster, LINK_TRANSPORT, linkOf, waitFor } from "./_link_test_kit.ts";
import { MemoryLinkWire } from "./memory_link.ts";
import { generateLinkKey, linkIdentity } from "./link_identity.ts";
import { routerLinks } from "./link_manager.ts";
import { transportAuthenticator } from "../authn/transport_auth.ts";
import { MemoryLogger } from "../../log/logger.ts";

/** No call, invocation or remote state left anywhere that refers to the other router. */
function clean(c: Cluster) {
  for (const r of c.routers) {
    const realm = r.realm("realm1")!;
    for (const s of realm.sessions.values()) {
      assert.equal(s.calls.size, 0, `session ${s.id} has calls in flight`);
      assert.equal(s.invocations.size, 0, `session ${s.id} has invocations in flight`);
    }
  }
}

/** Sets up r0 caller → r1 callee ("com.slow" answers when `answer` is called), returns them. */
async function slowCall(c: Cluster) {
  const callee = await c.join(1);
  let interrupted = 0;
  let invoked = 0;
  const answers: ((v: unknown) => void)[] = [];
  await callee.register("com.slow", (_a, _k, d) => {
    invoked++;
    return new Promise((resolve) => {
      answers.push(resolve);
      d.signal?.addEventListener("abort", () => {
        interrupted++;
        resolve(null);
      });
    });
  });
  const caller = await c.join(0);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.slow", "exact"));
  return {
    callee,
    caller,
    interrupted: () => interrupted,
    invoked: () => invoked,
    answer: (v: unknown) => answers.shift()?.(v),
  };
}

// r1 dialed r0 in the kit: frames r0 → r1 go "acceptor→dialer".
for (
  const stage of [
    ["the INVOKE is lost on the way", "acceptor→dialer", F.INVOKE],
    ["the RESULT is lost on the way back", "dialer→acceptor", F.RESULT],
  ] as const
) {
  Deno.test(`link failure: cut when ${stage[0]}: the caller gets ERROR canceled, nothing is left pending`, async () => {
    const c = await cluster(2);
    const s = await slowCall(c);
    const wire = c.wires.get("1-0")!;
    wire.onFrame = (dir, frame) => {
      if (dir === stage[1] && frame[0] === stage[2]) {
        wire.cut();
        return false;
      }
    };
    const p = s.caller.call("com.slow");
    if (stage[2] === F.RESULT) {
      await waitFor(() => s.invoked() === 1, 1000, "invocation");
      s.answer("done");
    }
    await assert.rejects(p, { uri: ErrorUri.CANCELED });
    if (stage[2] === F.INVOKE) assert.equal(s.invoked(), 0);
    await waitFor(() => linkOf(c.routers[1], "r0") === undefined, 1000, "link gone on r1");
    clean(c);
    await c.close();
  });
}

Deno.test("link failure: a stalled peer (no frames at all) is dropped after three heartbeats; its calls end in ERROR", async () => {
  const c = await cluster(2, { heartbeatMs: 100 });
  const s = await slowCall(c);
  const p = s.caller.call("com.slow");
  await waitFor(() => s.invoked() === 1, 1000, "invocation");
  const t0 = Date.now();
  c.wires.get("1-0")!.stall();
  await assert.rejects(p, { uri: ErrorUri.CANCELED });
  const took = Date.now() - t0;
  assert.ok(took >= 200 && took < 100 * 3 + 1000, `ended after ${took} ms`);
  await waitFor(() => s.interrupted() === 1, 2000, "callee interrupted by its own router");
  clean(c);
  await c.close();
});

Deno.test("link failure: after a reconnect state is resynced: no stale callee, no duplicate events, no duplicate sessions", async () => {
  const c = await cluster(2);
  const b = await c.join(1);
  await b.register("com.p", () => "b");
  const got: unknown[] = [];
  await b.subscribe("com.t", (a) => void got.push(a[0]));
  const a = await c.join(0);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"));
  c.wires.get("1-0")!.cut();
  // while apart: b's registration is gone from r0, a new session registers on r1
  await waitFor(() => !c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"));
  await assert.rejects(a.call("com.p"), { uri: ErrorUri.NO_SUCH_PROCEDURE });
  await b.leave();
  const b2 = await c.join(1);
  await b2.register("com.p", () => "b2");
  await b2.subscribe("com.t", (x) => void got.push(x[0]));
  await c.link(1, 0);
  assert.deepEqual((await a.call("com.p")).args, ["b2"]);
  const reg = c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact")!;
  assert.deepEqual(reg.callees.map((x) => x.session.id), [b2.id]);
  await a.publish("com.t", [1], undefined, { acknowledge: true });
  await a.publish("com.t", ["end"], undefined, { acknowledge: true });
  await waitFor(() => got.includes("end"), 1000, "events");
  assert.deepEqual(got, [1, "end"]);
  assert.equal(c.routers[0].realm("realm1")!.sessions.size, 2);
  await c.close();
});

Deno.test("link failure: the link flaps 50 times while calls and events flow; every call ends, state stays exact", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register("com.echo", (args) => args[0]);
  const sub: unknown[] = [];
  await callee.subscribe("com.t", (a) => void sub.push(a[0]));
  const caller = await c.join(0);
  let ok = 0;
  let failed = 0;
  let stop = false;
  const other = new Set<string>();
  const load = (async () => {
    let i = 0;
    while (!stop) {
      try {
        await caller.call("com.echo", [i++]);
        ok++;
      } catch (e) {
        failed++;
        const uri = (e as ApplicationError).uri;
        if (uri !== ErrorUri.NO_SUCH_PROCEDURE && uri !== ErrorUri.CANCELED) other.add(uri);
      }
      void caller.publish("com.t", [i]);
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  for (let k = 0; k < 50; k++) {
    c.wires.get("1-0")!.cut();
    await c.link(1, 0);
    await new Promise((r) => setTimeout(r, 2 + (k % 5)));
  }
  c.wires.get("1-0")!.cut();
  await c.link(1, 0);
  stop = true;
  await load;
  assert.deepEqual([...other], [], "only no_such_procedure or canceled while apart");
  assert.ok(ok > 0, "calls went through between cuts");
  // exact state after the last link
  for (const r of c.routers) {
    const realm = r.realm("realm1")!;
    assert.equal(realm.sessions.size, 2, "one session per router, seen everywhere");
    assert.equal(realm.dealer.lookup("com.echo", "exact")!.callees.length, 1);
    assert.equal(r.links!.links().length, 1);
  }
  assert.deepEqual((await caller.call("com.echo", ["last"])).args, ["last"]);
  clean(c);
  await c.close();
});

Deno.test("link failure: a restarted peer (new incarnation, same id) replaces the old link at once; the old state goes first", async () => {
  const c = await cluster(2);
  const old = await c.join(1);
  await old.register("com.p", () => "old");
  const a = await c.join(0);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"));
  c.wires.get("1-0")!.stall(); // the old process hangs; r0 has not noticed yet
  // a new router with the same id (the worker restarted) links to r0
  const fresh = new Router({
    handshakeTimeoutMs: 0,
    realms: [{ name: "realm1" }],
    links: routerLinks(await linkIdentity("r1", c.keyPairs[1]), { heartbeatMs: 200 }),
  });
  const wire = new MemoryLinkWire(c.routers[0], { transportId: LINK_TRANSPORT });
  await fresh.links!.dial(wire.dialer, { realm: "realm1", trusted: (k) => c.keys.includes(k) });
  await waitFor(() => linkOf(c.routers[0], "r1")?.synced === true, 1000, "new link synced");
  assert.equal(c.routers[0].links!.links().length, 1);
  assert.equal(c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"), undefined);
  await assert.rejects(a.call("com.p"), { uri: ErrorUri.NO_SUCH_PROCEDURE });
  fresh.shutdown();
  await c.close();
});

Deno.test("link: when both routers dial each other, one link stays, the same one on both sides", async () => {
  const c = await cluster(2, { mesh: false });
  await Promise.all([c.link(0, 1), c.link(1, 0)].map((p) => p.catch(() => {})));
  await waitFor(
    () => c.routers.every((r) => r.links!.links().length === 1 && r.links!.links()[0].synced),
    2000,
    "one link each",
  );
  const a = linkOf(c.routers[0], "r1")!;
  const b = linkOf(c.routers[1], "r0")!;
  assert.equal(a.dialedBy, "r0", "the smaller router id's link stays");
  assert.equal(b.dialedBy, "r0");
  const s = await c.join(1);
  await s.register("com.p", () => 1);
  const x = await c.join(0);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"));
  assert.deepEqual((await x.call("com.p")).args, [1]);
  await c.close();
});

Deno.test("link handshake: an untrusted acceptor key, an unauthorized dialer key, and a router without links are refused", async () => {
  const c = await cluster(2, { mesh: false });
  // the dialer does not trust the acceptor's key
  const w1 = new MemoryLinkWire(c.routers[0], { transportId: LINK_TRANSPORT });
  await assert.rejects(
    c.routers[1].links!.dial(w1.dialer, { realm: "realm1", trusted: () => false }),
    /not trusted/,
  );
  // the acceptor does not know the dialer's key
  const stranger = new Router({
    handshakeTimeoutMs: 0,
    realms: [{ name: "realm1" }],
    links: routerLinks(await linkIdentity("x", await generateLinkKey())),
  });
  const w2 = new MemoryLinkWire(c.routers[0], { transportId: LINK_TRANSPORT });
  await assert.rejects(
    stranger.links!.dial(w2.dialer, { realm: "realm1", trusted: () => true }),
    /wamp.error.authentication_failed/,
  );
  // a router that accepts no links
  const plain = new Router({ handshakeTimeoutMs: 0, realms: [{ name: "realm1" }] });
  plain.setAuthenticator(
    LINK_TRANSPORT,
    transportAuthenticator({
      cryptosign: {
        type: "static",
        principals: { rlink: { role: "rlink", authorized_keys: c.keys } },
      },
    }),
  );
  const w3 = new MemoryLinkWire(plain, { transportId: LINK_TRANSPORT });
  await assert.rejects(
    c.routers[1].links!.dial(w3.dialer, { realm: "realm1", trusted: () => true }),
    /does not accept router links/,
  );
  // a session of another role cannot open a link
  const other = new Router({
    handshakeTimeoutMs: 0,
    realms: [{ name: "realm1" }],
    links: routerLinks(await linkIdentity("y", await generateLinkKey())),
  });
  other.setAuthenticator(
    LINK_TRANSPORT,
    transportAuthenticator({
      cryptosign: {
        type: "static",
        principals: { rlink: { role: "user", authorized_keys: c.keys } },
      },
    }),
  );
  const w4 = new MemoryLinkWire(other, { transportId: LINK_TRANSPORT });
  await assert.rejects(
    c.routers[1].links!.dial(w4.dialer, { realm: "realm1", trusted: () => true }),
    /may not open a router link/,
  );
  assert.equal(c.routers[1].links!.links().length, 0);
  await c.close();
});

Deno.test("link: a malformed frame from the peer closes the link with a log line; the state learned from it goes", async () => {
  const logger = new MemoryLogger();
  const c = await cluster(2, { logger });
  const b = await c.join(1);
  await b.register("com.p", () => 1);
  await waitFor(() => !!c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"));
  const l1 = linkOf(c.routers[1], "r0")!;
  l1.sendControl([F.CALLEE_ADD, "not an id"]);
  await waitFor(() => c.routers[0].links!.links().length === 0, 1000, "link closed");
  assert.equal(c.routers[0].realm("realm1")!.dealer.lookup("com.p", "exact"), undefined);
  assert.ok(
    logger.lines.some((l) => l.msg.includes("protocol violation by the peer")),
    "logged",
  );
  await c.close();
});

Deno.test("link: two single registrations made while apart: when linked, the earlier wins everywhere and the later one is revoked", async () => {
  const c = await cluster(2, { mesh: false });
  const first = await c.join(0);
  const firstReg = await first.register("com.only", () => "first");
  await new Promise((r) => setTimeout(r, 5)); // a later registration time
  const second = await c.join(1);
  const secondReg = await second.register("com.only", () => "second");
  let revoked: string | undefined;
  secondReg.onrevoke = (reason) => revoked = reason;
  await c.link(1, 0);
  await waitFor(() => revoked !== undefined, 1000, "revocation");
  assert.equal(revoked, ErrorUri.PROCEDURE_ALREADY_EXISTS);
  assert.equal(secondReg.active, false);
  assert.equal(firstReg.active, true);
  for (const i of [0, 1]) {
    await waitFor(() =>
      c.routers[i].realm("realm1")!.dealer.lookup("com.only", "exact")?.callees.length === 1
    );
    const caller = await c.join(i);
    assert.deepEqual((await caller.call("com.only")).args, ["first"]);
  }
  await c.close();
});
