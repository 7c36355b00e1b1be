import { assert, assertEquals } from "./_assert.ts";
import { FlowControl, FlowNode } from "./flow_control.ts";
import { joined, type TestClient, testRouter } from "./_test_client.ts";
import { MessageType as T } from "../wamp/messages.ts";
import { XbarUri } from "../wamp/uris.ts";
import type { Router } from "./router.ts";
import { MemoryLogger } from "../log/logger.ts";

/** A peer whose input the router can pause: records pause/resume. */
function pausable(stuckTimeoutMs = 0) {
  const log: string[] = [];
  return {
    log,
    get paused() {
      return log.at(-1) === "pause";
    },
    peer: {
      pauseInput: () => log.push("pause"),
      resumeInput: () => log.push("resume"),
      stuckTimeoutMs,
    },
  };
}

Deno.test("FlowControl.exit() pauses the source that fed a backlogged node; drained() resumes it", () => {
  const flow = new FlowControl();
  const p = pausable();
  const source = new FlowNode(p.peer);
  const target = new FlowNode({});
  flow.backlogged(target);
  const frame = flow.enter(source);
  flow.hit(target);
  assertEquals(p.log, [], "nothing happens inside the message");
  flow.exit(frame);
  assertEquals(p.log, ["pause"]);
  assert(source.paused);
  flow.drained(target);
  assertEquals(p.log, ["pause", "resume"]);
  assertEquals(flow.stats, { pauses: 1, resumes: 1 });
});

Deno.test("FlowControl resumes a source only when every node it fed has drained", () => {
  const flow = new FlowControl();
  const p = pausable();
  const source = new FlowNode(p.peer);
  const a = new FlowNode({});
  const b = new FlowNode({});
  flow.backlogged(a);
  flow.backlogged(b);
  const frame = flow.enter(source);
  flow.hit(a);
  flow.hit(b);
  flow.exit(frame);
  flow.drained(a);
  assertEquals(p.log, ["pause"], "still waits for b");
  flow.gone(b); // b's session left: nobody waits for it
  assertEquals(p.log, ["pause", "resume"]);
});

Deno.test("FlowControl never pauses a node that cannot pause, nor sends with no source", () => {
  const flow = new FlowControl();
  const target = new FlowNode({});
  flow.backlogged(target);
  flow.hit(target); // no message being handled: a timer, a router-made event
  const cannot = new FlowNode({}); // e.g. an in-process pair
  const frame = flow.enter(cannot);
  flow.hit(target);
  flow.exit(frame);
  assert(!cannot.paused);
  const p = pausable();
  const link = new FlowNode(p.peer);
  link.exempt(); // a connection that carries a router link
  const frame2 = flow.enter(link);
  flow.hit(target);
  flow.exit(frame2);
  assertEquals(p.log, []);
  assertEquals(flow.stats.pauses, 0);
});

Deno.test("FlowControl: nested handling pauses the inner source, not the outer one", () => {
  const flow = new FlowControl();
  const outer = pausable();
  const inner = pausable();
  const o = new FlowNode(outer.peer);
  const i = new FlowNode(inner.peer);
  const target = new FlowNode({});
  flow.backlogged(target);
  const f1 = flow.enter(o);
  const f2 = flow.enter(i);
  flow.hit(target);
  flow.exit(f2);
  flow.exit(f1);
  assertEquals([outer.log, inner.log], [[], ["pause"]]);
});

Deno.test("FlowControl.gone() of a paused source forgets it: a later drain resumes nobody", () => {
  const flow = new FlowControl();
  const p = pausable();
  const source = new FlowNode(p.peer);
  const target = new FlowNode({});
  flow.backlogged(target);
  const frame = flow.enter(source);
  flow.hit(target);
  flow.exit(frame);
  flow.gone(source);
  flow.drained(target);
  assertEquals(p.log, ["pause"]);
  assertEquals(target.waiters, undefined);
});

// ---------------------------------------------------------------------------
// Through the router

async function twoSubscribersAndPublisher(r: Router) {
  const pub = pausable();
  const publisher = await joined(r, {}, pub.peer);
  const slow = await joined(r, { authid: "slowpoke" }, pausable(200).peer);
  const fast = await joined(r, {}, pausable().peer);
  await slow.subscribe("com.t");
  await fast.subscribe("com.t");
  return { pub, publisher, slow, fast };
}

function events(c: TestClient): number[] {
  return c.drain().filter((m) => m[0] === T.EVENT).map((m) => (m[4] as number[])[0]);
}

