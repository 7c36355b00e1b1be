/**
 * A router worker's boot config: the realms and transports `xbar start`
 * hands a router worker it starts before the controller exists (start-up
 * time), so the worker opens its listeners without waiting for the
 * controller's replay. It travels as the first frame on the worker's stdin
 * (`--boot stdin`), never on the command line or in the environment: a
 * transport's config may carry secrets (ticket principals, for one).
 *
 * The replay still follows: `configure`, `start_realm`, `start_transport`
 * as for any router worker; the worker answers those it started from its
 * boot config with what it started (`router_worker.ts`), so the controller
 * keeps the same state as when it started them itself.
 *
 * @module
 */

import type { RealmConfig, RouterWorkerConfig, TransportConfig } from "../config/types.ts";

/** Realms and transports a router worker starts before the controller's replay. */
export interface RouterBoot {
  /** Realms, started one after the other, in this order. */
  realms: RealmConfig[];
  /** Transports, started once the realms are. */
  transports: TransportConfig[];
}

/**
 * The boot config of a router worker, or undefined when it must wait for the
 * controller's replay as before: it runs router components (the replay
 * starts them before its transports, so that they are registered when the
 * first client comes) or a realm with rlinks (they dial with the node key,
 * which comes with `configure`).
 */
export function routerBootOf(config: RouterWorkerConfig): RouterBoot | undefined {
  if (config.components.length > 0) return undefined;
  if (config.realms.some((r) => r.rlinks.length > 0)) return undefined;
  if (config.transports.length === 0) return undefined;
  return { realms: config.realms, transports: config.transports };
}

/**
 * Reads a boot frame (as `routerBootOf` made it; the controller is trusted,
 * this checks the shape only). Undefined when `v` is not one: the worker then
 * waits for the replay.
 */
export function readRouterBoot(v: unknown): RouterBoot | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const { realms, transports } = v as Record<string, unknown>;
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null;
  if (
    !Array.isArray(realms) || !Array.isArray(transports) ||
    !realms.every((r) =>
      isObject(r) && typeof r.name === "string" && Array.isArray(r.rlinks) &&
      r.rlinks.length === 0
    ) ||
    !transports.every((t) => isObject(t) && typeof t.id === "string" && typeof t.type === "string")
  ) {
    return undefined;
  }
  return { realms: realms as RealmConfig[], transports: transports as TransportConfig[] };
}
