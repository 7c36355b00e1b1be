/**
 * Scale-out: a realm's `rlinks` (Crossbar's config) as router links to other
 * nodes. Each rlink keeps one dial loop (link_dial_loop.ts: backoff with
 * jitter) over its connecting transport (RawSocket or WebSocket, TCP, TLS or
 * Unix, as `transport` says); the link authenticates with the node key as
 * WAMP-Cryptosign principal of role `rlink` on the peer, and trusts the
 * peer only when the key that signs its WELCOME is one this router worker's
 * own rlink principals list (config/rlink_trust.ts). `realm` names the realm
 * on the peer; `authid` is sent in HELLO; `exclude_authid` hides those
 * sessions from the peer; the `forward_*` flags decide which way events and
 * calls flow (link_frames.ts `linkDirections`: a direction flows when either
 * side asks for it). Links this worker accepts for the realm announce the
 * union of its rlinks' flags and excluded authids.
 *
 * Two nodes that dial each other (Crossbar's rlink test does) end up with one
 * link; the other dial loop finds the peer already linked and waits.
 *
 * A peer node may run several router workers for the realm behind one shared
 * port (replicas): its WELCOME names them (`siblings`), and the rlink keeps
 * one more dial loop per sibling, each asking for that router
 * (`expectRouter`) and redialing until the port's spreading lands it there,
 * so every router of this node links to every router of the peer node: the
 * mesh stays full and one hop.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";
import type { Logger } from "../log/logger.ts";
import type { RealmConfig as NodeRealmConfig, RLinkConfig } from "../config/types.ts";
import type { Router } from "../router/router.ts";
import type { LinkEndpoint } from "../router/link/link.ts";
import type { LinkManager } from "../router/link/link_manager.ts";
import { FORWARD_NONE, type ForwardFlags } from "../router/link/link_frames.ts";
import { connectTransport } from "./component_connection.ts";
import { clientDialWire } from "./client_dial_wire.ts";
import { type DialLoop, startDialLoop } from "./link_dial_loop.ts";

/** Longest redial delay of an rlink, ms. */
const RLINK_MAX_DIAL_DELAY_MS = 10000;
/** Longest redial delay of a loop looking for one router behind a shared port, ms. */
const SIBLING_MAX_DIAL_DELAY_MS = 2000;

function flags(l: RLinkConfig): ForwardFlags {
  return {
    local_events: l.forward_local_events,
    remote_events: l.forward_remote_events,
    local_invocations: l.forward_local_invocations,
    remote_invocations: l.forward_remote_invocations,
  };
}

/** The node part of a router id (`<node id>/<worker id>`). */
function nodeOf(routerId: string): string {
  return routerId.slice(0, routerId.lastIndexOf("/") + 1);
}

function where(l: RLinkConfig): string {
  const e = l.transport.endpoint;
  return e.type === "tcp" ? `${e.host}:${e.port}` : `unix:${e.path}`;
}

interface RlinkLoop {
  config: RLinkConfig;
  loop: DialLoop;
  /** The peer router this loop asks for (sibling loops). */
  target?: string;
}

/** The rlinks of one realm. */
export class RealmRlinks {
  #loops: RlinkLoop[] = [];
  #logger: Logger;
  #stopped = false;
  #onSiblings: (link: LinkEndpoint) => void = () => {};
  #links: LinkManager | undefined;

