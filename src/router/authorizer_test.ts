import { assert, assertEquals } from "./_assert.ts";
import { joined, TestClient, testRouter } from "./_test_client.ts";
import { MessageType as T } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { DynamicAuthorizer } from "./authz/dynamic_authorizer.ts";
import {
  type Action,
  type Authorizer,
  type AuthzDecision,
  type AuthzSubject,
  type RoleConfig,
  StaticAuthorizer,
} from "./authz/authorizer.ts";

const SUBJECT: AuthzSubject = {
  session: 1,
  authid: "a",
  authrole: "r",
  authmethod: "anonymous",
  authprovider: "static",
};

function allowed(a: StaticAuthorizer, uri: string, action: Action): boolean {
  return a.authorize(SUBJECT, uri, action).allow;
}

Deno.test("StaticAuthorizer.authorize() denies what no permission matches", () => {
  const a = new StaticAuthorizer([{ uri: "com.app.", match: "prefix", allow: { call: true } }]);
  assert(allowed(a, "com.app.x", "call"));
  assert(!allowed(a, "com.other", "call"));
  assert(!allowed(a, "com.app.x", "register"), "actions not listed are denied");
  const none = new StaticAuthorizer([]);
  for (const action of ["call", "register", "publish", "subscribe"] as const) {
    assert(!allowed(none, "com.app.x", action));
  }
});

Deno.test("StaticAuthorizer.authorize() lets the most specific permission win: exact, then the longest prefix", () => {
  // (How wildcards rank against prefixes is Crossbar's rule and is tested in
  // authz/authorizer_test.ts.)
  const a = new StaticAuthorizer([
    { uri: "", match: "prefix", allow: { call: true, subscribe: true } },
    { uri: "com.secret.", match: "prefix", allow: {} },
    { uri: "com.secret.public.", match: "prefix", allow: { call: true } },
    { uri: "com.secret.public.hidden", allow: {} },
  ]);
  assert(allowed(a, "com.anything", "call"));
  assert(!allowed(a, "com.secret.key", "call"), "a longer prefix denies");
  assert(allowed(a, "com.secret.public.info", "call"), "a still longer prefix allows again");
  assert(!allowed(a, "com.secret.public.hidden", "call"), "exact beats every prefix");
  assert(allowed(a, "com.secret.public.hidden.more", "call"), "exact is exact");
});

Deno.test("StaticAuthorizer.authorize() ranks wildcard permissions by the literal that comes first", () => {
  const w = new StaticAuthorizer([
    { uri: "org..admin", match: "wildcard", allow: {} },
    { uri: "org.x.", match: "wildcard", allow: { call: true } },
  ]);
  assert(!allowed(w, "org.y.admin", "call"));
  assert(allowed(w, "org.x.admin", "call"), "the literal earlier in the URI wins");
  assert(allowed(w, "org.x.other", "call"));
  assert(!allowed(w, "org.x.admin.more", "call"), "wildcards match whole components only");
});

Deno.test("StaticAuthorizer.authorize() discloses callers and publishers as the permission says", () => {
  const a = new StaticAuthorizer([{
    uri: "com.",
    match: "prefix",
    allow: { call: true, publish: true, register: true, subscribe: true },
    disclose: { caller: true },
  }]);
  assertEquals(a.authorize(SUBJECT, "com.x", "call"), { allow: true, disclose: true });
  assertEquals(a.authorize(SUBJECT, "com.x", "publish"), { allow: true, disclose: false });
  assertEquals(a.authorize(SUBJECT, "com.x", "register"), { allow: true, disclose: false });
  const b = new StaticAuthorizer([{
    uri: "",
    match: "prefix",
    allow: { publish: true },
    disclose: { publisher: true },
  }]);
  assertEquals(b.authorize(SUBJECT, "any.thing", "publish"), { allow: true, disclose: true });
  assertEquals(b.authorize(SUBJECT, "any.thing", "call"), { allow: false, disclose: false });
});

const ROLES: RoleConfig[] = [
  {
    name: "user",
    permissions: [
      {
        uri: "com.",
        match: "prefix",
        allow: { call: true, register: true, publish: true, subscribe: true },
      },
      { uri: "com.admin.", match: "prefix", allow: {} },
      { uri: "wamp.", match: "prefix", allow: { call: true, subscribe: true } },
    ],
  },
  { name: "nobody", permissions: [] },
];

