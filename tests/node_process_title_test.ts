/**
 * Crossbar's `title` options (controller and worker) set the process titles
 * `ps` shows (issue 9 item 8: they were accepted and ignored). Linux keeps
 * the first 15 bytes of a title.
 */

import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { connectManagement } from "../src/node/management_client.ts";
import { freePort, routerWorker, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";

const comm = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/comm`).trim();

Deno.test("controller and worker titles from the config become the processes' titles; they and extra show in the management API", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  await writeConfig(dir, {
    version: 2,
    controller: { options: { title: "xbar-ctl-test" }, extra: { site: "a" } },
    workers: [{ ...routerWorker(port), options: { title: "xbar-rtr-test", extra: { n: 1 } } }],
  });
  const node = await startNode(dir);
  try {
    equal(comm(node.pid), "xbar-ctl-test");
    const m = await connectManagement(join(dir, "node.sock"));
    const w = (await m.call("xbar.get_worker", ["router1"])).args[0] as {
      pid: number;
      title: string;
      extra: unknown;
    };
    const status = (await m.call("xbar.get_status")).args[0] as { title: string; extra: unknown };
    await m.leave();
    equal(comm(w.pid), "xbar-rtr-test");
    // Titles and the free-form extra data are shown by the management API.
    deepEqual([w.title, w.extra], ["xbar-rtr-test", { n: 1 }]);
    deepEqual([status.title, status.extra], ["xbar-ctl-test", { site: "a" }]);
  } finally {
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
