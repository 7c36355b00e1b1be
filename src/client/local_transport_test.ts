import assert from "node:assert/strict";
import type { Message } from "../wamp/messages.ts";
import type { Peer, SessionHandle } from "../router/peer.ts";
import { localPair } from "./local_transport.ts";

function recorder() {
  const received: unknown[] = [];
  let closed = 0;
  let peer!: Peer;
  const acceptor = {
    attach(p: Peer): SessionHandle {
      peer = p;
      return {
        receive: (v: unknown) => received.push(v),
        protocolViolation: () => {},
        overflow: () => {},
        closed: () => closed++,
      };
    },
  };
  return { acceptor, received, closedCount: () => closed, peer: () => peer };
}

Deno.test("localPair() gives the router a local Peer", () => {
  const r = recorder();
  localPair(r.acceptor);
  assert.deepEqual(r.peer().info, { type: "local", peer: "local", serializer: "local" });
});

Deno.test("localPair() delivers router messages in order from a microtask, not synchronously", async () => {
  const r = recorder();
  const t = localPair(r.acceptor);
  const got: Message[] = [];
  t.onmessage = (m) => got.push(m);
  r.peer().send([17, 1, 10]);
  r.peer().send([17, 2, 20]);
  assert.equal(got.length, 0);
  await Promise.resolve();
  assert.deepEqual(got, [[17, 1, 10], [17, 2, 20]]);
});

Deno.test("localPair() hands client messages to the router synchronously, as-is by default", () => {
  const r = recorder();
  const t = localPair(r.acceptor);
  const msg: Message = [48, 1, {}, "a.b", [{ x: 1 }]];
  t.send(msg);
  assert.equal(r.received[0], msg);
});

Deno.test("localPair({clone: true}) deep-copies both ways", async () => {
  const r = recorder();
  const t = localPair(r.acceptor, { clone: true });
  const msg: Message = [48, 1, {}, "a.b", [{ x: 1 }, new Uint8Array([1, 2])]];
  t.send(msg);
  assert.notEqual(r.received[0], msg);
  assert.deepEqual(r.received[0], msg);
  const out: Message = [50, 1, {}, [{ y: [1] }]];
  const got: Message[] = [];
  t.onmessage = (m) => got.push(m);
  r.peer().send(out as never);
  (out[3] as unknown[]).push(2);
  await Promise.resolve();
  assert.deepEqual(got[0], [50, 1, {}, [{ y: [1] }]]);
});

Deno.test("localPair(): Peer.close() delivers what is queued, then onclose once and handle.closed() once", async () => {
  const r = recorder();
  const t = localPair(r.acceptor);
  const events: string[] = [];
  t.onmessage = (m) => events.push(`msg ${m[0]}`);
  t.onclose = (reason) => events.push(`close ${reason}`);
  r.peer().send([3, {}, "wamp.close.system_shutdown"]);
  assert.equal(t.isOpen, true);
  r.peer().close();
  assert.equal(t.isOpen, false);
  r.peer().close();
  r.peer().send([17, 1, 1]); // after close: dropped
  await new Promise((res) => setTimeout(res, 0));
  assert.deepEqual(events, ["msg 3", "close closed by router"]);
  assert.equal(r.closedCount(), 1);
  t.send([6, {}, "wamp.close.normal"]); // dropped
  assert.equal(r.received.length, 0);
});

Deno.test("localPair(): client close() tells the router, fires onclose once and drops queued messages", async () => {
  const r = recorder();
  const t = localPair(r.acceptor);
  const events: string[] = [];
  t.onmessage = (m) => events.push(`msg ${m[0]}`);
  t.onclose = () => events.push("close");
  r.peer().send([17, 1, 1]);
  t.close();
  assert.equal(t.isOpen, false);
  t.close();
  assert.equal(r.closedCount(), 1);
  r.peer().close();
  await new Promise((res) => setTimeout(res, 0));
  assert.deepEqual(events, ["close"]);
  assert.equal(r.closedCount(), 1);
});

Deno.test("localPair(): a message sent while delivering is delivered after the current batch, in order", async () => {
  const r = recorder();
  const t = localPair(r.acceptor);
  const got: number[] = [];
  t.onmessage = (m) => {
    got.push(m[1] as number);
    if (m[1] === 1) r.peer().send([17, 3, 3]);
  };
  r.peer().send([17, 1, 1]);
  r.peer().send([17, 2, 2]);
  await new Promise((res) => setTimeout(res, 0));
  assert.deepEqual(got, [1, 2, 3]);
});