Deno.test("Realm denies with not_authorized and changes no state: register, subscribe, call, publish", async () => {
  const r = testRouter({ roles: ROLES });
  const user = await joined(r, { authrole: "user" });
  const watcher = await joined(r, { authrole: "user" });
  await watcher.subscribe("wamp.registration.on_create");
  await watcher.subscribe("wamp.subscription.on_create");

  user.send([T.REGISTER, 1, {}, "com.admin.reset"]);
  assertEquals(await user.next(), [
    T.ERROR,
    T.REGISTER,
    1,
    {},
    ErrorUri.NOT_AUTHORIZED,
    [`session is not authorized to register "com.admin.reset" (role "user")`],
  ]);
  assertEquals(await user.result("wamp.registration.match", ["com.admin.reset"]), null);

  user.send([T.SUBSCRIBE, 2, {}, "com.admin.log"]);
  const m = await user.next();
  assertEquals([m[0], m[1], m[2], m[4]], [T.ERROR, T.SUBSCRIBE, 2, ErrorUri.NOT_AUTHORIZED]);
  assertEquals(await user.result("wamp.subscription.lookup", ["com.admin.log"]), null);
  assertEquals(watcher.drain(), [], "no meta events for denied requests");

  // a registration made by someone allowed, called by someone who is not
  const admin = await joined(r, { authrole: "admin-less" }).catch(() => undefined);
  assertEquals(admin, undefined, "an unknown role cannot join");
  await user.register("com.ok");
  const nobody = await joined(r, { authrole: "nobody" });
  const c = await nobody.call("com.ok");
  assertEquals([c[0], c[4]], [T.ERROR, ErrorUri.NOT_AUTHORIZED]);
  assertEquals(user.drain(), [], "the callee was not invoked");
  // meta procedures are authorized like any other
  const meta = await nobody.call("wamp.session.count");
  assertEquals([meta[0], meta[4]], [T.ERROR, ErrorUri.NOT_AUTHORIZED]);

  // publish: ERROR only when acknowledged, and no event either way
  await user.subscribe("com.news");
  nobody.send([T.PUBLISH, 3, { acknowledge: true }, "com.news", ["x"]]);
  const p = await nobody.next();
  assertEquals([p[0], p[1], p[2], p[4]], [T.ERROR, T.PUBLISH, 3, ErrorUri.NOT_AUTHORIZED]);
  nobody.send([T.PUBLISH, 4, {}, "com.news", ["x"]]);
  assertEquals(nobody.drain(), []);
  assertEquals(user.drain(), []);
});

Deno.test("RouterSession aborts with no_such_role when the authenticated role is missing on the realm", async () => {
  const r = testRouter({ roles: ROLES });
  const c = new TestClient(r);
  c.send([T.HELLO, "realm1", { roles: { caller: {} }, authrole: "ghost" }]);
  const m = await c.next();
  assertEquals(m[0], T.ABORT);
  assertEquals(m[2], ErrorUri.NO_SUCH_ROLE);
  assert(c.closed);
  const ok = await joined(r, { authrole: "user" });
  assertEquals(await ok.result("wamp.session.count"), 1, "the aborted session never joined");
});

/** An authorizer whose decisions resolve later, slower for URIs containing "slow". */
class SlowAuthorizer implements Authorizer {
  calls: string[] = [];
  decisions: Promise<AuthzDecision>[] = [];
  authorize(_s: AuthzSubject, uri: string, action: Action): Promise<AuthzDecision> {
    this.calls.push(`${action} ${uri}`);
    const ms = uri.includes("slow") ? 30 : 0;
    const d = new Promise<AuthzDecision>((resolve, reject) =>
      setTimeout(() => {
        if (uri.includes("broken")) reject(new Error("authorizer down"));
        else resolve({ allow: !uri.includes("deny"), disclose: uri.includes("disclose") });
      }, ms)
    );
    this.decisions.push(d);
    return d;
  }
}

