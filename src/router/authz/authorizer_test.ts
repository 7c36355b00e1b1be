import assert from "node:assert/strict";
import {
  type Action,
  allowAllAuthorizer,
  type Permission,
  StaticAuthorizer,
} from "./authorizer.ts";

const subject = {
  session: 1,
  authid: "a",
  authrole: "r",
  authmethod: "anonymous",
  authprovider: "static",
};

const all = { call: true, register: true, publish: true, subscribe: true };
const none = { call: false, register: false, publish: false, subscribe: false };

// Precedence (Crossbar's): an exact pattern, then the most specific matching
// wildcard, then the longest matching prefix; no match denies.
const permissions: Permission[] = [
  { uri: "", match: "prefix", allow: { subscribe: true } },
  { uri: "com.app.", match: "prefix", allow: { call: true, publish: true } },
  { uri: "com.app.admin.", match: "prefix", allow: none },
  { uri: "com.app.admin.status", allow: { call: true } },
  { uri: "com..ping", match: "wildcard", allow: { register: true } },
  { uri: "com.svc.ping", match: "wildcard", allow: all },
  { uri: "org..x", match: "wildcard", allow: { call: true } },
  { uri: "org.a.", match: "wildcard", allow: { publish: true } },
  {
    uri: "com.disclosed.",
    match: "prefix",
    allow: all,
    disclose: { caller: true, publisher: true },
  },
];

const table: [string, Action, boolean][] = [
  ["anything.at.all", "subscribe", true],
  ["anything.at.all", "call", false],
  ["com.app.orders.list", "call", true],
  ["com.app.orders.list", "register", false],
  ["com.app.admin.users.delete", "call", false],
  ["com.app.admin.users.delete", "subscribe", false],
  ["com.app.admin.status", "call", true],
  ["com.app.admin.status", "publish", false],
  ["com.other.ping", "register", true],
  ["com.other.ping", "subscribe", false],
  ["com.app.ping", "register", true],
  ["com.app.ping", "call", false],
  ["com.app.ping.x", "call", true],
  ["com.svc.ping", "publish", true],
  ["org.b.x", "call", true],
  ["org.a.x", "call", false],
  ["org.a.x", "publish", true],
];

Deno.test("StaticAuthorizer: the most specific permission decides (exact > wildcard > longest prefix)", () => {
  const a = new StaticAuthorizer(permissions);
  for (const [uri, action, allow] of table) {
    assert.equal(a.authorize(subject, uri, action).allow, allow, `${action} ${uri}`);
  }
});

Deno.test("StaticAuthorizer: disclosure applies to call (caller) and publish (publisher) only", () => {
  const a = new StaticAuthorizer(permissions);
  assert.deepEqual(a.authorize(subject, "com.disclosed.x", "call"), {
    allow: true,
    disclose: true,
  });
  assert.deepEqual(a.authorize(subject, "com.disclosed.x", "publish"), {
    allow: true,
    disclose: true,
  });
  assert.deepEqual(a.authorize(subject, "com.disclosed.x", "register"), {
    allow: true,
    disclose: false,
  });
  assert.deepEqual(a.authorize(subject, "com.app.x", "call"), { allow: true, disclose: false });
});

Deno.test("StaticAuthorizer: no permissions deny everything; allowAllAuthorizer allows everything", () => {
  const a = new StaticAuthorizer([]);
  for (const action of ["call", "register", "publish", "subscribe"] as const) {
    assert.equal(a.authorize(subject, "com.x", action).allow, false);
    assert.equal(
      (allowAllAuthorizer.authorize(subject, "com.x", action) as { allow: boolean }).allow,
      true,
    );
  }
});
