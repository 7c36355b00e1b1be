import assert from "node:assert/strict";
import { MessageType as T } from "../wamp/messages.ts";
import {
  authRouter,
  client,
  handshake,
  methodCases,
  TRANSPORT,
} from "../router/authn/_test_kit.ts";
import { loadAuthMethods, loadedTransportAuthenticator } from "./auth_methods.ts";

Deno.test("loadAuthMethods() imports the methods named at any depth of a transport config; loadedTransportAuthenticator() then authenticates as transportAuthenticator() does", async () => {
  for (const c of await methodCases()) {
    // a Web transport's WebSocket path: the auth dict is two levels down
    await loadAuthMethods({ type: "web", paths: { ws: { type: "websocket", auth: c.auth } } });
    const { router } = authRouter({});
    router.setAuthenticator(TRANSPORT, loadedTransportAuthenticator(c.auth, { router }));
    const sessions = await c.setup?.(router) ?? [];
    try {
      const { last } = await handshake(client(router), c.hello, c.right);
      assert.equal(last[0], T.WELCOME, `${c.name}: ${JSON.stringify(last)}`);
      assert.equal((last[2] as Record<string, unknown>).authmethod, c.method, c.name);
      const wrong = await handshake(client(router), c.hello, c.wrong);
      assert.equal(wrong.last[0], T.ABORT, c.name);
    } finally {
      for (const s of sessions) await s.leave();
      router.shutdown();
    }
  }
});

Deno.test("loadedTransportAuthenticator() refuses an auth dict whose methods were not loaded", async () => {
  // a fresh copy of the module: nothing loaded but anonymous
  const fresh = await import(
    `./auth_methods.ts?fresh=${Date.now()}`
  ) as typeof import("./auth_methods.ts");
  const ticket = { type: "static" as const, principals: {} };
  assert.throws(
    () => fresh.loadedTransportAuthenticator({ ticket }),
    /authentication method "ticket" is not loaded/,
  );
  fresh.loadedTransportAuthenticator({ anonymous: { type: "static", role: "anonymous" } });
  await fresh.loadAuthMethods({ auth: { ticket } });
  fresh.loadedTransportAuthenticator({ ticket });
});
