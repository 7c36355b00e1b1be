/**
 * The links between the router workers of one node (scale-up): every two
 * router workers that serve a common realm are linked for that realm, a full
 * mesh per realm. Of each pair, the later worker (in config order, then in
 * the order workers were added at runtime) dials the earlier one's link
 * socket, so each link is dialed from one side only and a worker added later
 * needs no change on the others.
 *
 * @module
 */

import type { LinkPeerSpec } from "../worker/router_links.ts";

/** A router worker as the mesh sees it. */
export interface MeshWorker {
  /** Worker id. */
  id: string;
  /** Realms it serves. */
  realms: Iterable<string>;
  /** Its link socket. */
  socket: string;
}

/** The router id of worker `workerId` of node `nodeId` on its links. */
export function routerIdOf(nodeId: string, workerId: string): string {
  return `${nodeId}/${workerId}`;
}

/**
 * For each worker (by id), the links it dials: one per earlier worker and
 * realm both serve, in worker order then realm order. Workers that dial
 * nobody map to `[]`.
 */
export function meshPlan(nodeId: string, workers: MeshWorker[]): Map<string, LinkPeerSpec[]> {
  const plan = new Map<string, LinkPeerSpec[]>();
  const realms = workers.map((w) => new Set(w.realms));
  workers.forEach((w, j) => {
    const out: LinkPeerSpec[] = [];
    for (let i = 0; i < j; i++) {
      for (const realm of realms[j]) {
        if (realms[i].has(realm)) {
          out.push({ realm, peer: routerIdOf(nodeId, workers[i].id), path: workers[i].socket });
        }
      }
    }
    plan.set(w.id, out);
  });
  return plan;
}
