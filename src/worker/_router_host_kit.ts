/**
 * Test fixture: a router worker host in this process, without a controller
 * (its node calls fail), with link settings for its `configure` and a
 * helper that calls its management operations as the controller does; and
 * a validated router worker config to start on it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { validateConfig } from "../config/validate.ts";
import type { RouterWorkerConfig } from "../config/types.ts";
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

/**
 * A validated router worker config: realm `realm1` (anonymous) and a
 * RawSocket TCP transport on 127.0.0.1 port 0 for each of `transportIds`.
 */
export function routerConfig(
  transportIds: string[],
  extra: Record<string, unknown> = {},
): RouterWorkerConfig {
  const r = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      id: "router1",
      realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
      transports: transportIds.map((id) => ({
        type: "rawsocket",
        id,
        endpoint: { type: "tcp", interface: "127.0.0.1", port: 0 },
      })),
      ...extra,
    }],
  });
  assert.ok(r.config, JSON.stringify(r.errors));
  return r.config.workers[0] as RouterWorkerConfig;
}
