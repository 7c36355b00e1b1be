/**
 * The socket side of a router worker's links to the other router workers of
 * its node (scale-up): a RawSocket listener on a Unix socket in the node
 * directory (MessagePack, mode 0600) whose only accepted credential is the
 * node's own key (WAMP-Cryptosign, principal `rlink`, role `rlink`), and one
 * dial loop per (peer, realm) the controller asks this worker to dial
 * (`setPeers`). The link protocol itself lives in `src/router/link/`.
 *
 * The controller tells the later of two router workers to dial the earlier
 * one, for each realm they share; the dialer trusts only the node key.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";
import type { Logger } from "../log/logger.ts";
import type { Router } from "../router/router.ts";
import type { LinkEndpoint } from "../router/link/link.ts";
import { FORWARD_ALL } from "../router/link/link_frames.ts";
import { LINK_ROLE } from "../router/link/link_manager.ts";
import { transportAuthenticator } from "../router/authn/transport_auth.ts";
import { type RawSocketServer, serveRawSocket } from "../transport/rawsocket_server.ts";
import { msgpackSerializer } from "../serializer/mod.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { clientDialWire } from "./client_dial_wire.ts";
import { LOCAL_LINK_HEARTBEAT_MS } from "./link_heartbeat.ts";
import { type DialLoop, startDialLoop } from "./link_dial_loop.ts";

/** Transport id of the link listener (selects its authenticator). */
export const LINK_TRANSPORT_ID = "xbar.links";
export { LOCAL_LINK_HEARTBEAT_MS };
/** Hard bound of a link connection's outbound queue (the link is congested from 4 MiB). */
const LINK_MAX_OUTBOUND_BYTES = 64 * 1024 * 1024;
/** Longest redial delay between local router workers, ms. */
const LOCAL_MAX_DIAL_DELAY_MS = 2000;

/** One link this worker dials: to `peer` (a router id) for `realm`, at the Unix socket `path`. */
export interface LinkPeerSpec {
  /** Realm. */
  realm: string;
  /** The peer's router id (`<node id>/<worker id>`). */
  peer: string;
  /** The peer's link socket. */
  path: string;
}

/** Options of `RouterLinks`. */
export interface RouterLinksOptions {
  /** The node's public key (hex): the only key accepted and trusted. */
  publicKey: string;
  /** Absolute path of this worker's link socket. */
  socketPath: string;
  /** Where to log. */
  logger: Logger;
  /** Heartbeat of dialed links, ms. Default `LOCAL_LINK_HEARTBEAT_MS`. */
  heartbeatMs?: number;
}

function key(s: LinkPeerSpec): string {
  return `${s.peer}\u0000${s.realm}`;
}

/** A link as the management API shows it. */
function linkInfo(l: LinkEndpoint): Dict {
  return {
    synced: l.synced,
    peer_incarnation: l.peerIncarnation,
    remote_sessions: l.remoteSessions.size,
    queued_bytes: l.queuedBytes,
    frames_in: l.stats.framesIn,
    frames_out: l.stats.framesOut,
    calls_out: l.stats.callsOut,
    calls_in: l.stats.callsIn,
    calls_refused: l.stats.callsRefused,
    events_out: l.stats.eventsOut,
    events_in: l.stats.eventsIn,
    events_dropped: l.stats.eventsDropped,
  };
}

/** A router worker's links to the other router workers of its node. */
export class RouterLinks {
  #router: Router;
  #o: RouterLinksOptions;
  #server: RawSocketServer | undefined;
  #loops = new Map<string, { spec: LinkPeerSpec; loop: DialLoop }>();
  #closed = false;

  /**
   * @param router a router created with `links` (its identity carries the node key)
   * @param options see RouterLinksOptions
   */
  constructor(router: Router, options: RouterLinksOptions) {
    if (!router.links) throw new Error("RouterLinks: the router was created without links");
    this.#router = router;
    this.#o = options;
    router.setAuthenticator(
      LINK_TRANSPORT_ID,
      transportAuthenticator({
        cryptosign: {
          type: "static",
          principals: { [LINK_ROLE]: { role: LINK_ROLE, authorized_keys: [options.publicKey] } },
        },
      }, { logger: options.logger }),
    );
  }

  /** The link socket's path. */
  get socketPath(): string {
    return this.#o.socketPath;
  }