  /**
   * Starts dialing every rlink of `realm`.
   *
   * @param router the router worker's router (created with links)
   * @param realm the realm's node config
   * @param options `nodeDir` (relative Unix paths and TLS files), `trusted`
   *   (the keys a peer may sign with, read at each handshake), `logger`
   */
  constructor(
    router: Router,
    realm: NodeRealmConfig,
    options: { nodeDir: string; trusted: () => string[]; logger: Logger },
  ) {
    this.#logger = options.logger;
    const links = router.links;
    if (!links) throw new Error("this router worker has no link identity (node key)");
    let accept: ForwardFlags = { ...FORWARD_NONE };
    const exclude = new Set<string>();
    for (const l of realm.rlinks) {
      const f = flags(l);
      accept = {
        local_events: accept.local_events || f.local_events,
        remote_events: accept.remote_events || f.remote_events,
        local_invocations: accept.local_invocations || f.local_invocations,
        remote_invocations: accept.remote_invocations || f.remote_invocations,
      };
      for (const a of l.exclude_authid) exclude.add(a);
    }
    links.setAcceptPolicy(realm.name, { forward: accept, excludeAuthids: exclude });
    const known = new Map<RLinkConfig, string>(); // the router a seed loop last linked with
    const start = (l: RLinkConfig, target?: string): DialLoop =>
      startDialLoop(links, {
        skip: () => {
          const peer = target ?? known.get(l);
          return peer !== undefined && links.hasLink(realm.name, peer);
        },
        peer: target ? `${l.id} (${where(l)}, router ${target})` : `${l.id} (${where(l)})`,
        logger: options.logger,
        maxDelayMs: target ? SIBLING_MAX_DIAL_DELAY_MS : RLINK_MAX_DIAL_DELAY_MS,
        connect: async () => clientDialWire(await connectTransport(l.transport, options.nodeDir)),
        onDuplicate: (peer) => {
          if (target === undefined && peer !== undefined) known.set(l, peer);
        },
        onLink: (link) => {
          if (target === undefined) known.set(l, link.peerRouter);
          discover(l, link.peerRouter, link.peerSiblings);
        },
        dial: {
          realm: realm.name,
          remoteRealm: l.realm,
          ...(l.authid !== undefined ? { authid: l.authid } : {}),
          ...(target !== undefined ? { expectRouter: target } : {}),
          trusted: (k) => options.trusted().includes(k.toLowerCase()),
          forward: flags(l),
          excludeAuthids: new Set(l.exclude_authid),
          heartbeatMs: l.heartbeat_interval,
        },
      });
    /** A loop for each router of `peer`'s node this rlink does not dial yet. */
    const discover = (l: RLinkConfig, peer: string, siblings: readonly string[]) => {
      for (const s of siblings) {
        if (this.#stopped || s === peer) continue;
        if (this.#loops.some((x) => x.config === l && x.target === s)) continue;
        this.#loops.push({ config: l, target: s, loop: start(l, s) });
      }
    };
    // A router of a peer node says its node's routers changed (one started or
    // came back): dial the new ones, whichever link carried the news.
    this.#onSiblings = (link) => {
      if (link.realm?.name !== realm.name) return;
      const node = nodeOf(link.peerRouter);
      for (const l of realm.rlinks) {
        const k = known.get(l);
        if (k !== undefined && nodeOf(k) === node) discover(l, link.peerRouter, link.peerSiblings);
      }
    };
    links.siblingListeners.add(this.#onSiblings);
    this.#links = links;
    for (const l of realm.rlinks) this.#loops.push({ config: l, loop: start(l) });
  }

  /** The rlinks with their dial state and link, for the management API. */
  status(): Dict[] {
    return this.#loops.map(({ config, loop, target }) => {
      const s = loop.status();
      const link = loop.link;
      return {
        rlink: config.id,
        target: where(config),
        ...(target !== undefined ? { router: target } : {}),
        remote_realm: config.realm,
        state: s.state,
        since: s.since,
        ...(s.failures > 0 ? { failures: s.failures } : {}),
        ...(s.last_error !== undefined && s.state !== "up" ? { last_error: s.last_error } : {}),
        ...(link ? { peer: link.peerRouter, remote_sessions: link.remoteSessions.size } : {}),
      };
    });
  }

  /** Stops dialing and closes the links these rlinks made. */
  async stop(reason = "realm stopped"): Promise<void> {
    this.#stopped = true;
    this.#links?.siblingListeners.delete(this.#onSiblings);
    const loops = this.#loops;
    this.#loops = [];
    await Promise.all(loops.map(({ loop }) => loop.stop(reason)));
    if (loops.length > 0) this.#logger.log("debug", "rlinks stopped", { count: loops.length });
  }
}
