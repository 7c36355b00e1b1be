/**
 * Application Unix sockets of a real node (issue 9, item 7): the file mode is
 * explicit, 0600 unless the config's `mode` says otherwise (it used to be
 * whatever the umask left, e.g. 0755), and a Web transport listens on a Unix
 * socket too.
 */

import { equal } from "node:assert/strict";
import { join } from "node:path";
import { routerWorker, startNode, tempNodeDir, writeConfig } from "./_node_kit.ts";

Deno.test("a node's Unix socket transports are 0600 by default, or the configured mode; a web transport serves on one", async () => {
  const dir = await tempNodeDir();
  await writeConfig(dir, {
    version: 2,
    workers: [routerWorker(0, {
      transports: [
        { type: "rawsocket", id: "rs1", endpoint: { type: "unix", path: "app.sock" } },
        {
          type: "web",
          id: "web1",
          endpoint: { type: "unix", path: "web.sock", mode: "0660" },
          paths: { info: { type: "nodeinfo" } },
        },
      ],
    })],
  });
  const node = await startNode(dir);
  try {
    equal((await Deno.lstat(join(dir, "app.sock"))).mode! & 0o777, 0o600);
    equal((await Deno.lstat(join(dir, "web.sock"))).mode! & 0o777, 0o660);
    const client = Deno.createHttpClient({
      proxy: { transport: "unix", path: join(dir, "web.sock") },
    } as Deno.CreateHttpClientOptions);
    try {
      const res = await fetch("http://localhost/info", { client });
      equal(res.status, 200);
      await res.body?.cancel();
    } finally {
      client.close();
    }
  } finally {
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
