import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { authenticatorComponent, authRouter, client, handshake } from "./_test_kit.ts";

Deno.test("ticket: CHALLENGE is ('ticket', {}); HELLO without authid is aborted (static)", async () => {
  const { router } = authRouter({
    ticket: { type: "static", principals: { alice: { ticket: "t", role: "frontend" } } },
  });
  const { challenge } = await handshake(client(router), {
    authmethods: ["ticket"],
    authid: "alice",
  });
  assert.deepEqual(challenge, [T.CHALLENGE, "ticket", {}]);
  const { last } = await handshake(client(router), { authmethods: ["ticket"] });
  assert.equal(last[2], ErrorUri.AUTHENTICATION_FAILED);
});

Deno.test("ticket static: a principal without a role gets no_such_role; a principal realm is joined", async () => {
  const { router } = authRouter({
    ticket: {
      type: "static",
      principals: {
        norole: { ticket: "t" },
        moved: { ticket: "t", role: "frontend", realm: "auth" },
        proto: { ticket: "t", role: "frontend" },
      },
    },
  });
  const a = await handshake(
    client(router),
    { authmethods: ["ticket"], authid: "norole" },
    () => "t",
  );
  assert.equal(a.last[2], ErrorUri.NO_SUCH_ROLE);
  const b = await handshake(
    client(router),
    { authmethods: ["ticket"], authid: "moved" },
    () => "t",
  );
  assert.equal(b.last[0], T.WELCOME);
  assert.equal((b.last[2] as Record<string, unknown>).realm, "auth");
  for (const authid of ["__proto__", "constructor", "toString"]) {
    const c = await handshake(client(router), { authmethods: ["ticket"], authid }, () => "t");
    assert.equal(c.last[2], ErrorUri.AUTHENTICATION_FAILED, authid);
  }
});

Deno.test("ticket dynamic: the authenticator gets realm, authid and details with the ticket", async () => {
  const { router, logger } = authRouter({
    ticket: { type: "dynamic", authenticator: "com.auth.t", "authenticator-realm": "auth" },
  });
  const calls: unknown[][] = [];
  const comp = await authenticatorComponent(router, "com.auth.t", (args) => {
    calls.push(args);
    return { role: "frontend", authid: "alice@example", extra: { plan: "gold" } };
  });
  const { last } = await handshake(
    client(router),
    { authmethods: ["ticket"], authid: "alice", authrole: "wish", authextra: { a: 1 } },
    () => "opensesame",
  );
  assert.equal(last[0], T.WELCOME);
  const d = last[2] as Record<string, unknown>;
  assert.equal(d.authid, "alice@example");
  assert.deepEqual(d.authextra, { plan: "gold" });
  assert.equal(calls.length, 1);
  const [realm, authid, details] = calls[0] as [string, string, Record<string, unknown>];
  assert.equal(realm, "realm1");
  assert.equal(authid, "alice");
  assert.equal(details.ticket, "opensesame");
  assert.equal(details.authmethod, "ticket");
  assert.equal(details.authrole, "wish");
  assert.deepEqual(details.authextra, { a: 1 });
  assert.equal((details.transport as Record<string, unknown>).peer, "tcp4:127.0.0.1:1");
  assert.ok(!JSON.stringify(logger.lines).includes("opensesame"));
  await comp.leave();
});

Deno.test("ticket dynamic: default-role applies when the answer names no role", async () => {
  const { router } = authRouter({
    ticket: {
      type: "dynamic",
      authenticator: "com.auth.t",
      "authenticator-realm": "auth",
      "default-role": "frontend",
    },
  });
  const comp = await authenticatorComponent(router, "com.auth.t", () => ({}));
  const { last } = await handshake(
    client(router),
    { authmethods: ["ticket"], authid: "x" },
    () => "t",
  );
  assert.equal((last[2] as Record<string, unknown>).authrole, "frontend");
  await comp.leave();
});
