/**
 * Bad input over a real WebSocket: every kind of broken frame gets ABORT with
 * the standard URI and a close, and a well-behaved session on the same router
 * keeps working throughout.
 */

import assert from "node:assert/strict";
import { connect } from "../src/client/connect.ts";
import { startTestNode, type TestNode } from "./_harness.ts";

interface RawOutcome {
  messages: unknown[];
  closeCode: number;
}

/** Opens a raw wamp.2.json WebSocket, sends `frames` in order, collects what comes back until close. */
function raw(
  node: TestNode,
  frames: (string | Uint8Array)[],
  protocol = "wamp.2.json",
): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url, protocol);
    ws.binaryType = "arraybuffer";
    const messages: unknown[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no close; got ${JSON.stringify(messages)}`));
    }, 3000);
    ws.onopen = () => {
      for (const f of frames) ws.send(f);
    };
    ws.onmessage = (e) => messages.push(typeof e.data === "string" ? JSON.parse(e.data) : "binary");
    ws.onclose = (e) => {
      clearTimeout(timer);
      resolve({ messages, closeCode: e.code });
    };
    ws.onerror = () => {};
  });
}

const HELLO = JSON.stringify([1, "realm1", {
  roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} },
}]);

const cases: [string, (string | Uint8Array)[], string][] = [
  ["not JSON", ["{nope"], "wamp.error.protocol_violation"],
  ["not an array", ['{"a":1}'], "wamp.error.protocol_violation"],
  ["an empty array", ["[]"], "wamp.error.protocol_violation"],
  ["an unknown message type", ["[999, 1]"], "wamp.error.protocol_violation"],
  ["a message before HELLO", ['[48, 1, {}, "com.x"]'], "wamp.error.protocol_violation"],
  ["HELLO with wrong arity", ['[1, "realm1"]'], "wamp.error.protocol_violation"],
  ["HELLO without roles", ['[1, "realm1", {}]'], "wamp.error.protocol_violation"],
  ["a second HELLO", [HELLO, HELLO], "wamp.error.protocol_violation"],
  ["CALL with request id 0", [HELLO, '[48, 0, {}, "com.x"]'], "wamp.error.protocol_violation"],
  [
    "CALL with id above 2^53",
    [HELLO, '[48, 18014398509481984, {}, "com.x"]'],
    "wamp.error.protocol_violation",
  ],
  [
    "PUBLISH with options not a dict",
    [HELLO, '[16, 1, [], "com.x"]'],
    "wamp.error.protocol_violation",
  ],
  ["SUBSCRIBE with a number topic", [HELLO, "[32, 1, {}, 7]"], "wamp.error.protocol_violation"],
  ["a router-only message (EVENT)", [HELLO, "[36, 1, 2, {}]"], "wamp.error.protocol_violation"],
  [
    "a binary frame on a JSON session",
    [HELLO, new Uint8Array([1, 2, 3])],
    "wamp.error.protocol_violation",
  ],
];

Deno.test("Bad frames over WebSocket get ABORT with the standard URI and a close; other sessions keep working", async () => {
  const node = await startTestNode();
  const good = await connect(node.url, "realm1");
  await good.register("com.good.ping", () => "pong");
  try {
    for (const [what, frames, uri] of cases) {
      const out = await raw(node, frames);
      const abort = out.messages.find((m) => Array.isArray(m) && m[0] === 3) as
        | unknown[]
        | undefined;
      assert.ok(abort, `${what}: expected ABORT, got ${JSON.stringify(out.messages)}`);
      assert.equal(abort[2], uri, what);
      assert.equal(typeof (abort[1] as Record<string, unknown>).message, "string", what);
      assert.ok(out.closeCode >= 1000, what);
      assert.equal((await good.call("com.good.ping")).args[0], "pong", `after ${what}`);
    }
  } finally {
    await good.leave();
    await node.close();
  }
});

Deno.test("An oversize message over WebSocket is refused with a close, other sessions unaffected", async () => {
  const { Router } = await import("../src/router/router.ts");
  const { serveWebSocket } = await import("../src/transport/websocket_server.ts");
  const router = new Router({ realms: [{ name: "realm1" }] });
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    maxMessageSize: 1024,
    shutdownGraceMs: 200,
  });
  const url = `ws://127.0.0.1:${server.addr.port}/ws`;
  const good = await connect(url, "realm1");
  await good.register("com.good.ping", () => "pong");
  try {
    const out = await raw(
      { url } as TestNode,
      [HELLO, JSON.stringify([48, 1, {}, "com.x", ["x".repeat(4096)]])],
    );
    assert.equal(out.closeCode, 1009);
    assert.equal((await good.call("com.good.ping")).args[0], "pong");
  } finally {
    await good.leave();
    router.shutdown();
    await server.shutdown();
  }
});