Deno.test("Realm with an async authorizer keeps each session's message order", async () => {
  const r = testRouter();
  const authz = new SlowAuthorizer();
  r.realm("realm1")!.setAuthorizer("anonymous", authz);
  const sub = await joined(r);
  const pub = await joined(r);
  sub.send([T.SUBSCRIBE, 1, {}, "com.slow.topic"]);
  sub.send([T.SUBSCRIBE, 2, {}, "com.fast.topic"]);
  const s1 = await sub.next();
  const s2 = await sub.next();
  assertEquals([s1[0], s1[1], s2[0], s2[1]], [T.SUBSCRIBED, 1, T.SUBSCRIBED, 2]);
  // the slow publication goes out first, though its decision comes last
  pub.send([T.PUBLISH, 1, {}, "com.slow.topic", ["first"]]);
  pub.send([T.PUBLISH, 2, {}, "com.fast.topic", ["second"]]);
  pub.send([T.PUBLISH, 3, { acknowledge: true }, "com.deny.topic", ["denied"]]);
  pub.send([T.PUBLISH, 4, { acknowledge: true }, "com.fast.topic", ["third"]]);
  const e1 = await sub.next();
  const e2 = await sub.next();
  const e3 = await sub.next();
  assertEquals([e1[4], e2[4], e3[4]], [["first"], ["second"], ["third"]]);
  const d = await pub.next();
  assertEquals([d[0], d[2], d[4]], [T.ERROR, 3, ErrorUri.NOT_AUTHORIZED]);
  assertEquals((await pub.next()).slice(0, 2), [T.PUBLISHED, 4]);
  // messages that need no authorization wait their turn too
  const callee = await joined(r);
  callee.send([T.REGISTER, 1, {}, "com.slow.proc"]);
  callee.send([T.UNREGISTER, 2, 12345]);
  const reg = await callee.next();
  assertEquals(reg.slice(0, 2), [T.REGISTERED, 1]);
  const unreg = await callee.next();
  assertEquals([unreg[0], unreg[2], unreg[4]], [T.ERROR, 2, ErrorUri.NO_SUCH_REGISTRATION]);
});

Deno.test("Realm with an async authorizer: a rejected decision denies; disclosure comes from the decision", async () => {
  const r = testRouter();
  r.realm("realm1")!.setAuthorizer("anonymous", new SlowAuthorizer());
  const callee = await joined(r);
  const caller = await joined(r, { authid: "cal" });
  await callee.register("com.disclose.p");
  const broken = await caller.call("com.broken.p");
  assertEquals([broken[0], broken[4]], [T.ERROR, ErrorUri.NOT_AUTHORIZED]);
  const id = caller.req();
  caller.send([T.CALL, id, {}, "com.disclose.p"]);
  const inv = await callee.next();
  assertEquals(inv[3], { caller: caller.id, caller_authid: "cal", caller_authrole: "anonymous" });
  callee.send([T.YIELD, inv[1], {}]);
  assertEquals(await caller.next(), [T.RESULT, id, {}]);
});

Deno.test("Realm with an async authorizer drops a decision that arrives after the session left", async () => {
  const r = testRouter();
  const authz = new SlowAuthorizer();
  r.realm("realm1")!.setAuthorizer("anonymous", authz);
  const watcher = await joined(r);
  await watcher.subscribe("wamp.subscription.on_create");
  const leaving = await joined(r);
  leaving.send([T.SUBSCRIBE, 1, {}, "com.slow.topic"]);
  leaving.disconnect();
  assert(authz.calls.includes("subscribe com.slow.topic"));
  await Promise.allSettled(authz.decisions);
  await Promise.resolve(); // the realm's continuation of the decision runs right after it
  assertEquals(leaving.received, []);
  assertEquals(watcher.drain(), [], "no subscription was created");
  assertEquals(await watcher.result("wamp.subscription.lookup", ["com.slow.topic"]), null);
});

function patternAllowed(
  a: StaticAuthorizer,
  uri: string,
  match: "prefix" | "wildcard",
  action: Action,
): boolean {
  return a.authorize(SUBJECT, uri, action, match).allow;
}

Deno.test("StaticAuthorizer: a pattern needs a permission for every URI it matches (exact permissions grant no pattern)", () => {
  // The role: exactly proc.a (register) and pub.news (subscribe).
  const a = new StaticAuthorizer([
    { uri: "proc.a", allow: { register: true } },
    { uri: "pub.news", allow: { subscribe: true } },
  ]);
  assert(allowed(a, "proc.a", "register"));
  assert(
    !patternAllowed(a, "proc.a", "prefix", "register"),
    "proc.a* reaches proc.admin.delete_all",
  );
  assert(!patternAllowed(a, "pub.news", "prefix", "subscribe"), "pub.news* reaches pub.newsroom");
  assert(!patternAllowed(a, "proc..", "wildcard", "register"));
  // A wildcard pattern without an empty component is one URI.
  assert(patternAllowed(a, "proc.a", "wildcard", "register"));
});

