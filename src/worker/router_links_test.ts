import assert from "node:assert/strict";
import { join } from "node:path";
import { Router } from "../router/router.ts";
import { generateLinkKey, linkIdentity } from "../router/link/link_identity.ts";
import { routerLinks } from "../router/link/link_manager.ts";
import { localPair } from "../client/local_transport.ts";
import { joinSession } from "../client/join_session.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { CallResult } from "../client/call_result.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { MessageType } from "../wamp/messages.ts";
import { nullLogger } from "../log/logger.ts";
import { RouterLinks } from "./router_links.ts";

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Two routers of one node key, each listening for links on a Unix socket in `dir`. */
async function node(dir: string, key?: { publicKey: string; privateKey: string }) {
  key ??= await generateLinkKey();
  const make = async (id: string) => {
    const router = new Router({
      realms: [{ name: "realm1" }],
      links: routerLinks(await linkIdentity(`n/${id}`, key), { heartbeatMs: 1000 }),
    });
    const links = new RouterLinks(router, {
      publicKey: key.publicKey,
      socketPath: join(dir, `link-${id}.sock`),
      logger: nullLogger,
    });
    await links.listen();
    return { router, links };
  };
  return { key, a: await make("a"), b: await make("b") };
}

Deno.test("RouterLinks: a worker dials its peer's Unix socket, and calls cross the link", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbl-" });
  const { a, b } = await node(dir);
  const mode = (await Deno.stat(a.links.socketPath)).mode! & 0o777;
  assert.equal(mode, 0o600);
  b.links.setPeers([{ realm: "realm1", peer: "n/a", path: a.links.socketPath }]);
  await until(() => b.links.status()[0]?.synced === true, "link synced");
  const callee = await joinSession(localPair(a.router), "realm1");
  await callee.register("com.add", (args, kw) => new CallResult([Number(args[0]) + 1], kw));
  const caller = await joinSession(localPair(b.router), "realm1");
  await until(
    () => b.router.realm("realm1")!.dealer.lookup("com.add", "exact") !== undefined,
    "registration known on b",
  );
  const r = await caller.call("com.add", [41], { k: "v" });
  assert.deepEqual([r.args, r.kwargs], [[42], { k: "v" }]);
  const [st] = b.links.status();
  assert.equal(st.peer, "n/a");
  assert.equal(st.dialed, true);
  assert.equal(st.state, "up");
  assert.equal(st.remote_sessions, 1);
  assert.equal(typeof st.queued_bytes, "number");
  const [sa] = a.links.status();
  assert.deepEqual([sa.peer, sa.dialed, sa.state], ["n/b", false, "up"]);

  // the link removed from the plan: closed on both sides, the registration gone on b
  b.links.setPeers([]);
  await until(() => a.links.status().length === 0, "link closed on a");
  await until(
    () => b.router.realm("realm1")!.dealer.lookup("com.add", "exact") === undefined,
    "registration dropped on b",
  );
  await assert.rejects(caller.call("com.add", [1]), { uri: ErrorUri.NO_SUCH_PROCEDURE });
  for (const x of [a, b]) {
    await x.links.shutdown();
    x.router.shutdown();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("RouterLinks: the link socket accepts only the node key, as role rlink", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbl-" });
  const { a, b } = await node(dir);
  // a stranger's router (another key) is refused; the loop keeps trying and says why
  const otherDir = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbl-" });
  const other = await node(otherDir);
  other.b.links.setPeers([{ realm: "realm1", peer: "n/a", path: a.links.socketPath }]);
  await until(() => (other.b.links.status()[0]?.failures as number) >= 1, "refused");
  assert.match(String(other.b.links.status()[0].last_error), /wamp\.error\.authentication_failed/);
  assert.equal(a.links.status().length, 0);
  // a plain WAMP client cannot join over the link socket
  const t = await connectRawSocket({ transport: "unix", path: a.links.socketPath }, {
    serializer: "msgpack",
  });
  const reply = new Promise<unknown[]>((resolve) => (t.onmessage = (m) => resolve(m)));
  t.send([MessageType.HELLO, "realm1", { roles: { caller: {} } }]);
  const m = await reply;
  assert.equal(m[0], MessageType.ABORT);
  t.close();
  for (const x of [a, b, other.a, other.b]) {
    await x.links.shutdown();
    x.router.shutdown();
  }
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(otherDir, { recursive: true });
});

Deno.test("RouterLinks.peerGone() ends calls routed to the peer at once with wamp.error.canceled", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "xbl-" });
  const { a, b } = await node(dir);
  b.links.setPeers([{ realm: "realm1", peer: "n/a", path: a.links.socketPath }]);
  await until(() => b.links.status()[0]?.synced === true, "link synced");
  const callee = await joinSession(localPair(a.router), "realm1");
  let invoked = false;
  await callee.register("com.slow", () => {
    invoked = true;
    return new Promise(() => {});
  });
  const caller = await joinSession(localPair(b.router), "realm1");
  await until(
    () => b.router.realm("realm1")!.dealer.lookup("com.slow", "exact") !== undefined,
    "registration known on b",
  );
  const p = caller.call("com.slow");
  await until(() => invoked, "invoked on a");
  assert.equal(b.links.peerGone("n/a"), 1);
  await assert.rejects(p, { uri: ErrorUri.CANCELED });
  // the loop redials (a is still there): the link comes back
  await until(() => b.links.status()[0]?.synced === true, "link back");
  for (const x of [a, b]) {
    await x.links.shutdown();
    x.router.shutdown();
  }
  await Deno.remove(dir, { recursive: true });
});
