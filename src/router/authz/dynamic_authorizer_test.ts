import assert from "node:assert/strict";
import type { Dict, List } from "../../wamp/messages.ts";
import { MessageType as T } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { MemoryLogger } from "../../log/logger.ts";
import { Router } from "../router.ts";
import { FULL_ROLES, TestClient } from "../_test_client.ts";
import type { AuthenticatorFactory } from "../authn/authenticator.ts";
import { localPair } from "../../client/local_transport.ts";
import { joinSession } from "../../client/join_session.ts";
import type { Session } from "../../client/session.ts";
import { configureRoles } from "./configure_roles.ts";

/** Sessions get the authrole (and authid) they ask for in HELLO. */
const asRequested: AuthenticatorFactory = () => ({
  hello: (_realm, d) => ({
    kind: "welcome",
    info: {
      authid: String(d.authid ?? "anon"),
      authrole: String(d.authrole),
      authmethod: "anonymous",
      authprovider: "test",
    },
  }),
  authenticate: () => ({ kind: "abort", uri: ErrorUri.PROTOCOL_VIOLATION, message: "no" }),
});

type Handler = (args: List) => unknown;

interface Setup {
  router: Router;
  logger: MemoryLogger;
  calls: List[];
  authorizer: Session;
  backend: Session;
  user(authid?: string): Promise<TestClient>;
  close(): Promise<void>;
}

/**
 * realm1 with roles: "authz" (may register com.authz.*), "backend" (may do
 * everything), "user" (dynamic: com.authz.check), "viewer" (static: call com.app.*).
 */
async function setup(handler: Handler, options: { timeoutMs?: number } = {}): Promise<Setup> {
  const logger = new MemoryLogger();
  const router = new Router({
    logger,
    handshakeTimeoutMs: 0,
    authenticator: asRequested,
    realms: [{ name: "realm1", roles: [] }],
  });
  const realm = router.realm("realm1")!;
  configureRoles(realm, [
    {
      name: "authz",
      permissions: [{ uri: "com.authz.", match: "prefix", allow: { register: true } }],
    },
    {
      name: "backend",
      permissions: [{
        uri: "",
        match: "prefix",
        allow: { call: true, register: true, publish: true, subscribe: true },
      }],
    },
    { name: "user", authorizer: "com.authz.check" },
    { name: "viewer", permissions: [{ uri: "com.app.", match: "prefix", allow: { call: true } }] },
  ], { timeoutMs: options.timeoutMs });
  const calls: List[] = [];
  const authorizer = await joinSession(localPair(router), "realm1", { authrole: "authz" });
  await authorizer.register("com.authz.check", (args) => {
    calls.push(args);
    return handler(args);
  });
  const backend = await joinSession(localPair(router), "realm1", { authrole: "backend" });
  await backend.register("com.app.echo", (args, _kw, d) => [args, d.caller ?? null]);
  const users: TestClient[] = [];
  return {
    router,
    logger,
    calls,
    authorizer,
    backend,
    async user(authid = "u1") {
      const c = new TestClient(router);
      users.push(c);
      await c.join("realm1", { authrole: "user", authid });
      return c;
    },
    async close() {
      for (const u of users) u.disconnect();
      await authorizer.leave();
      await backend.leave();
    },
  };
}

Deno.test("DynamicAuthorizer: the procedure gets (session details, uri, action, {}) and true allows", async () => {
  const s = await setup(() => true);
  const u = await s.user("alice");
  u.send([T.CALL, 1, {}, "com.app.echo", ["hi"]]);
  const res = await u.next();
  assert.deepEqual(res, [T.RESULT, 1, {}, [[["hi"], null]]]);
  assert.equal(s.calls.length, 1);
  const [details, uri, action, options] = s.calls[0] as [Dict, string, string, Dict];
  assert.equal(uri, "com.app.echo");
  assert.equal(action, "call");
  assert.deepEqual(options, {});
  assert.equal(details.session, u.id);
  assert.equal(details.authid, "alice");
  assert.equal(details.authrole, "user");
  assert.equal((details.transport as Dict).type, "local");
  await s.close();
});

Deno.test("DynamicAuthorizer: false denies with not_authorized and changes nothing", async () => {
  const s = await setup(() => false);
  const u = await s.user();
  u.send([T.SUBSCRIBE, 1, {}, "com.app.topic"]);
  const m = await u.next();
  assert.equal(m[0], T.ERROR);
  assert.equal(m[4], ErrorUri.NOT_AUTHORIZED);
  const subs = await s.backend.call("wamp.subscription.lookup", ["com.app.topic"]);
  assert.deepEqual(subs.args, [null]);
  u.send([T.REGISTER, 2, {}, "com.app.proc"]);
  assert.equal((await u.next())[4], ErrorUri.NOT_AUTHORIZED);
  const regs = await s.backend.call("wamp.registration.lookup", ["com.app.proc"]);
  assert.deepEqual(regs.args, [null]);
  await s.close();
});

Deno.test("DynamicAuthorizer: {allow, disclose} discloses the caller to the callee", async () => {
  const s = await setup(() => ({ allow: true, disclose: true }));
  const u = await s.user();
  u.send([T.CALL, 1, {}, "com.app.echo", ["x"]]);
  assert.deepEqual(await u.next(), [T.RESULT, 1, {}, [[["x"], u.id]]]);
  await s.close();
});

