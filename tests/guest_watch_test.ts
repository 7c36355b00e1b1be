/**
 * End-to-end: Crossbar's guest `watch` option restarts a guest program when
 * files in its watched directories change; `${...}` in guest arguments stays
 * literal (Crossbar does not expand it there).
 */

import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { processAlive, startNode, tempNodeDir, waitUntil, writeConfig } from "./_node_kit.ts";

Deno.test("a guest with watch is restarted when a file in a watched directory changes", async () => {
  const dir = await tempNodeDir();
  try {
    await Deno.mkdir(join(dir, "app"));
    await Deno.writeTextFile(join(dir, "app", "main.js"), "v1");
    await writeConfig(dir, {
      version: 2,
      workers: [{
        type: "guest",
        id: "watched",
        executable: "/bin/sh",
        arguments: ["-c", 'echo "started ${PATH:+with-path} $$"; exec sleep 300'],
        options: { watch: { directories: ["app"], action: "restart", timeout: 0.2 } },
      }],
    });
    const node = await startNode(dir);
    const first = await node.waitFor(/started with-path \d+/);
    const pid1 = Number(/started with-path (\d+)/.exec(first)![1]);
    ok(processAlive(pid1));
    await node.waitFor(/watching for changes/);
    await Deno.writeTextFile(join(dir, "app", "main.js"), "v2");
    await node.waitFor(/watched files changed: restarting the guest/);
    const second = await waitUntil(
      () => node.lines.find((l) => /started with-path \d+/.test(l) && l !== first),
      "the guest to start again",
      10000,
    );
    const pid2 = Number(/started with-path (\d+)/.exec(second)![1]);
    ok(pid2 !== pid1);
    await waitUntil(() => !processAlive(pid1), "the old program to be gone", 5000);
    strictEqual((await node.stop()).code, 0);
    await waitUntil(() => !processAlive(pid2), "the new program to be gone", 5000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
