/**
 * End-to-end: Autobahn|Python (Debian python3-autobahn, asyncio, a separate
 * process) against a real xbar router over WebSocket JSON, MessagePack, CBOR.
 */

import assert from "node:assert/strict";
import { runAutobahnPython, startTestNode } from "./_harness.ts";
import { autobahnPythonChecks } from "./_interop_checks.ts";

for (const ser of ["json", "msgpack", "cbor"]) {
  for (const [name, check] of Object.entries(autobahnPythonChecks)) {
    Deno.test(`Autobahn|Python over WebSocket/${ser}: ${name}`, async () => {
      const node = await startTestNode();
      try {
        const r = await runAutobahnPython("scenarios.py", [node.url, "realm1", ser, name]);
        assert.ok(r.ok, r.error);
        check(r.result);
      } finally {
        await node.close();
      }
    });
  }
}
