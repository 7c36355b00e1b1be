/**
 * End-to-end: AutobahnJS (npm `autobahn` 22.11.x under Node, a separate
 * process) against a real xbar router over WebSocket, for every Basic and
 * Advanced Profile feature it can drive, over JSON, MessagePack and CBOR.
 */

import assert from "node:assert/strict";
import { autobahnJsChecks } from "./_interop_checks.ts";
import { runAutobahnJs, type ScriptResult, startTestNode, type TestNode } from "./_harness.ts";

type Ser = "json" | "msgpack" | "cbor" | "all";

async function scenario(node: TestNode, ser: Ser, name: string): Promise<ScriptResult["result"]> {
  const r = await runAutobahnJs(node.url, "realm1", ser, name);
  assert.ok(r.ok, r.error);
  return r.result;
}

function suite(
  ser: Ser,
  names: string[],
  check: Record<string, (r: ScriptResult["result"]) => void>,
) {
  for (const name of names) {
    Deno.test(`AutobahnJS over WebSocket/${ser}: ${name}`, async () => {
      const node = await startTestNode();
      try {
        check[name](await scenario(node, ser, name));
      } finally {
        await node.close();
      }
    });
  }
}

const checks = autobahnJsChecks;

suite("json", Object.keys(checks), checks);
suite("msgpack", ["rpc", "progressive", "pubsub"], checks);
suite("cbor", ["rpc", "progressive", "pubsub"], checks);
suite("all", ["rpc"], checks);