Deno.test("DynamicAuthorizer: {cache: true} is remembered per session, URI and action", async () => {
  const s = await setup(() => ({ allow: true, cache: true }));
  const u = await s.user();
  for (let i = 1; i <= 3; i++) {
    u.send([T.CALL, i, {}, "com.app.echo", []]);
    assert.equal((await u.next())[0], T.RESULT);
  }
  assert.equal(s.calls.length, 1);
  u.send([T.PUBLISH, 10, { acknowledge: true }, "com.app.echo"]);
  assert.equal((await u.next())[0], T.PUBLISHED);
  assert.equal(s.calls.length, 2);
  const v = await s.user("u2");
  v.send([T.CALL, 1, {}, "com.app.echo", []]);
  assert.equal((await v.next())[0], T.RESULT);
  assert.equal(s.calls.length, 3);
  await s.close();
});

Deno.test("DynamicAuthorizer: a new session on the same connection does not inherit the cache", async () => {
  const s = await setup(([details]) => ({
    allow: (details as Dict).authid === "first",
    cache: true,
  }));
  const u = await s.user("first");
  u.send([T.CALL, 1, {}, "com.app.echo", []]);
  assert.equal((await u.next())[0], T.RESULT);
  u.send([T.GOODBYE, {}, "wamp.close.normal"]);
  assert.equal((await u.next())[0], T.GOODBYE);
  await u.join("realm1", { authrole: "user", authid: "second" });
  u.send([T.CALL, 2, {}, "com.app.echo", []]);
  assert.equal((await u.next())[4], ErrorUri.NOT_AUTHORIZED);
  assert.equal(s.calls.length, 2);
  await s.close();
});

Deno.test("DynamicAuthorizer: without cache every action asks again", async () => {
  const s = await setup(() => ({ allow: true }));
  const u = await s.user();
  for (let i = 1; i <= 3; i++) {
    u.send([T.CALL, i, {}, "com.app.echo", []]);
    assert.equal((await u.next())[0], T.RESULT);
  }
  assert.equal(s.calls.length, 3);
  await s.close();
});

Deno.test("DynamicAuthorizer: errors, bad answers and timeouts deny (and are logged)", async () => {
  const answers: Handler[] = [
    () => {
      throw new ApplicationError("com.example.oops");
    },
    () => "yes",
    () => ({ allow: "yes" }),
    () => null,
    () => new Promise(() => {}),
  ];
  for (const handler of answers) {
    const s = await setup(handler, { timeoutMs: 40 });
    const u = await s.user();
    u.send([T.CALL, 1, {}, "com.app.echo", []]);
    const m = await u.next();
    assert.equal(m[0], T.ERROR);
    assert.equal(m[4], ErrorUri.NOT_AUTHORIZED);
    assert.ok(s.logger.lines.some((l) => l.level === "warn"));
    await s.close();
  }
});

Deno.test("DynamicAuthorizer: no authorizer registered denies", async () => {
  const s = await setup(() => true);
  await s.authorizer.leave();
  const u = await s.user();
  u.send([T.CALL, 1, {}, "com.app.echo", []]);
  assert.equal((await u.next())[4], ErrorUri.NOT_AUTHORIZED);
  await s.backend.leave();
  u.disconnect();
});

Deno.test("DynamicAuthorizer: an authorizer taking 3 arguments is called again without options", async () => {
  const s = await setup((args) => {
    if (args.length === 4) throw new ApplicationError(ErrorUri.INVALID_ARGUMENT);
    return args[1] === "com.app.echo";
  });
  const u = await s.user();
  u.send([T.CALL, 1, {}, "com.app.echo", []]);
  assert.equal((await u.next())[0], T.RESULT);
  assert.deepEqual(s.calls.map((c) => c.length), [4, 3]);
  await s.close();
});

Deno.test("DynamicAuthorizer: later messages wait for a pending decision (order is kept)", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = await setup(async ([, uri]) => {
    if (uri === "com.app.slow") await gate;
    return true;
  });
  const u = await s.user();
  u.send([T.SUBSCRIBE, 1, {}, "com.app.slow"]);
  u.send([T.CALL, 2, {}, "com.app.echo", []]);
  release();
  assert.equal((await u.next())[0], T.SUBSCRIBED);
  assert.equal((await u.next())[0], T.RESULT);
  await s.close();
});

Deno.test("Meta API calls and meta topics go through permissions", async () => {
  const s = await setup(([, uri]) => uri === "wamp.session.count");
  const viewer = new TestClient(s.router);
  await viewer.join("realm1", { roles: FULL_ROLES, authrole: "viewer" });
  viewer.send([T.CALL, 1, {}, "wamp.session.count"]);
  assert.equal((await viewer.next())[4], ErrorUri.NOT_AUTHORIZED);
  viewer.send([T.SUBSCRIBE, 2, {}, "wamp.session.on_join"]);
  assert.equal((await viewer.next())[4], ErrorUri.NOT_AUTHORIZED);
  viewer.send([T.CALL, 3, {}, "wamp.session.kill_by_authid", ["anon"]]);
  assert.equal((await viewer.next())[4], ErrorUri.NOT_AUTHORIZED);
  const u = await s.user();
  u.send([T.CALL, 1, {}, "wamp.session.count"]);
  assert.equal((await u.next())[0], T.RESULT);
  u.send([T.CALL, 2, {}, "wamp.session.list"]);
  assert.equal((await u.next())[4], ErrorUri.NOT_AUTHORIZED);
  assert.deepEqual(s.calls.map((c) => c[1]), ["wamp.session.count", "wamp.session.list"]);
  viewer.disconnect();
  await s.close();
});
