/**
 * A router worker `xbar start` boots from its config (it listens before the
 * controller's replay, see `src/worker/router_boot.ts`): the controller sees
 * the same state as when it starts the transports itself, the transport's
 * secrets reach the worker over its stdin only, and a restart replays as
 * before.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  openRealm,
  processAlive,
  startNode,
  tempNodeDir,
  THROUGH_LAUNCHER,
  waitUntil,
  writeConfig,
} from "./_node_kit.ts";

const SECRET = "b00t-ticket-s3cret";

type D = Record<string, unknown>;

/** Every file under `dir` whose bytes contain `text`. */
async function filesWith(dir: string, text: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await filesWith(path, text));
    else if (e.isFile && (await Deno.readTextFile(path)).includes(text)) out.push(path);
  }
  return out;
}

Deno.test("xbar start: a booted router worker serves before the replay, the controller's view is the replayed one, no secret leaves stdin, a restart replays", async () => {
  const dir = await tempNodeDir();
  try {
    const port = freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    await writeConfig(dir, {
      version: 2,
      workers: [{
        type: "router",
        id: "router1",
        realms: [openRealm("realm1")],
        transports: [{
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port },
          auth: {
            anonymous: { type: "static", role: "anonymous" },
            ticket: {
              type: "static",
              principals: { joe: { ticket: SECRET, role: "anonymous" } },
            },
          },
        }],
      }],
    });
    const node = await startNode(dir);
    const m = await connectManagement(join(dir, "node.sock"));
    try {
      const worker = (await m.call("xbar.get_worker", ["router1"])).args[0] as D;
      strictEqual(worker.state, "running");
      const pid = worker.pid as number;

      // booted: started from the stdin frame, once, and handed to the replay
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
      if (!THROUGH_LAUNCHER) ok(cmdline.includes("--boot\0stdin"), cmdline);
      ok(!cmdline.includes(SECRET), "the secret is not on the command line");
      ok(!(await Deno.readTextFile(`/proc/${pid}/environ`)).includes(SECRET), "nor in the env");
      deepStrictEqual(await filesWith(dir, SECRET), [join(dir, "config.json")]);
      strictEqual(node.lines.filter((l) => /transport started .*transport=ws1/.test(l)).length, 1);
      strictEqual(node.lines.filter((l) => /realm started .*realm=realm1/.test(l)).length, 1);

      const realms = (await m.call("xbar.worker.router1.get_realms")).args[0] as D[];
      deepStrictEqual(realms.map((r) => r.name), ["realm1"]);
      const transports = (await m.call("xbar.worker.router1.get_transports")).args[0] as D[];
      deepStrictEqual(transports.map((t) => [t.id, t.port]), [["ws1", port]]);

      // the booted transport has its auth config
      const joe = await connect(url, "realm1", {
        authmethods: ["ticket"],
        authid: "joe",
        onchallenge: () => SECRET,
      });
      strictEqual(joe.details.authid, "joe");
      await joe.leave();

      // a restart is a plain replay (no boot config), with the same result
      Deno.kill(pid, "SIGKILL");
      await node.waitFor(/restarting worker worker=router1/);
      const after = await waitUntil(
        async () => {
          const w = (await m.call("xbar.get_worker", ["router1"])).args[0] as D;
          return w.state === "running" && w.pid !== pid && w;
        },
        "router1 to run again",
        20000,
      );
      ok(processAlive(after.pid as number));
      const restarted = await Deno.readTextFile(`/proc/${after.pid}/cmdline`);
      ok(!restarted.includes("--boot"), restarted);
      const again = (await m.call("xbar.worker.router1.get_transports")).args[0] as D[];
      deepStrictEqual(again.map((t) => [t.id, t.port]), [["ws1", port]]);
      const s = await connect(url, "realm1");
      await s.leave();
    } finally {
      await m.leave();
      strictEqual((await node.stop()).code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
