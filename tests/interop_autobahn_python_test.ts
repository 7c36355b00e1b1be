/**
 * End-to-end: Autobahn|Python (Debian python3-autobahn, asyncio, a separate
 * process) against a real xbar router over WebSocket JSON, MessagePack, CBOR.
 */

import assert from "node:assert/strict";
import { runAutobahnPython, startTestNode } from "./_harness.ts";

for (const ser of ["json", "msgpack", "cbor"]) {
  for (const name of ["rpc", "pubsub", "cancel"]) {
    Deno.test(`Autobahn|Python over WebSocket/${ser}: ${name}`, async () => {
      const node = await startTestNode();
      try {
        const r = await runAutobahnPython("scenarios.py", [node.url, "realm1", ser, name]);
        assert.ok(r.ok, r.error);
        const x = r.result;
        switch (name) {
          case "rpc":
            assert.equal(x.sum, 5);
            assert.equal(x.big, 2 ** 52 + 1);
            assert.deepEqual(x.err, {
              error: "com.example.error.bad",
              args: ["nope"],
              kwargs: { code: 7 },
            });
            assert.equal(x.missing, "wamp.error.no_such_procedure");
            assert.equal(x.progressive, "done");
            assert.deepEqual(x.progress, [0, 1, 2]);
            assert.equal(x.authrole, "anonymous");
            break;
          case "pubsub":
            assert.equal(x.ack, true);
            assert.deepEqual(x.got, [[[1, "two"], { k: 3 }]]);
            assert.deepEqual(x.pattern, ["com.example.other", "com.example.topic"]);
            break;
          case "cancel":
            assert.equal(x.timeout, "wamp.error.timeout");
            assert.ok(
              x.canceled === "cancelled" || x.canceled === "wamp.error.canceled",
              x.canceled,
            );
            assert.equal(x.interrupted, true);
            break;
        }
      } finally {
        await node.close();
      }
    });
  }
}
