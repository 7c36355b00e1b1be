import assert from "node:assert/strict";
import { ConnectionTracker, type TrackedConnection } from "./connection_tracker.ts";

class FakeConnection implements TrackedConnection {
  readonly closes: [number, string][] = [];
  readonly done: Promise<void>;
  finish: () => void;
  constructor(readonly finishesOnClose: boolean) {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.done = promise;
    this.finish = resolve;
  }
  closeWith(code: number, reason: string): void {
    this.closes.push([code, reason]);
    if (this.finishesOnClose) this.finish();
  }
}

Deno.test("ConnectionTracker.closeAll() closes every live connection and waits for them", async () => {
  const tracker = new ConnectionTracker();
  const a = new FakeConnection(true);
  const b = new FakeConnection(true);
  tracker.add(a);
  tracker.add(b);
  assert.equal(tracker.size, 2);
  assert.equal(await tracker.closeAll(1001, "bye", 5000), 0);
  assert.deepEqual(a.closes, [[1001, "bye"]]);
  assert.deepEqual(b.closes, [[1001, "bye"]]);
  assert.equal(tracker.size, 0);
});

Deno.test("ConnectionTracker.closeAll() gives up after the grace period and reports what is left", async () => {
  const tracker = new ConnectionTracker();
  const stuck = new FakeConnection(false);
  tracker.add(stuck);
  assert.equal(await tracker.closeAll(1001, "bye", 20), 1);
  stuck.finish();
  await stuck.done;
  await Promise.resolve();
  assert.equal(tracker.size, 0);
});

Deno.test("ConnectionTracker forgets connections that end by themselves", async () => {
  const tracker = new ConnectionTracker();
  const c = new FakeConnection(false);
  tracker.add(c);
  c.finish();
  await c.done;
  await Promise.resolve();
  assert.equal(tracker.size, 0);
  assert.equal(await tracker.closeAll(1001, "bye", 5000), 0);
});
