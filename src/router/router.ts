/**
 * The router: realms, and a session per connection. Transports call
 * `attach(peer)`; the router never touches sockets (it runs entirely in
 * memory, see peer.ts).
 *
 * @module
 */

import { randomId } from "../wamp/ids.ts";
import { CloseUri } from "../wamp/uris.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import type { Peer, PeerInfo, SessionAcceptor, SessionHandle } from "./peer.ts";
import {
  anonymousAuthenticator,
  type AuthenticatorFactory,
  type SessionAuthenticator,
} from "./authn/authenticator.ts";
import { Realm, type RealmConfig } from "./realm.ts";
import { RouterSession } from "./session.ts";
import type { LinkManager } from "./link/link_manager.ts";
import { FlowControl } from "./flow_control.ts";
import { RouterMetrics } from "./router_metrics.ts";

/** Router options. */
export interface RouterOptions {
  /** Realms to start with (more can be added at runtime). Default: none. */
  realms?: RealmConfig[];
  /** Where log lines go. Default: nowhere. */
  logger?: Logger;
  /**
   * Authentication per transport: called with the connection's PeerInfo
   * (`transportId` tells which transport). Default: everyone is anonymous
   * with role "anonymous".
   */
  authenticator?: AuthenticatorFactory;
  /** A connection that has not completed HELLO→WELCOME by then is aborted. Default 30000 ms; 0 disables. */
  handshakeTimeoutMs?: number;
  /**
   * Router-to-router links (link/): makes the router's link manager, e.g.
   * `routerLinks(identity, settings)` (`link/link_manager.ts`, which a router
   * without links never imports). Absent: the router accepts no links and
   * dials none.
   */
  links?: (router: Router) => LinkManager;
}

/** A WAMP router. */
export class Router implements SessionAcceptor {
  /** Effective options. */
  readonly options: Required<Omit<RouterOptions, "realms" | "links">>;
  #links: LinkManager | undefined;
  /** Where log lines go. */
  readonly logger: Logger;
  /** Flow control across this router's sessions (see flow_control.ts). */
  readonly flow: FlowControl = new FlowControl();
  /** Counters by transport type, for metrics (`router_metrics.ts`). */
  readonly metrics = new RouterMetrics();
  #realms = new Map<string, Realm>();
  #sessions = new Set<RouterSession>();
  #sessionIds = new Set<number>();
  #authenticators = new Map<string, AuthenticatorFactory>();
  #statsRealms = 0;

  /** @param options see RouterOptions */
  constructor(options: RouterOptions = {}) {
    this.options = {
      logger: options.logger ?? nullLogger,
      authenticator: options.authenticator ?? anonymousAuthenticator(),
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30000,
    };
    this.logger = this.options.logger;
    if (options.links) this.enableLinks(options.links);
    for (const r of options.realms ?? []) this.addRealm(r);
  }

  /** Router-to-router links, when enabled. */
  get links(): LinkManager | undefined {
    return this.#links;
  }

  /**
   * Enables router-to-router links after construction (a router worker
   * started from its boot config gets its link identity with the
   * controller's `configure`). Until then links are refused. Throws when
   * links are enabled already.
   */
  enableLinks(links: (router: Router) => LinkManager): LinkManager {
    if (this.#links) throw new Error("router links are enabled already");
    return this.#links = links(this);
  }

  /** Drops a session that closed (one function for all: sessions keep no closure of their own). */
  readonly #forget = (s: RouterSession): void => {
    this.#sessions.delete(s);
  };

  /** Starts a session for a new connection. */
  attach(peer: Peer): SessionHandle {
    const s = new RouterSession(this, peer, this.#forget);
    this.#sessions.add(s);
    return s;
  }

  /**
   * True when a realm counts session statistics: new connections are
   * counted from their first message (HELLO), so the first statistics of a
   * session include its handshake, as in Crossbar.
   */
  get countsTraffic(): boolean {
    return this.#statsRealms > 0;
  }

  /** The realm named `name`. */
  realm(name: string): Realm | undefined {
    return this.#realms.get(name);
  }

  /** Every realm. */
  realms(): IterableIterator<Realm> {
    return this.#realms.values();
  }

  /** Adds a realm. Throws when one of that name exists. */
  addRealm(config: RealmConfig): Realm {
    if (this.#realms.has(config.name)) throw new Error(`realm "${config.name}" already exists`);
    const realm = new Realm(config, {
      logger: this.logger,
      releaseSessionId: (id) => this.releaseSessionId(id),
    });
    this.#realms.set(config.name, realm);
    if (realm.stats !== undefined) this.#statsRealms++;
    return realm;
  }

  /** Removes a realm, ending its sessions with GOODBYE `wamp.close.close_realm`. */
  removeRealm(name: string): boolean {
    const realm = this.#realms.get(name);
    if (!realm) return false;
    this.links?.closeRealm(realm);
    realm.closeAll(CloseUri.CLOSE_REALM);
    this.#realms.delete(name);
    if (realm.stats !== undefined) this.#statsRealms--;
    return true;
  }

  /** Uses `factory` for connections whose PeerInfo.transportId is `transportId`. */
  setAuthenticator(transportId: string, factory: AuthenticatorFactory): void {
    this.#authenticators.set(transportId, factory);
  }

  /** The authenticator for a new connection. */
  authenticatorFor(info: PeerInfo): SessionAuthenticator {
    const f = (info.transportId !== undefined && this.#authenticators.get(info.transportId)) ||
      this.options.authenticator;
    return f(info);
  }

  /** Every connection with a session object (any state, router links included). */
  connections(): IterableIterator<RouterSession> {
    return this.#sessions.values();
  }

  /** Number of connections with a session object (any state). */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Ends every session with GOODBYE `wamp.close.system_shutdown`. */
  shutdown(message = "router shutting down"): void {
    this.links?.shutdown(message);
    for (const realm of this.#realms.values()) realm.closeAll(CloseUri.SYSTEM_SHUTDOWN, message);
  }

  /**
   * Draws a session id unique in the router and reserves it. A session
   * reserves its id at HELLO (authenticators put it in challenges) and keeps
   * it when it joins; the realm releases it when the session leaves, the
   * session itself when the handshake fails.
   */
  reserveSessionId(): number {
    let id = randomId();
    while (this.#sessionIds.has(id)) id = randomId();
    this.#sessionIds.add(id);
    return id;
  }

  /**
   * Reserves `id` for a session of a linked router (ids are unique across
   * linked routers); false when a session here has it.
   */
  claimSessionId(id: number): boolean {
    if (this.#sessionIds.has(id)) return false;
    this.#sessionIds.add(id);
    return true;
  }

  /** Frees a session id reserved with `reserveSessionId`. */
  releaseSessionId(id: number): void {
    this.#sessionIds.delete(id);
  }
}
