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

/** Waits until router `i` of `c` knows a registration for `uri` (it crossed the link). */
async function known(c: Awaited<ReturnType<typeof cluster>>, i: number, uri: string, n = 1) {
  await waitFor(
    () => (c.routers[i].realm("realm1")!.dealer.lookup(uri, "exact")?.callees.length ?? 0) >= n,
    2000,
    `${uri} known on r${i}`,
  );
}

Deno.test("link: progressive results cross the link in order, then the final result", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register("com.count", async (args, _k, d) => {
    for (let i = 1; i <= (args[0] as number); i++) {
      d.progress?.([i]);
      await new Promise((r) => setTimeout(r, 1));
    }
    return "done";
  });
  const caller = await c.join(0);
  await known(c, 0, "com.count");
  const got: unknown[] = [];
  const r = await caller.call("com.count", [3], undefined, { onProgress: (a) => got.push(a[0]) });
  assert.deepEqual(got, [1, 2, 3]);
  assert.deepEqual(r.args, ["done"]);
  await c.close();
});

Deno.test("link: progressive call invocations cross the link as chunks of one invocation", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  const chunks: unknown[] = [];
  const requests = new Set<number>();
  await callee.register("com.sum", (args, _k, d) => {
    chunks.push(args[0]);
    requests.add(d.request);
    if (d.progressive) return undefined;
    return (chunks as number[]).reduce((a, b) => a + b, 0);
  });
  const caller = await c.join(0);
  await known(c, 0, "com.sum");
  const call = caller.callProgressive("com.sum");
  call.send([1]);
  call.send([2]);
  const r = await call.end([3]);
  assert.deepEqual(chunks, [1, 2, 3]);
  assert.equal(requests.size, 1);
  assert.deepEqual(r.args, [6]);
  await c.close();
});

Deno.test("link: a call timeout is enforced by the caller's router; the remote callee gets INTERRUPT with reason timeout", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  let reason: unknown;
  await callee.register("com.hang", (_a, _k, d) =>
    new Promise((resolve) => {
      d.signal?.addEventListener("abort", () => {
        reason = (d.signal!.reason as ApplicationError).uri;
        resolve(null);
      });
    }));
  const caller = await c.join(0);
  await known(c, 0, "com.hang");
  const t0 = Date.now();
  await assert.rejects(caller.call("com.hang", [], undefined, { timeout: 100 }), {
    uri: ErrorUri.TIMEOUT,
  });
  assert.ok(Date.now() - t0 < 1500);
  await waitFor(() => reason !== undefined, 1000, "INTERRUPT at the callee");
  assert.equal(reason, ErrorUri.TIMEOUT);
  await waitFor(() => linkOf(c.routers[1], "r0")!.callsFromPeer === 0, 1000, "call forgotten");
  await c.close();
});

for (const mode of ["kill", "killnowait", "skip"] as const) {
  Deno.test(`link: cancel mode ${mode} across the link`, async () => {
    const c = await cluster(2);
    const callee = await c.join(1);
    let interrupted = false;
    await callee.register("com.hang", (_a, _k, d) =>
      new Promise((resolve, reject) => {
        d.signal?.addEventListener("abort", () => {
          interrupted = true;
          reject(d.signal!.reason);
        });
        if (mode === "skip") setTimeout(() => resolve("late"), 150);
      }));
    const caller = await c.join(0);
    await known(c, 0, "com.hang");
    const ac = new AbortController();
    const p = caller.call("com.hang", [], undefined, { signal: ac.signal, cancelMode: mode });
    await waitFor(() => linkOf(c.routers[1], "r0")!.callsFromPeer === 1, 1000, "invocation");
    ac.abort();
    await assert.rejects(p, { uri: ErrorUri.CANCELED });
    if (mode === "skip") {
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(interrupted, false, "skip sends no INTERRUPT");
    } else {
      await waitFor(() => interrupted, 1000, "INTERRUPT");
    }
    await waitFor(() => linkOf(c.routers[1], "r0")!.callsFromPeer === 0, 1000, "call forgotten");
    await c.close();
  });
}

Deno.test("link: roundrobin over two callees on two routers splits 20 calls 10/10", async () => {
  const c = await cluster(2);
  const counts = [0, 0];
  for (const i of [0, 1]) {
    const s = await c.join(i);
    await s.register("com.rr", () => {
      counts[i]++;
      return i;
    }, { invoke: "roundrobin" });
  }
  await known(c, 0, "com.rr", 2);
  await known(c, 1, "com.rr", 2);
  const caller = await c.join(0);
  for (let k = 0; k < 20; k++) await caller.call("com.rr");
  assert.deepEqual(counts, [10, 10]);
  const other = await c.join(1);
  const regId = (await other.call("wamp.registration.lookup", ["com.rr"])).args[0];
  const callees = (await other.call("wamp.registration.list_callees", [regId])).args[0] as number[];
  assert.equal(callees.length, 2);
  await c.close();
});

