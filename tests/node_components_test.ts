/**
 * End-to-end: application code hosted by the node — a component in a
 * container worker and one inside the router worker answer calls from an
 * external client; a guest program (Autobahn|Python) joins and works.
 */

import { fileURLToPath } from "node:url";
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { connectManagement } from "../src/node/management_client.ts";
import { DEBIAN_PYTHON } from "./_harness.ts";
import {
  freePort,
  processAlive,
  routerWorker,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
} from "./_node_kit.ts";

const ADD_COMPONENT = `
// A container component: registers com.example.add2 and publishes when it starts.
export default async function (session, config) {
  await session.register("com.example.add2", ([a, b]) => a + b + (config.extra?.offset ?? 0));
  await session.register("com.example.whoami", () => ({ authid: session.details.authid, realm: session.realm }));
  return () => console.log("add component stopping");
}
`;

const PING_COMPONENT = `
// A router component (in the router process, on an in-process session).
export async function main(session) {
  await session.register("com.example.ping", () => "pong");
}
`;

Deno.test("a component in a container worker and one in the router worker answer an external client", async () => {
  const dir = await tempNodeDir();
  try {
    await Deno.mkdir(join(dir, "components"));
    await Deno.writeTextFile(join(dir, "components", "add.js"), ADD_COMPONENT);
    await Deno.writeTextFile(join(dir, "components", "ping.ts"), PING_COMPONENT);
    const port = freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    await writeConfig(dir, {
      version: 2,
      workers: [
        routerWorker(port, {
          components: [{
            type: "module",
            id: "ping",
            module: "components/ping.ts",
            export: "main",
            realm: "realm1",
          }],
        }),
        {
          type: "container",
          id: "container1",
          components: [{
            type: "module",
            id: "adder",
            module: "components/add.js",
            realm: "realm1",
            extra: { offset: 100 },
            transport: {
              type: "websocket",
              endpoint: { type: "tcp", host: "127.0.0.1", port },
              url,
              serializers: ["msgpack"],
            },
          }],
        },
      ],
    });
    const node = await startNode(dir);
    const client = await connect(url, "realm1");
    deepStrictEqual((await client.call("com.example.add2", [2, 3])).args, [105]);
    deepStrictEqual((await client.call("com.example.ping")).args, ["pong"]);
    const who = (await client.call("com.example.whoami")).args[0] as Record<string, unknown>;
    strictEqual(who.realm, "realm1");

    // the management API sees both
    const m = await connectManagement(join(dir, "node.sock"));
    const comps = (await m.call("xbar.worker.container1.get_components")).args[0] as Record<
      string,
      unknown
    >[];
    strictEqual(comps[0].id, "adder");
    strictEqual(comps[0].state, "running");
    const rcomps = (await m.call("xbar.worker.router1.get_components")).args[0] as Record<
      string,
      unknown
    >[];
    strictEqual(rcomps[0].id, "ping");
    await m.leave();
    await client.leave();
    strictEqual((await node.stop()).code, 0);
    match(
      node.log(),
      /add component stopping/,
      "the component's cleanup ran (its console.log went to the log)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a guest worker (Autobahn|Python) gets its stdin JSON, joins and serves; its output goes to the log", async () => {
  const dir = await tempNodeDir();
  try {
    const port = freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    await writeConfig(dir, {
      version: 2,
      workers: [
        routerWorker(port),
        {
          type: "guest",
          id: "pyguest",
          executable: DEBIAN_PYTHON,
          arguments: [
            fileURLToPath(new URL("./python/guest_callee.py", import.meta.url)),
            url,
            "realm1",
          ],
          options: {
            workdir: ".",
            env: { vars: { PYTHONUNBUFFERED: "1" } },
            stdin: { type: "json", value: { greeting: "grüß dich" }, close: true },
          },
        },
      ],
    });
    const node = await startNode(dir);
    await node.waitFor(/\[Guest .*\] guest ready stream=stdout/);
    const client = await connect(url, "realm1");
    deepStrictEqual((await client.call("com.example.guest.greet", ["xbar"])).args, [
      "grüß dich, xbar",
    ]);

    const m = await connectManagement(join(dir, "node.sock"));
    const stats = (await m.call("xbar.worker.pyguest.get_process_stats")).args[0] as Record<
      string,
      number
    >;
    ok(processAlive(stats.pid), "the guest program runs");
    const logs = (await m.call("xbar.worker.pyguest.get_logs", [50])).args[0] as string[];
    ok(logs.some((l) => l.includes("guest ready")), logs.join("\n"));
    await m.leave();
    await client.leave();
    strictEqual((await node.stop()).code, 0);
    await waitUntil(() => !processAlive(stats.pid), "the guest program to exit", 3000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PY_COMPONENT = `
import os
from twisted.internet.defer import inlineCallbacks
from autobahn.twisted.wamp import ApplicationSession


class Echo(ApplicationSession):

    @inlineCallbacks
    def onJoin(self, details):
        where = self.config.extra['where']
        yield self.register(lambda x: [x, where, os.getpid(), details.authrole], 'com.example.%s.echo' % where)
`;

Deno.test("Python class components (Crossbar's type class) run beside the router and in a container; the container restarts one whose process died", async () => {
  const dir = await tempNodeDir();
  try {
    await Deno.mkdir(join(dir, "py"));
    await Deno.writeTextFile(join(dir, "py", "echo.py"), PY_COMPONENT);
    const port = freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    await writeConfig(dir, {
      version: 2,
      workers: [
        routerWorker(port, {
          options: { pythonpath: ["py"] },
          components: [{
            type: "class",
            classname: "echo.Echo",
            realm: "realm1",
            extra: { where: "router" },
          }],
        }),
        {
          type: "container",
          id: "container1",
          options: { pythonpath: ["py"] },
          components: [{
            type: "class",
            id: "pyecho",
            classname: "echo.Echo",
            realm: "realm1",
            extra: { where: "container" },
            transport: {
              type: "websocket",
              endpoint: { type: "tcp", host: "127.0.0.1", port },
              url,
            },
          }],
        },
      ],
    });
    // a Python (Twisted, Autobahn) per component: slow to start on a loaded machine
    const node = await startNode(dir, [], { readyTimeoutMs: 90_000 });
    const client = await connect(url, "realm1");
    const [, , routerPid, routerRole] = (await client.call("com.example.router.echo", [1]))
      .args[0] as [
        number,
        string,
        number,
        string,
      ];
    strictEqual(routerRole, "anonymous");
    ok(processAlive(routerPid));
    const first = (await client.call("com.example.container.echo", [2])).args[0] as unknown[];
    deepStrictEqual(first.slice(0, 2), [2, "container"]);
    const pid = first[2] as number;
    Deno.kill(pid, "SIGKILL");
    const again = await waitUntil(
      async () => {
        try {
          const r = (await client.call("com.example.container.echo", [3])).args[0] as unknown[];
          return r[2] !== pid ? r : false;
        } catch {
          return false;
        }
      },
      "the container to restart the Python component",
      45000,
    );
    deepStrictEqual(again.slice(0, 2), [3, "container"]);
    await client.leave();
    strictEqual((await node.stop()).code, 0);
    await waitUntil(
      () => !processAlive(routerPid) && !processAlive(again[2] as number),
      "the Python processes to exit",
      5000,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