  /** Starts listening for links on the Unix socket (mode 0600; a stale file is replaced). */
  async listen(): Promise<void> {
    this.#server = await serveRawSocket(this.#router, {
      endpoint: { type: "unix", path: this.#o.socketPath, mode: 0o600 },
      serializers: [msgpackSerializer],
      maxOutboundBytes: LINK_MAX_OUTBOUND_BYTES,
      transportId: LINK_TRANSPORT_ID,
      logger: this.#o.logger,
    });
  }

  /**
   * Makes the set of links this worker dials exactly `specs`: starts a dial
   * loop for each new one, stops (and closes the link of) each one no longer
   * listed. Returns how many were started and stopped.
   */
  setPeers(specs: LinkPeerSpec[]): { started: number; stopped: number } {
    if (this.#closed) return { started: 0, stopped: 0 };
    const want = new Map(specs.map((s) => [key(s), s]));
    let stopped = 0;
    for (const [k, { spec, loop }] of [...this.#loops]) {
      const w = want.get(k);
      if (w && w.path === spec.path) continue;
      this.#loops.delete(k);
      void loop.stop("link removed");
      stopped++;
    }
    let started = 0;
    for (const [k, spec] of want) {
      if (this.#loops.has(k)) continue;
      this.#loops.set(k, { spec, loop: this.#dial(spec) });
      started++;
    }
    return { started, stopped };
  }

  #dial(spec: LinkPeerSpec): DialLoop {
    const publicKey = this.#o.publicKey;
    return startDialLoop(this.#router.links!, {
      peer: spec.peer,
      logger: this.#o.logger,
      maxDelayMs: LOCAL_MAX_DIAL_DELAY_MS,
      connect: async () =>
        clientDialWire(
          await connectRawSocket(
            { transport: "unix", path: spec.path },
            { serializer: "msgpack", maxOutboundBytes: LINK_MAX_OUTBOUND_BYTES },
          ),
        ),
      dial: {
        realm: spec.realm,
        trusted: (k) => k === publicKey,
        forward: FORWARD_ALL,
        heartbeatMs: this.#o.heartbeatMs ?? LOCAL_LINK_HEARTBEAT_MS,
      },
    });
  }

  /**
   * Router `peer` is gone (its process exited): its links are closed at once
   * (no waiting for three missed heartbeats) and the loops dialing it start
   * redialing. Returns how many links were closed.
   */
  peerGone(peer: string): number {
    for (const { spec, loop } of this.#loops.values()) if (spec.peer === peer) loop.drop();
    return this.#router.links!.dropPeer(peer, "peer router worker exited");
  }

  /** Router `peer` is (back) up: loops waiting to redial it try at once. */
  peerUp(peer: string): void {
    for (const { spec, loop } of this.#loops.values()) if (spec.peer === peer) loop.nudge();
  }

  /** Every link this worker dials or accepted, for the management API. */
  status(): Dict[] {
    const out: Dict[] = [];
    const seen = new Set<LinkEndpoint>();
    for (const { spec, loop } of this.#loops.values()) {
      const s = loop.status();
      const l = loop.link;
      if (l) seen.add(l);
      out.push({
        realm: spec.realm,
        peer: spec.peer,
        dialed: true,
        state: s.state,
        since: s.since,
        ...(s.failures > 0 ? { failures: s.failures } : {}),
        ...(s.last_error !== undefined && s.state !== "up" ? { last_error: s.last_error } : {}),
        ...(l ? linkInfo(l) : {}),
      });
    }
    for (const l of this.#router.links!.links()) {
      if (seen.has(l) || !l.open) continue;
      out.push({
        realm: l.realm?.name ?? "",
        peer: l.peerRouter,
        dialed: l.dialedBy === this.#router.links!.identity.routerId,
        state: "up",
        ...linkInfo(l),
      });
    }
    return out.sort((a, b) =>
      String(a.realm).localeCompare(String(b.realm)) ||
      String(a.peer).localeCompare(String(b.peer))
    );
  }

  /** Stops dialing and listening (the router's own shutdown closes the links). Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loops = [...this.#loops.values()];
    this.#loops.clear();
    for (const { loop } of loops) void loop.stop("router worker shutting down");
    await this.#server?.shutdown();
  }
}
