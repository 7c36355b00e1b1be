/**
 * End-to-end: bad configs. `xbar check` and `xbar start` report every error
 * with its path (and file:line:column), exit 1, and start nothing; a node
 * whose transport cannot listen fails to start and leaves nothing running.
 */

import { match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { freePort, portIsFree, routerWorker, tempNodeDir, xbar } from "./_node_kit.ts";

interface Case {
  name: string;
  file: string;
  text: string;
  /** Every one must appear in the output, in this order. */
  expect: RegExp[];
  /** Number of errors reported (default: one per `expect`). */
  count?: number;
}

const port = freePort();

const CASES: Case[] = [
  {
    name: "many errors in one YAML file, each with line:column and path",
    file: "config.yaml",
    text: `version: 2
controller:
  id: Bad Id
workers:
  - type: router
    id: router1
    realms:
      - name: realm1
        roles:
          - name: anonymous
            permissions:
              - uri: ""
                match: prefix
                allow: {call: true, fly: true}
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 70000}
      - type: websocket
        endpoint: {type: tcp, port: ${port}}
      - type: rawsocket
        endpoint: {type: tcp, port: ${port}}
  - type: router
    id: router1
  - type: container
    components:
      - type: class
        realm: realm1
`,
    expect: [
      /config\.yaml:3:7: controller\.id: must be an id .*got "Bad Id"/,
      /config\.yaml:14:37: workers\[0\]\.realms\[0\]\.roles\[0\]\.permissions\[0\]\.allow\.fly: unknown key "fly"/,
      /config\.yaml:17:37: workers\[0\]\.transports\[0\]\.endpoint\.port: must be 1-65535, got 70000/,
      /config\.yaml:21:37: workers\[0\]\.transports\[2\]\.endpoint\.port: port \d+ .*already used by workers\[0\]\.transports\[1\]/,
      /config\.yaml:23:9: workers\[1\]\.id: duplicate worker id "router1"/,
      /config\.yaml:26:9: workers\[2\]\.components\[0\]: missing required key "classname"/,
      /config\.yaml:26:9: workers\[2\]\.components\[0\]: missing required key "transport"/,
    ],
    count: 7,
  },
  {
    name: "YAML that does not parse",
    file: "config.yaml",
    text: "version: 2\nworkers: [\n",
    expect: [/config\.yaml:3:1: cannot parse/],
  },
  {
    name: "an unset $VAR port",
    file: "config.yaml",
    text: `version: 2
workers:
  - type: router
    transports:
      - {type: websocket, endpoint: {type: tcp, port: $XBAR_TEST_SURELY_UNSET}}
`,
    expect: [
      /config\.yaml:5:55: workers\[0\]\.transports\[0\]\.endpoint\.port: environment variable "XBAR_TEST_SURELY_UNSET" is not set/,
    ],
  },
  {
    name: "JSON: version 1 and an unknown top-level key",
    file: "config.json",
    text: JSON.stringify({ version: 1, wrkers: [] }, null, 2),
    expect: [
      /config\.json:2:14: version: config version 1 is too old/,
      /config\.json:3:3: wrkers: unknown key "wrkers" \(did you mean "workers"\?\)/,
    ],
  },
  {
    name: "a router component on a realm the router does not serve",
    file: "config.json",
    text: JSON.stringify(
      {
        version: 2,
        workers: [routerWorker(port, {
          components: [{ type: "module", module: "c.ts", realm: "nope_realm", role: "anonymous" }],
        })],
      },
      null,
      2,
    ),
    expect: [
      /workers\[0\]\.components\[0\]\.module: no such file: \/.*\/c\.ts/,
      /workers\[0\]\.components\[0\]\.realm: .*nope_realm/,
    ],
  },
];

for (const c of CASES) {
  Deno.test(`bad config: ${c.name} → xbar check and xbar start report it, exit 1, start nothing`, async () => {
    const dir = await tempNodeDir();
    try {
      await Deno.writeTextFile(join(dir, c.file), c.text);
      const [checked, started] = await Promise.all([
        xbar(["check", "--dir", dir]),
        xbar(["start", "--dir", dir]),
      ]);
      strictEqual(checked.code, 1, checked.stderr);
      strictEqual(started.code, 1, started.stderr);
      for (const out of [checked.stderr, started.stderr]) {
        let at = 0;
        for (const re of c.expect) {
          const m = re.exec(out.slice(at));
          ok(m, `expected ${re} after offset ${at} in:\n${out}`);
          at += m.index + m[0].length;
        }
        const n = c.count ?? c.expect.length;
        match(out, new RegExp(`\\b${n} errors?\\b`));
      }
      match(started.stderr, /nothing started/);
      const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      strictEqual(
        left.join(","),
        c.file,
        "start left nothing behind (no node.pid, node.sock or key)",
      );
      ok(portIsFree(port));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("xbar start with a port already in use: the node fails to start (exit 1) and leaves nothing running", async () => {
  const dir = await tempNodeDir();
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const taken = (blocker.addr as Deno.NetAddr).port;
    await Deno.writeTextFile(
      join(dir, "config.json"),
      JSON.stringify({ version: 2, workers: [routerWorker(taken)] }),
    );
    const r = await xbar(["start", "--dir", dir]);
    strictEqual(r.code, 1, r.stderr);
    match(
      r.stderr,
      /node start failed.*transport \\"ws1\\" \(websocket\) cannot listen on 127\.0\.0\.1:\d+: the address is already in use/,
    );
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    ok(!left.includes("node.pid") && !left.includes("node.sock"), left.join(","));
    const workerPid = /\[Router +(\d+)\]/.exec(r.stderr);
    ok(workerPid, r.stderr);
    ok(
      !(await Deno.stat(`/proc/${workerPid[1]}`).then(() => true, () => false)),
      "the worker is gone",
    );
  } finally {
    blocker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
