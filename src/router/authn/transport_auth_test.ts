import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { Router } from "../router.ts";
import { TestClient } from "../_test_client.ts";
import { transportAuthenticator } from "./transport_auth.ts";
import { authRouter, client, handshake } from "./_test_kit.ts";

const several = {
  anonymous: { type: "static" as const, role: "frontend" },
  ticket: { type: "static" as const, principals: { alice: { ticket: "t", role: "backend" } } },
};

Deno.test("transportAuthenticator() uses the first configured method in the client's order", async () => {
  const { router } = authRouter(several);
  const t = await handshake(client(router), {
    authmethods: ["ticket", "anonymous"],
    authid: "alice",
  }, () => "t");
  assert.equal((t.last[2] as Record<string, unknown>).authmethod, "ticket");
  const a = await handshake(client(router), {
    authmethods: ["anonymous", "ticket"],
    authid: "alice",
  });
  assert.equal((a.last[2] as Record<string, unknown>).authmethod, "anonymous");
  const d = await handshake(client(router), {});
  assert.equal((d.last[2] as Record<string, unknown>).authmethod, "anonymous");
});

Deno.test("transportAuthenticator() does not fall back to another method when the chosen one fails", async () => {
  const { router } = authRouter(several);
  const { last } = await handshake(client(router), {
    authmethods: ["ticket", "anonymous"],
    authid: "alice",
  }, () => "wrong");
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("transportAuthenticator() with no methods refuses everyone with no_auth_method", async () => {
  const { router } = authRouter({});
  for (const authmethods of [undefined, ["anonymous"], ["ticket"], "ticket", [1, 2]]) {
    const { last } = await handshake(
      client(router),
      authmethods === undefined ? {} : { authmethods },
    );
    assert.equal(last[0], T.ABORT);
    assert.equal(last[2], ErrorUri.NO_AUTH_METHOD);
  }
});

Deno.test("transportAuthenticator() needs the router for dynamic methods", () => {
  assert.throws(
    () => transportAuthenticator({ ticket: { type: "dynamic", authenticator: "com.a" } }),
    /needs options.router/,
  );
});

Deno.test("transportAuthenticator() applies only to its transport; others keep the router default", async () => {
  const router = new Router({ handshakeTimeoutMs: 0, realms: [{ name: "realm1" }] });
  router.setAuthenticator("secure", transportAuthenticator({}));
  const open = new TestClient(router, { transportId: "other" });
  assert.equal((await handshake(open, {})).last[0], T.WELCOME);
  const closed = new TestClient(router, { transportId: "secure" });
  assert.equal((await handshake(closed, {})).last[2], ErrorUri.NO_AUTH_METHOD);
});