Deno.test("RouterSession: a publisher whose events land in a backlogged queue is paused after that PUBLISH, resumed when it drains; nothing is dropped", async () => {
  const r = testRouter();
  const { pub, publisher, slow, fast } = await twoSubscribersAndPublisher(r);
  publisher.send([T.PUBLISH, 1, {}, "com.t", [1]]);
  assertEquals(pub.log, []);
  slow.handle.backlog!(true);
  publisher.send([T.PUBLISH, 2, {}, "com.t", [2]]);
  assertEquals(pub.log, ["pause"], "paused after the PUBLISH that hit the backlog");
  // What the transport still hands over (the rest of a read batch) is routed, not dropped.
  publisher.send([T.PUBLISH, 3, {}, "com.t", [3]]);
  assertEquals(pub.log, ["pause"], "paused once");
  slow.handle.backlog!(false);
  assertEquals(pub.log, ["pause", "resume"]);
  publisher.send([T.PUBLISH, 4, {}, "com.t", [4]]);
  assertEquals(events(fast), [1, 2, 3, 4]);
  assertEquals(events(slow), [1, 2, 3, 4]);
  assertEquals(r.flow.stats, { pauses: 1, resumes: 1 });
});

Deno.test("RouterSession: an unrelated publisher is not slowed by a backlogged subscriber", async () => {
  const r = testRouter();
  const { slow } = await twoSubscribersAndPublisher(r);
  const other = pausable();
  const otherPub = await joined(r, {}, other.peer);
  const otherSub = await joined(r);
  await otherSub.subscribe("com.other");
  slow.handle.backlog!(true);
  for (let i = 0; i < 10; i++) otherPub.send([T.PUBLISH, i + 1, {}, "com.other", [i]]);
  assertEquals(other.log, []);
  assertEquals(events(otherSub).length, 10);
  slow.handle.backlog!(false);
});

Deno.test("RouterSession: a caller is paused when its INVOCATION lands in a backlogged callee, a callee when its RESULT lands in a backlogged caller", async () => {
  const r = testRouter();
  const calleeFlow = pausable();
  const callerFlow = pausable();
  const callee = await joined(r, {}, calleeFlow.peer);
  const caller = await joined(r, {}, callerFlow.peer);
  await callee.register("com.p");
  callee.handle.backlog!(true);
  caller.send([T.CALL, 1, {}, "com.p", []]);
  assertEquals(callerFlow.log, ["pause"]);
  const inv = await callee.take((m) => m[0] === T.INVOCATION);
  callee.handle.backlog!(false);
  assertEquals(callerFlow.log, ["pause", "resume"]);
  caller.handle.backlog!(true);
  callee.send([T.YIELD, inv[1], {}, ["ok"]]);
  assertEquals(calleeFlow.log, ["pause"]);
  assertEquals(await caller.next(), [T.RESULT, 1, {}, ["ok"]]);
  caller.handle.backlog!(false);
  assertEquals(calleeFlow.log, ["pause", "resume"]);
});

Deno.test("RouterSession: a consumer backlogged past its stuck timeout gets ABORT slow_consumer, leaves with the reason in on_leave, and its publishers go on", async () => {
  const logger = new MemoryLogger();
  const r = testRouter({}, { logger });
  const watcher = await joined(r);
  await watcher.subscribe("wamp.session.on_leave");
  const { pub, publisher, slow, fast } = await twoSubscribersAndPublisher(r);
  slow.handle.backlog!(true);
  publisher.send([T.PUBLISH, 1, {}, "com.t", [1]]);
  assertEquals(pub.log, ["pause"]);
  const leave = await watcher.take((m) => m[0] === T.EVENT, 2000);
  assertEquals(pub.log, ["pause", "resume"], "released when the stuck consumer is gone");
  assertEquals(leave[4], [slow.id, "slowpoke", "anonymous"]);
  assertEquals((leave[3] as Record<string, unknown>).x_reason, XbarUri.SLOW_CONSUMER);
  assertEquals(
    (leave[3] as Record<string, unknown>).x_message,
    "outbound queue stayed above its high-water mark for 200 ms",
  );
  assert(slow.closed);
  const abort = slow.received.find((m) => m[0] === T.ABORT)!;
  assertEquals(abort[2], XbarUri.SLOW_CONSUMER);
  const line = logger.lines.find((l) => l.msg === "session closed: slow consumer")!;
  assertEquals(line.fields?.reason, "outbound queue stayed above its high-water mark for 200 ms");
  publisher.send([T.PUBLISH, 2, {}, "com.t", [2]]);
  assertEquals(events(fast), [1, 2]);
});

Deno.test("RouterSession: a consumer that drains before its stuck timeout stays", async () => {
  const r = testRouter();
  const { slow } = await twoSubscribersAndPublisher(r);
  slow.handle.backlog!(true);
  slow.handle.backlog!(false);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert(!slow.closed);
  assertEquals(await slow.result("wamp.session.count"), 3);
});

Deno.test("RouterSession.overflow() with a reason puts it in on_leave's x_message", async () => {
  const r = testRouter();
  const watcher = await joined(r);
  await watcher.subscribe("wamp.session.on_leave");
  const slow = await joined(r);
  slow.handle.overflow(5_000_000, "outbound queue would pass its bound of 4194304 bytes");
  const leave = await watcher.take((m) => m[0] === T.EVENT);
  assertEquals(leave[3], {
    x_reason: XbarUri.SLOW_CONSUMER,
    x_message: "outbound queue would pass its bound of 4194304 bytes",
  });
});
