import assert from "node:assert/strict";
import { joined, testRouter } from "./_test_client.ts";
import { Registration } from "./dealer.ts";
import type { Party } from "./party.ts";

Deno.test("Realm.changes tells observers every routing change in the realm's order", async () => {
  const r = testRouter();
  const realm = r.realm("realm1")!;
  const log: string[] = [];
  realm.changes.add({
    sessionJoined: (s) => log.push(`joined ${s.id === 0 ? "?" : "s"}`),
    sessionLeft: (_s, reason) => log.push(`left ${reason}`),
    registrationCreated: (reg) => log.push(`reg+ ${reg.uri}`),
    calleeAdded: (reg) => log.push(`callee+ ${reg.uri}`),
    calleeRemoved: (reg) => log.push(`callee- ${reg.uri}`),
    registrationDeleted: (reg) => log.push(`reg- ${reg.uri}`),
    subscriptionCreated: (sub) => log.push(`sub+ ${sub.uri}`),
    subscriberAdded: (sub) => log.push(`subscriber+ ${sub.uri}`),
    subscriberRemoved: (sub) => log.push(`subscriber- ${sub.uri}`),
    subscriptionDeleted: (sub) => log.push(`sub- ${sub.uri}`),
  });
  const a = await joined(r);
  await a.register("p");
  await a.subscribe("t");
  await a.subscribe("wamp.session.on_join");
  await a.leave();
  assert.deepEqual(log, [
    "joined s",
    "reg+ p",
    "callee+ p",
    "sub+ t",
    "subscriber+ t",
    "sub+ wamp.session.on_join",
    "subscriber+ wamp.session.on_join",
    "callee- p",
    "reg- p",
    "subscriber- t",
    "sub- t",
    "subscriber- wamp.session.on_join",
    "sub- wamp.session.on_join",
    "left wamp.close.normal",
  ]);
});

Deno.test("Registration.addCallee() keeps callees in registration order (since, then session id)", () => {
  const reg = new Registration(1, "p", "exact", "first");
  const party = (id: number) => ({ id }) as unknown as Party;
  const [a, b, c, d] = [party(4), party(3), party(2), party(1)];
  reg.addCallee({ session: a, discloseCaller: false, since: 20 });
  reg.addCallee({ session: b, discloseCaller: false, since: 10 });
  reg.addCallee({ session: c, discloseCaller: false, since: 30 });
  reg.addCallee({ session: d, discloseCaller: false, since: 20 });
  assert.deepEqual(reg.callees.map((x) => x.session.id), [3, 1, 4, 2]);
});
