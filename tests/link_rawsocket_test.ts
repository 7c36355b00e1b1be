/**
 * Router links over a real RawSocket connection (TCP on 127.0.0.1), with each
 * serializer: the link frames survive JSON, MessagePack and CBOR, and a call
 * too big for the link's connection is answered `payload_size_exceeded`
 * without taking the link down.
 */
import assert from "node:assert/strict";
import { Router } from "../src/router/router.ts";
import { transportAuthenticator } from "../src/router/authn/transport_auth.ts";
import { generateLinkKey, linkIdentity } from "../src/router/link/link_identity.ts";
import { type DialWire, routerLinks } from "../src/router/link/link_manager.ts";
import { serveRawSocket } from "../src/transport/rawsocket_server.ts";
import { connectRawSocket } from "../src/client/rawsocket_transport.ts";
import type { ClientTransport } from "../src/client/client_transport.ts";
import { localPair } from "../src/client/local_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import { serializers } from "../src/serializer/mod.ts";
import type { Message } from "../src/wamp/messages.ts";
import { ErrorUri } from "../src/wamp/uris.ts";

/** A client transport in raw mode as the dialing end of a link. */
function dialWire(t: ClientTransport): DialWire {
  const w: DialWire = {
    onvalue: () => {},
    onclose: () => {},
    send: (frame) => t.send(frame as unknown as Message),
    close: () => t.close(),
    queuedBytes: () => t.queuedBytes ?? 0,
  };
  t.onraw = (v) => w.onvalue(v);
  t.onclose = (reason) => w.onclose(reason);
  return w;
}

async function until(pred: () => boolean, what: string, ms = 3000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const ser of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`link over RawSocket/${ser}: calls and events cross; a call too big for the link gets payload_size_exceeded and the link stays`, async () => {
    const [ka, kb] = [await generateLinkKey(), await generateLinkKey()];
    const trusted = (k: string) => k === ka.publicKey || k === kb.publicKey;
    const mk = async (id: string, key: typeof ka) =>
      new Router({
        handshakeTimeoutMs: 0,
        realms: [{ name: "realm1" }],
        links: routerLinks(await linkIdentity(id, key), { heartbeatMs: 1000 }),
      });
    const a = await mk("a", ka);
    const b = await mk("b", kb);
    a.setAuthenticator(
      "links",
      transportAuthenticator({
        cryptosign: {
          type: "static",
          principals: { rlink: { role: "rlink", authorized_keys: [kb.publicKey] } },
        },
      }),
    );
    const server = await serveRawSocket(a, {
      endpoint: { type: "tcp", port: 0, hostname: "127.0.0.1" },
      serializers: [serializers[ser]],
      maxMessageSize: 64 * 1024,
      transportId: "links",
    });
    const port = (server.addr as Deno.NetAddr).port;
    const t = await connectRawSocket({ transport: "tcp", hostname: "127.0.0.1", port }, {
      serializer: ser,
      maxLengthExponent: 7, // 2^(9+7) = 64 KiB from a to b too
    });
    const link = await b.links!.dial(dialWire(t), { realm: "realm1", trusted });
    await until(() => link.synced && a.links!.links()[0]?.synced === true, "link synced");

    const callee = await joinSession(localPair(b), "realm1");
    await callee.register("com.echo", (args) => args[0]);
    const events: unknown[] = [];
    await callee.subscribe("com.t", (args) => void events.push(args[0]));
    const caller = await joinSession(localPair(a), "realm1");
    await until(() => !!a.realm("realm1")!.dealer.lookup("com.echo", "exact"), "registration");
    await until(
      () => a.realm("realm1")!.broker.lookup("com.t", "exact")?.remoteSubscribers.size === 1,
      "subscription",
    );
    const payload = { n: 1, s: "x", list: [1, 2.5, null, true], nested: { k: [{}] } };
    assert.deepEqual((await caller.call("com.echo", [payload])).args, [payload]);
    await caller.publish("com.t", ["e1"], undefined, { acknowledge: true });
    await until(() => events.length === 1, "event");

    const big = "y".repeat(100 * 1024);
    await assert.rejects(caller.call("com.echo", [big]), { uri: ErrorUri.PAYLOAD_SIZE_EXCEEDED });
    assert.ok(link.open && a.links!.links().length === 1, "the link stays up");
    assert.deepEqual((await caller.call("com.echo", ["small"])).args, ["small"]);
    // a result too big to go back: the caller gets an ERROR, the link stays
    await callee.register("com.big", () => big);
    await until(() => !!a.realm("realm1")!.dealer.lookup("com.big", "exact"), "registration");
    await assert.rejects(caller.call("com.big"), { uri: ErrorUri.PAYLOAD_SIZE_EXCEEDED });
    assert.deepEqual((await caller.call("com.echo", ["after"])).args, ["after"]);

    await caller.leave();
    await callee.leave();
    b.shutdown();
    a.shutdown();
    t.close();
    await server.shutdown();
  });
}
