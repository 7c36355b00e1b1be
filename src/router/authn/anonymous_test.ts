import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import {
  AUTH_REALM,
  authenticatorComponent,
  authRouter,
  client,
  handshake,
  REALM,
} from "./_test_kit.ts";

Deno.test("anonymous static: the configured role, a fresh authid each time; HELLO's authid is ignored", async () => {
  const { router } = authRouter({ anonymous: { type: "static", role: "frontend" } });
  const ids = new Set<unknown>();
  for (const details of [{}, { authmethods: ["anonymous"] }, { authid: "admin" }]) {
    const { last } = await handshake(client(router), details);
    assert.equal(last[0], T.WELCOME);
    const d = last[2] as Record<string, unknown>;
    assert.equal(d.authrole, "frontend");
    assert.equal(d.authmethod, "anonymous");
    assert.equal(d.authprovider, "static");
    assert.notEqual(d.authid, "admin");
    ids.add(d.authid);
  }
  assert.equal(ids.size, 3);
});

Deno.test("anonymous static: a configured authid is used; a role the realm lacks is no_such_role", async () => {
  const fixed = authRouter({ anonymous: { type: "static", role: "frontend", authid: "guest" } });
  const { last } = await handshake(client(fixed.router), {});
  assert.equal((last[2] as Record<string, unknown>).authid, "guest");
  const missing = authRouter({ anonymous: { type: "static", role: "nope" } });
  const m = await handshake(client(missing.router), {});
  assert.equal(m.last[0], T.ABORT);
  assert.equal(m.last[2], ErrorUri.NO_SUCH_ROLE);
});

Deno.test("anonymous static: AUTHENTICATE is a protocol violation (there is no challenge)", async () => {
  const { router } = authRouter({ anonymous: { type: "static", role: "frontend" } });
  const c = client(router);
  c.send([T.AUTHENTICATE, "x", {}]);
  const m = await c.next();
  assert.equal(m[2], ErrorUri.PROTOCOL_VIOLATION);
});

Deno.test("anonymous dynamic: the authenticator assigns the role, or refuses", async () => {
  const { router } = authRouter({
    anonymous: { type: "dynamic", authenticator: "com.auth.anon", "authenticator-realm": "auth" },
  });
  const comp = await authenticatorComponent(router, "com.auth.anon", ([, authid, details]) => {
    assert.equal(authid, null);
    const peer = (details as Record<string, Record<string, unknown>>).transport.peer;
    if (peer === "tcp4:127.0.0.1:1") return "frontend";
    throw new ApplicationError("com.example.banned", { message: "go away" });
  });
  const ok = await handshake(client(router), {});
  assert.equal(ok.last[0], T.WELCOME);
  assert.equal((ok.last[2] as Record<string, unknown>).authprovider, "dynamic");
  const { TestClient } = await import("../_test_client.ts");
  const other = new TestClient(router, { transportId: "t1", peer: "tcp4:10.0.0.1:2" });
  const no = await handshake(other, {});
  assert.equal(no.last[0], T.ABORT);
  assert.equal(no.last[2], "com.example.banned");
  assert.equal((no.last[1] as Record<string, unknown>).message, "go away");
  await comp.leave();
});

Deno.test("anonymous static: a configured realm is the realm every anonymous session joins", async () => {
  const { router } = authRouter({
    anonymous: { type: "static", role: "frontend", realm: AUTH_REALM },
  });
  const { last } = await handshake(client(router), {});
  assert.equal(last[0], T.WELCOME);
  assert.equal(router.realm(AUTH_REALM)!.sessions.size, 1);
  assert.equal(router.realm(REALM)!.sessions.size, 0);
});