Deno.test("StaticAuthorizer: a pattern is allowed under a covering permission unless a narrower one denies part of it", () => {
  const a = new StaticAuthorizer([
    { uri: "", match: "prefix", allow: {} },
    { uri: "pub.", match: "prefix", allow: { subscribe: true, register: true } },
    { uri: "pub.secret", allow: {} },
    { uri: "pub.internal.", match: "prefix", allow: {} },
    { uri: "pub..admin", match: "wildcard", allow: { subscribe: true } },
    { uri: "job.", match: "wildcard", allow: { register: true } },
    { uri: "job..x", match: "wildcard", allow: { register: true } },
  ]);
  // The catch-all deny never decides inside pub.news.*: the longer prefix does.
  assert(patternAllowed(a, "pub.news.", "prefix", "subscribe"));
  assert(!patternAllowed(a, "pub.", "prefix", "subscribe"), "pub.secret, pub.internal.* deny");
  assert(!patternAllowed(a, "pub.in", "prefix", "subscribe"), "reaches pub.internal.*");
  assert(!patternAllowed(a, "pub.x.", "prefix", "register"), "pub.x.admin is in it");
  assert(patternAllowed(a, "pub.x.y", "prefix", "register"));
  // Wildcard patterns: covered by a wildcard permission, or by a prefix.
  assert(patternAllowed(a, "job.", "wildcard", "register"));
  assert(patternAllowed(a, "job..x", "wildcard", "register"));
  assert(patternAllowed(a, "pub.news.", "wildcard", "subscribe"));
  assert(!patternAllowed(a, "pub..news", "wildcard", "subscribe"), "pub.internal.news");
  assert(!patternAllowed(a, "pub..admin", "wildcard", "register"));
  assert(!patternAllowed(a, "pub.", "wildcard", "subscribe"), "pub.secret is one of them");
  assert(!patternAllowed(a, "other.", "wildcard", "subscribe"));
});

Deno.test("Realm refuses pattern REGISTER/SUBSCRIBE the role's permissions do not cover, and no call or event reaches them", async () => {
  const r = testRouter({
    roles: [
      {
        name: "narrow",
        permissions: [
          { uri: "proc.a", allow: { register: true } },
          { uri: "pub.news", allow: { subscribe: true } },
        ],
      },
      {
        name: "admin",
        permissions: [{
          uri: "",
          match: "prefix",
          allow: { call: true, register: true, publish: true, subscribe: true },
        }],
      },
    ],
  });
  const narrow = await joined(r, { authrole: "narrow" });
  const admin = await joined(r, { authrole: "admin" });
  narrow.send([T.REGISTER, 1, { match: "prefix" }, "proc.a"]);
  const reg = await narrow.next();
  assertEquals([reg[0], reg[1], reg[2], reg[4]], [T.ERROR, T.REGISTER, 1, ErrorUri.NOT_AUTHORIZED]);
  narrow.send([T.SUBSCRIBE, 2, { match: "prefix" }, "pub.news"]);
  const sub = await narrow.next();
  assertEquals([sub[0], sub[1], sub[2], sub[4]], [
    T.ERROR,
    T.SUBSCRIBE,
    2,
    ErrorUri.NOT_AUTHORIZED,
  ]);
  narrow.send([T.REGISTER, 3, { match: "wildcard" }, "proc."]);
  assertEquals((await narrow.next())[4], ErrorUri.NOT_AUTHORIZED);
  // Exact ones are fine.
  await narrow.register("proc.a");
  await narrow.subscribe("pub.news");
  const call = await admin.call("proc.admin.delete_all");
  assertEquals([call[0], call[4]], [T.ERROR, ErrorUri.NO_SUCH_PROCEDURE]);
  admin.send([T.PUBLISH, 9, { acknowledge: true }, "pub.newsroom.internal", ["x"]]);
  assertEquals((await admin.next())[0], T.PUBLISHED);
  assertEquals(narrow.drain(), [], "nothing reached the narrow session");
});

Deno.test("DynamicAuthorizer gets options.match for a pattern request", async () => {
  const all = { call: true, register: true, publish: true, subscribe: true };
  const r = testRouter({
    roles: [{ name: "dyn" }, {
      name: "auth",
      permissions: [{ uri: "", match: "prefix", allow: all }],
    }],
  });
  const seen: unknown[][] = [];
  const authz = await joined(r, { authrole: "auth" });
  await authz.register("com.authorize");
  r.realm("realm1")!.setAuthorizer(
    "dyn",
    new DynamicAuthorizer(r.realm("realm1")!, "com.authorize"),
  );
  const user = await joined(r, { authrole: "dyn" });
  user.send([T.SUBSCRIBE, 1, { match: "prefix" }, "com.news"]);
  const inv = await authz.next();
  assertEquals(inv[0], T.INVOCATION);
  seen.push(inv[4] as unknown[]);
  authz.send([T.YIELD, inv[1], {}, [false]]);
  assertEquals((await user.next())[4], ErrorUri.NOT_AUTHORIZED);
  assertEquals((seen[0] as unknown[]).slice(1), ["com.news", "subscribe", { match: "prefix" }]);
});
