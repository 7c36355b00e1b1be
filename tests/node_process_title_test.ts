/**
 * Crossbar's `title` options (controller and worker) set the process titles
 * `ps` shows (issue 9 item 8: they were accepted and ignored). Linux keeps
 * the first 15 bytes of a title.
 */

import { equal } from "node:assert/strict";
import { join } from "node:path";
import { connectManagement } from "../src/node/management_client.ts";
import { freePort, routerWorker, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";

const comm = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/comm`).trim();

Deno.test("controller and worker titles from the config become the processes' titles", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  await writeConfig(dir, {
    version: 2,
    controller: { options: { title: "xbar-ctl-test" } },
    workers: [{ ...routerWorker(port), options: { title: "xbar-rtr-test" } }],
  });
  const node = await startNode(dir);
  try {
    equal(comm(node.pid), "xbar-ctl-test");
    const m = await connectManagement(join(dir, "node.sock"));
    const w = (await m.call("xbar.get_worker", ["router1"])).args[0] as { pid: number };
    await m.leave();
    equal(comm(w.pid), "xbar-rtr-test");
  } finally {
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