Deno.test("link: invoke first picks the same (earliest registered) callee from every router", async () => {
  const c = await cluster(2);
  const a = await c.join(0);
  await a.register("com.f", () => "a", { invoke: "first" });
  await known(c, 1, "com.f");
  const b = await c.join(1);
  await b.register("com.f", () => "b", { invoke: "first" });
  await known(c, 0, "com.f", 2);
  const x = await c.join(0);
  const y = await c.join(1);
  assert.deepEqual((await x.call("com.f")).args, ["a"]);
  assert.deepEqual((await y.call("com.f")).args, ["a"]);
  await c.close();
});

Deno.test("link: single registration is unique cluster-wide, also when two routers race for it", async () => {
  const c = await cluster(2);
  const a = await c.join(0);
  const b = await c.join(1);
  const results = await Promise.allSettled([
    a.register("com.only", () => "a"),
    b.register("com.only", () => "b"),
  ]);
  const ok = results.filter((r) => r.status === "fulfilled");
  const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assert.equal(ok.length, 1, "exactly one wins");
  assert.equal(failed.length, 1);
  assert.equal((failed[0].reason as ApplicationError).uri, ErrorUri.PROCEDURE_ALREADY_EXISTS);
  // later attempts fail everywhere at once
  await known(c, 0, "com.only");
  await known(c, 1, "com.only");
  const late = await c.join(results[0].status === "fulfilled" ? 1 : 0);
  await assert.rejects(late.register("com.only", () => "c"), {
    uri: ErrorUri.PROCEDURE_ALREADY_EXISTS,
  });
  // and a shared registration cannot join it with another policy
  await assert.rejects(late.register("com.only", () => "c", { invoke: "roundrobin" }), {
    uri: ErrorUri.PROCEDURE_ALREADY_EXISTS,
  });
  await c.close();
});

Deno.test("link: prefix and wildcard registrations across the link; details.procedure names the concrete URI", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register("com.api.", (_a, _k, d) => ["prefix", d.procedure], { match: "prefix" });
  await callee.register("com..get", (_a, _k, d) => ["wildcard", d.procedure], {
    match: "wildcard",
  });
  const caller = await c.join(0);
  await waitFor(() => c.routers[0].realm("realm1")!.dealer.best("com.api.users") !== undefined);
  await waitFor(() => c.routers[0].realm("realm1")!.dealer.best("com.x.get") !== undefined);
  assert.deepEqual((await caller.call("com.api.users")).args[0], ["prefix", "com.api.users"]);
  assert.deepEqual((await caller.call("com.x.get")).args[0], ["wildcard", "com.x.get"]);
  await c.close();
});

Deno.test("link: the callee leaves while its call crosses the link: ERROR canceled, and the procedure is gone on the caller's router", async () => {
  const c = await cluster(2);
  const callee = await c.join(1);
  await callee.register("com.slow", () => new Promise(() => {}));
  const caller = await c.join(0);
  await known(c, 0, "com.slow");
  const p = caller.call("com.slow");
  await waitFor(() => linkOf(c.routers[1], "r0")!.callsFromPeer === 1, 1000, "invocation");
  await callee.leave();
  await assert.rejects(p, { uri: ErrorUri.CANCELED });
  await waitFor(() =>
    c.routers[0].realm("realm1")!.dealer.lookup("com.slow", "exact") === undefined
  );
  await assert.rejects(caller.call("com.slow"), { uri: ErrorUri.NO_SUCH_PROCEDURE });
  await c.close();
});

Deno.test("link: invoke last picks the latest callee from every router; random spreads over callees on both routers", async () => {
  const c = await cluster(2);
  const early = await c.join(0);
  await early.register("com.l", () => "early", { invoke: "last" });
  await known(c, 1, "com.l");
  const late = await c.join(1);
  await late.register("com.l", () => "late", { invoke: "last" });
  await known(c, 0, "com.l", 2);
  for (const i of [0, 1]) assert.deepEqual((await (await c.join(i)).call("com.l")).args, ["late"]);
  const counts = [0, 0];
  for (const i of [0, 1]) {
    const s = await c.join(i);
    await s.register("com.r", () => void counts[i]++, { invoke: "random" });
  }
  await known(c, 0, "com.r", 2);
  const caller = await c.join(0);
  for (let k = 0; k < 60; k++) await caller.call("com.r");
  assert.equal(counts[0] + counts[1], 60);
  assert.ok(counts[0] > 5 && counts[1] > 5, `both callees get calls: ${counts}`);
  await c.close();
});
