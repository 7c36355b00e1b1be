import assert from "node:assert/strict";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { CallResult } from "../../client/call_result.ts";
import type { InvocationDetails } from "../../client/invocation_details.ts";
import { cluster, linkOf, waitFor } from "./_link_test_kit.ts";

Deno.test("link: a call on router A reaches a callee on router B with args and kwargs, and the result comes back", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register(
    "com.add",
    (args, kwargs) => new CallResult([(args[0] as number) + (args[1] as number)], kwargs),
  );
  const caller = await c.join(0);
  await waitFor(() =>
    c.routers[0].realm("realm1")!.dealer.lookup("com.add", "exact") !== undefined
  );
  const r = await caller.call("com.add", [2, 3], { tag: "x" });
  assert.deepEqual(r.args, [5]);
  assert.deepEqual(r.kwargs, { tag: "x" });
  await c.close();
});

Deno.test("link: a callee's ERROR reaches the caller verbatim (uri, args, kwargs)", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register("com.fail", () => {
    throw new ApplicationError("com.example.nope", { args: ["why", 1], kwargs: { code: 7 } });
  });
  const caller = await c.join(0);
  await waitFor(() =>
    c.routers[0].realm("realm1")!.dealer.lookup("com.fail", "exact") !== undefined
  );
  await assert.rejects(caller.call("com.fail"), (e: unknown) => {
    assert.ok(e instanceof ApplicationError);
    assert.equal(e.uri, "com.example.nope");
    assert.deepEqual(e.args, ["why", 1]);
    assert.deepEqual(e.kwargs, { code: 7 });
    return true;
  });
  await c.close();
});

Deno.test("link: registration ids are the same on both routers, list_callees names the real session", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  const reg = await callee.register("com.x", () => null);
  const caller = await c.join(0);
  await waitFor(() => c.routers[0].realm("realm1")!.dealer.lookup("com.x", "exact") !== undefined);
  const id = (await caller.call("wamp.registration.lookup", ["com.x"])).args[0];
  assert.equal(id, reg.id);
  assert.deepEqual((await caller.call("wamp.registration.list_callees", [id])).args[0], [
    callee.id,
  ]);
  await c.close();
});

Deno.test("link: caller disclosure shows the caller's real session id on the other router", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  let seen: InvocationDetails | undefined;
  await callee.register("com.who", (_a, _k, d) => {
    seen = d;
    return null;
  }, { disclose_caller: true });
  const caller = await c.join(0, { authid: "alice", authrole: "user" });
  await waitFor(() =>
    c.routers[0].realm("realm1")!.dealer.lookup("com.who", "exact") !== undefined
  );
  await caller.call("com.who");
  assert.equal(seen?.caller, caller.id);
  assert.equal(seen?.caller_authid, "alice");
  assert.equal(seen?.caller_authrole, "user");
  await c.close();
});

Deno.test("link: the link is cut while a call is at the callee: the caller gets ERROR canceled, the callee INTERRUPT", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  let interrupted = false;
  await callee.register("com.slow", (_a, _k, d) =>
    new Promise((resolve) => {
      d.signal?.addEventListener("abort", () => {
        interrupted = true;
        resolve(null);
      });
    }));
  const caller = await c.join(0);
  await waitFor(() =>
    c.routers[0].realm("realm1")!.dealer.lookup("com.slow", "exact") !== undefined
  );
  const p = caller.call("com.slow");
  await waitFor(() => linkOf(c.routers[1], "r0")!.callsFromPeer === 1);
  c.wires.get("1-0")!.cut();
  await assert.rejects(p, { uri: ErrorUri.CANCELED });
  await waitFor(() => interrupted, 1000, "INTERRUPT at the callee");
  await c.close();
});
