/**
 * Which peer routers a node trusts when it dials an rlink: the Ed25519 keys
 * of the static WAMP-Cryptosign principals with role `rlink` on the same
 * router worker's transports — the keys it accepts links from, as in
 * Crossbar's rlink setup, where both nodes list each other's node key. The
 * dialing router checks the key that signs the peer's WELCOME against them,
 * so authentication goes both ways.
 *
 * @module
 */

import type { AuthConfig, RouterWorkerConfig, TransportConfig, WebServiceConfig } from "./types.ts";

/** The role a link session authenticates as. */
export const RLINK_ROLE = "rlink";

function pathAuths(paths: Record<string, WebServiceConfig>, out: AuthConfig[]): AuthConfig[] {
  for (const s of Object.values(paths)) {
    if (s.type === "websocket") out.push(s.auth);
    else if (s.type === "path") pathAuths(s.paths, out);
  }
  return out;
}

function transportAuths(t: TransportConfig): AuthConfig[] {
  if (t.type === "web") return pathAuths(t.paths, []);
  if (t.type === "universal") {
    const out = pathAuths({ ...(t.web?.paths ?? {}), ...t.websocket }, []);
    if (t.rawsocket) out.push(t.rawsocket.auth);
    return out;
  }
  return [t.auth];
}

/** The keys (lower-case hex) a router worker's rlinks trust. */
export function rlinkTrustedKeys(worker: Pick<RouterWorkerConfig, "transports">): string[] {
  const keys = new Set<string>();
  for (const t of worker.transports) {
    for (const auth of transportAuths(t)) {
      const cs = auth?.cryptosign;
      if (cs?.type !== "static") continue;
      for (const p of Object.values(cs.principals)) {
        if (p.role !== RLINK_ROLE) continue;
        for (const k of p.authorized_keys) keys.add(k.toLowerCase());
      }
    }
  }
  return [...keys];
}
