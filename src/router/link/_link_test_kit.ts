/**
 * Test kit: N routers of one realm joined in a full mesh of in-memory links,
 * each accepting links from the others' node keys (cryptosign, role
 * `rlink`), with clients joined to a chosen router.
 *
 * @module
 */

import { Router } from "../router.ts";
import type { RealmConfig } from "../realm.ts";
import { identityAuthenticator } from "../_test_client.ts";
import { transportAuthenticator } from "../authn/transport_auth.ts";
import { generateLinkKey, linkIdentity } from "./link_identity.ts";
import { routerLinks } from "./link_manager.ts";
import { MemoryLinkWire } from "./memory_link.ts";
import type { LinkEndpoint } from "./link.ts";
import { type Logger, nullLogger } from "../../log/logger.ts";
import { localPair } from "../../client/local_transport.ts";
import { type JoinOptions, joinSession } from "../../client/join_session.ts";
import type { Session } from "../../client/session.ts";

/** Transport id of link connections in the kit. */
export const LINK_TRANSPORT = "xbar.links";

/** A cluster of linked routers. */
export interface Cluster {
  /** The routers, in order. */
  routers: Router[];
  /** Public keys by router index. */
  keys: string[];
  /** Key pairs by router index (a restarted router reuses its node's key). */
  keyPairs: { publicKey: string; privateKey: string }[];
  /** The wire of each link, by "i-j" (i dialed j). */
  wires: Map<string, MemoryLinkWire>;
  /** Joins a session to router `i` (authid/authrole as asked for, see identityAuthenticator). */
  join(i: number, options?: JoinOptions): Promise<Session>;
  /** Links router `i` to router `j` (i dials), waiting until both ends are synced. */
  link(i: number, j: number): Promise<MemoryLinkWire>;
  /** Waits until every pair of routers has a synced link. */
  meshed(): Promise<void>;
  /** Shuts every router down. */
  close(): Promise<void>;
}

/** Polls `pred` every few ms until it holds; throws after `ms`. */
export async function waitFor(pred: () => boolean, ms = 2000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Options of `cluster`. */
export interface ClusterOptions {
  /** Extra realm config (realm1). */
  realm?: Partial<RealmConfig>;
  /** Link heartbeat (ms). Default 200. */
  heartbeatMs?: number;
  /** Queued bytes above which a link is congested. */
  highWaterBytes?: number;
  /** Link every pair at start. Default true. */
  mesh?: boolean;
  /** Logger of every router. */
  logger?: Logger;
}

/** Starts `n` linked routers. */
export async function cluster(n: number, options: ClusterOptions = {}): Promise<Cluster> {
  const keys = await Promise.all(Array.from({ length: n }, () => generateLinkKey()));
  const pubkeys = keys.map((k) => k.publicKey);
  const routers: Router[] = [];
  for (let i = 0; i < n; i++) {
    const r = new Router({
      handshakeTimeoutMs: 0,
      authenticator: identityAuthenticator(),
      logger: options.logger ?? nullLogger,
      realms: [{ name: "realm1", ...options.realm }],
      links: routerLinks(await linkIdentity(`r${i}`, keys[i]), {
        heartbeatMs: options.heartbeatMs ?? 200,
        highWaterBytes: options.highWaterBytes,
      }),
    });
    r.setAuthenticator(
      LINK_TRANSPORT,
      transportAuthenticator({
        cryptosign: {
          type: "static",
          principals: { rlink: { role: "rlink", authorized_keys: pubkeys } },
        },
      }),
    );
    routers.push(r);
  }
  const wires = new Map<string, MemoryLinkWire>();
  const trusted = (k: string) => pubkeys.includes(k);
  const synced = (i: number, j: number) => {
    const a = routers[i].links!.links("realm1").find((l) => l.peerRouter === `r${j}`);
    const b = routers[j].links!.links("realm1").find((l) => l.peerRouter === `r${i}`);
    return !!a?.synced && !!b?.synced && a.open && b.open;
  };
  const c: Cluster = {
    routers,
    keys: pubkeys,
    keyPairs: keys,
    wires,
    async join(i, opts = {}) {
      return await joinSession(localPair(routers[i], { clone: true }), "realm1", opts);
    },
    async link(i, j) {
      const wire = new MemoryLinkWire(routers[j], { transportId: LINK_TRANSPORT });
      wires.set(`${i}-${j}`, wire);
      await routers[i].links!.dial(wire.dialer, { realm: "realm1", trusted });
      await waitFor(() => synced(i, j), 2000, `link r${i}-r${j} synced`);
      return wire;
    },
    async meshed() {
      await waitFor(
        () => {
          for (let i = 0; i < n; i++) {
            for (let j = i + 1; j < n; j++) if (!synced(i, j)) return false;
          }
          return true;
        },
        3000,
        "mesh synced",
      );
    },
    async close() {
      for (const r of routers) r.shutdown();
      await new Promise((r) => setTimeout(r, 5));
    },
  };
  if (options.mesh !== false) {
    for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) await c.link(j, i);
  }
  return c;
}

/** The link from router `r` to peer `peer` (by router id). */
export function linkOf(r: Router, peer: string): LinkEndpoint | undefined {
  return r.links!.links("realm1").find((l) => l.peerRouter === peer);
}
