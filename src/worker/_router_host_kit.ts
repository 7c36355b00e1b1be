/**
 * Test fixture: a router worker host in this process, without a controller
 * (its node calls fail), with link settings for its `configure` and a
 * helper that calls its management operations as the controller does.
 *
 * @module
 */

import type { MemoryLogger } from "../log/logger.ts";
import { generateLinkKey } from "../router/link/link_identity.ts";
import type { WorkerOpName } from "./management_uris.ts";
import { routerWorkerHost } from "./router_worker.ts";

/** A host logging to `logger`, started from `boot` when given; its node directory is a new temp dir. */
export async function routerHostFixture<L extends MemoryLogger>(logger: L, boot?: unknown) {
  const dir = await Deno.makeTempDir({ prefix: "xbar-rw-" });
  const host = routerWorkerHost({
    id: "r1",
    nodeDir: dir,
    logger,
    node: { call: () => Promise.reject(new Error("no controller")) },
    ...(boot === undefined ? {} : { boot }),
  });
  const key = await generateLinkKey();
  const settings = {
    router_id: "n/r1",
    public_key: key.publicKey,
    private_key: key.privateKey,
    link_socket: `${dir}/r1.sock`,
  };
  const op = (name: WorkerOpName, ...args: unknown[]) =>
    Promise.resolve().then(() => host.procedures[name]!(args));
  return { dir, host, settings, op, logger };
}
