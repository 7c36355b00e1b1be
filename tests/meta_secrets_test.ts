/**
 * Session meta never hands out another session's credentials (issue 9,
 * item 5): over a real Web transport, a long-poll session's transport id
 * (its only credential) and the Cookie / Authorization headers of its open
 * request are not in `wamp.session.get` or `wamp.session.on_join` as another
 * session sees them; with the id removed, the hijack the issue describes
 * (calling as the victim with its transport id) has nothing to start from.
 */

import assert from "node:assert/strict";
import { Router } from "../src/router/router.ts";
import { serveWeb } from "../src/transport/web.ts";
import { joinSession } from "../src/client/join_session.ts";
import { localPair } from "../src/client/local_transport.ts";

Deno.test("wamp.session.get and on_join show a long-poll session without its transport id and credential headers", async () => {
  const router = new Router({ realms: [{ name: "realm1" }] });
  const web = await serveWeb(router, {
    endpoint: { hostname: "127.0.0.1", port: 0 },
    paths: { lp: { type: "longpoll" } },
  });
  const spy = await joinSession(localPair(router), "realm1");
  const joins: unknown[] = [];
  await spy.subscribe("wamp.session.on_join", (args) => joins.push(args[0]));
  const base = `http://127.0.0.1:${web.port}/lp`;
  try {
    const open = await fetch(`${base}/open`, {
      method: "POST",
      headers: { cookie: "sid=victim", authorization: "Bearer victim-token", "user-agent": "t" },
      body: JSON.stringify({ protocols: ["wamp.2.json"] }),
    });
    const { transport } = await open.json();
    const send = await fetch(`${base}/${transport}/send`, {
      method: "POST",
      body: JSON.stringify([1, "realm1", { roles: { caller: {} } }]),
    });
    await send.body?.cancel();
    const welcome = await (await fetch(`${base}/${transport}/receive`, { method: "POST" })).json();
    assert.equal(welcome[0], 2);
    const victim = welcome[1];
    const details = (await spy.call("wamp.session.get", [victim])).args[0] as Record<
      string,
      unknown
    >;
    while (joins.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (const shown of [details, joins[0]]) {
      const text = JSON.stringify(shown);
      assert.ok(!text.includes(transport), `the transport id is not shown: ${text}`);
      assert.ok(!text.includes("victim"), `no cookie or token: ${text}`);
      const t = (shown as { transport: { type: string; extra: Record<string, unknown> } })
        .transport;
      assert.equal(t.type, "longpoll");
      assert.equal(
        (t.extra.http_headers_received as Record<string, string>)["user-agent"],
        "t",
        "other headers stay",
      );
    }
  } finally {
    await spy.leave();
    await web.shutdown();
  }
});
