import assert from "node:assert/strict";
import { Router } from "../router/router.ts";
import { generateLinkKey, linkIdentity } from "../router/link/link_identity.ts";
import { LINK_ROLE, routerLinks } from "../router/link/link_manager.ts";
import { MemoryLinkWire } from "../router/link/memory_link.ts";
import { transportAuthenticator } from "../router/authn/transport_auth.ts";
import { startDialLoop } from "./link_dial_loop.ts";
import { nullLogger } from "../log/logger.ts";

const TRANSPORT = "links";

async function pair() {
  const key = await generateLinkKey();
  const make = async (id: string) => {
    const r = new Router({
      realms: [{ name: "realm1" }],
      links: routerLinks(await linkIdentity(id, key), { heartbeatMs: 200 }),
    });
    r.setAuthenticator(
      TRANSPORT,
      transportAuthenticator({
        cryptosign: {
          type: "static",
          principals: { rlink: { role: LINK_ROLE, authorized_keys: [key.publicKey] } },
        },
      }),
    );
    return r;
  };
  return { key, a: await make("a"), b: await make("b") };
}

async function until(pred: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("startDialLoop() links, redials after the connection is cut, and stops for good", async () => {
  const { key, a, b } = await pair();
  const wires: MemoryLinkWire[] = [];
  const loop = startDialLoop(b.links!, {
    peer: "a",
    logger: nullLogger,
    initialDelayMs: 10,
    connect: () => {
      const w = new MemoryLinkWire(a, { transportId: TRANSPORT });
      wires.push(w);
      return Promise.resolve(w.dialer);
    },
    dial: { realm: "realm1", trusted: (k) => k === key.publicKey },
  });
  await until(() => loop.status().state === "up" && a.links!.hasLink("realm1", "b"), "link up");
  assert.equal(wires.length, 1);
  wires[0].cut();
  await until(() => wires.length === 2 && loop.status().state === "up", "redialed");
  assert.ok(a.links!.hasLink("realm1", "b"));
  await loop.stop();
  assert.equal(loop.status().state, "stopped");
  assert.equal(loop.link, undefined);
  await until(() => !a.links!.hasLink("realm1", "b"), "link closed on the peer");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(wires.length, 2, "no dial after stop");
  a.shutdown();
  b.shutdown();
});

Deno.test("startDialLoop() backs off after failures, with the error in its status, and nudge() retries at once", async () => {
  const { key, a, b } = await pair();
  let attempts = 0;
  let reachable = false;
  const loop = startDialLoop(b.links!, {
    peer: "a",
    logger: nullLogger,
    initialDelayMs: 20,
    maxDelayMs: 60_000,
    jitter: 0,
    connect: () => {
      attempts++;
      if (!reachable) return Promise.reject(new Error("connection refused"));
      return Promise.resolve(new MemoryLinkWire(a, { transportId: TRANSPORT }).dialer);
    },
    dial: { realm: "realm1", trusted: (k) => k === key.publicKey },
  });
  // 20, 40, 80, 160, 320 ms: about 5 attempts in the first ~600 ms, then 640 ms waits
  await until(() => attempts >= 5, "five attempts");
  const s = loop.status();
  assert.equal(s.last_error, "connection refused");
  assert.ok(s.failures >= 5);
  await until(() => loop.status().state === "backoff", "backoff");
  reachable = true;
  await new Promise((r) => setTimeout(r, 5));
  loop.nudge();
  await until(() => loop.status().state === "up", "up after nudge", 500);
  assert.equal(loop.status().failures, 0);
  await loop.stop();
  a.shutdown();
  b.shutdown();
});

Deno.test("startDialLoop() does not trust a peer with another key: the link is refused and retried", async () => {
  const { a, b } = await pair();
  const loop = startDialLoop(b.links!, {
    peer: "a",
    logger: nullLogger,
    initialDelayMs: 10,
    connect: () => Promise.resolve(new MemoryLinkWire(a, { transportId: TRANSPORT }).dialer),
    dial: { realm: "realm1", trusted: () => false },
  });
  await until(() => (loop.status().failures ?? 0) >= 2, "two refusals");
  assert.match(loop.status().last_error ?? "", /not trusted/);
  assert.equal(a.links!.links().length, 0);
  await loop.stop();
  a.shutdown();
  b.shutdown();
});

Deno.test("DialLoop.drop() closes the current link and the loop redials", async () => {
  const { key, a, b } = await pair();
  let n = 0;
  const loop = startDialLoop(b.links!, {
    peer: "a",
    logger: nullLogger,
    initialDelayMs: 10,
    connect: () => {
      n++;
      return Promise.resolve(new MemoryLinkWire(a, { transportId: TRANSPORT }).dialer);
    },
    dial: { realm: "realm1", trusted: (k) => k === key.publicKey },
  });
  await until(() => loop.status().state === "up", "up");
  assert.equal(loop.drop(), true);
  await until(() => n === 2 && loop.status().state === "up", "up again");
  await loop.stop();
  a.shutdown();
  b.shutdown();
});

Deno.test("startDialLoop() refused as a duplicate learns the peer's router and waits in standby, without failures", async () => {
  const { key, a, b } = await pair();
  const dial = (from: Router, to: Router, peer: string, opts = {}) => {
    let connects = 0;
    const loop = startDialLoop(from.links!, {
      peer,
      logger: nullLogger,
      initialDelayMs: 10,
      maxDelayMs: 40,
      connect: () => {
        connects++;
        return Promise.resolve(new MemoryLinkWire(to, { transportId: TRANSPORT }).dialer);
      },
      dial: { realm: "realm1", trusted: (k) => k === key.publicKey },
      ...opts,
    });
    return { loop, connects: () => connects };
  };
  // a dials b first: that link stands (the smaller router id's dial wins).
  const ab = dial(a, b, "b");
  await until(() => ab.loop.status().state === "up", "a linked to b");
  let known: string | undefined;
  const duplicates: (string | undefined)[] = [];
  const ba = dial(b, a, "a", {
    skip: () => known !== undefined && b.links!.hasLink("realm1", known),
    onDuplicate: (router: string | undefined) => {
      duplicates.push(router);
      known = router;
    },
  });
  await until(() => ba.loop.status().state === "standby", "b's loop in standby");
  assert.deepEqual(duplicates, ["a"]);
  assert.equal(ba.loop.status().failures, 0);
  assert.match(ba.loop.status().last_error ?? "", /xbar\.error\.duplicate_link/);
  await new Promise((r) => setTimeout(r, 200)); // 5 standby periods
  assert.equal(ba.connects(), 1, "no dial while the link a made is up");
  // The link ends for good on a's side: b's loop dials again and links.
  await ab.loop.stop();
  await until(() => ba.loop.status().state === "up", "b linked to a");
  assert.ok(a.links!.hasLink("realm1", "b"));
  await ba.loop.stop();
  a.shutdown();
  b.shutdown();
});
