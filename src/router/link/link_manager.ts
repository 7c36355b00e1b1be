/**
 * A router's links: the handshake on both sides, one link per (realm, peer
 * router), and what a realm's links share (its changes observer, its
 * registration claims).
 *
 * - **Handshake.** The dialer sends HELLO with `Details.xbar_link`
 *   (`{v, router, incarnation, nonce, forward}`) and authenticates with its
 *   node key (WAMP-Cryptosign) as role `rlink`; the acceptor answers WELCOME
 *   with its own `xbar_link` (`{v, router, incarnation, pubkey, signature,
 *   forward}`), the signature over the realm, both router ids and the
 *   dialer's nonce, which the dialer checks against the keys it trusts.
 * - **One link per peer.** A second link to the same router (both sides dialed,
 *   or a reconnect racing the old link's end) is settled the same way on both
 *   sides: a newer incarnation of the peer replaces the old link; otherwise
 *   the link dialed by the router with the smaller id stays.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import { MessageType } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { Logger } from "../../log/logger.ts";
import type { Realm } from "../realm.ts";
import type { MatchPolicy } from "../matcher.ts";
import type { RealmObserver } from "../realm_observer.ts";
import { Claims } from "./claims.ts";
import {
  F,
  FORWARD_ALL,
  FORWARD_NONE,
  type ForwardFlags,
  LINK_PROTOCOL_VERSION,
  linkDirections,
  readForwardFlags,
} from "./link_frames.ts";
import { LinkEndpoint, type LinkHost, type LinkWire } from "./link.ts";
import {
  cryptosignAnswer,
  type LinkIdentity,
  linkNonce,
  verifySignature,
  welcomeProof,
} from "./link_identity.ts";
import { bytesToHex, hexToBytes } from "../authn/_bytes.ts";

/** The role a session must authenticate as to open a link. */
export const LINK_ROLE = "rlink";

/** `HELLO.Details.xbar_link` as the dialer sends it. */
export interface LinkHello {
  /** Protocol version. */
  v: number;
  /** Dialer's router id. */
  router: string;
  /** Dialer's incarnation. */
  incarnation: string;
  /** 32 random bytes, hex: the acceptor signs it. */
  nonce: string;
  /** Dialer's forward flags. */
  forward: ForwardFlags;
  /** The heartbeat the dialer runs the link with, ms: the acceptor uses it too. */
  heartbeat?: number;
}

/** The router-side hooks of the router a link manager belongs to. */
export interface LinkRouter {
  /** The realm named `name`. */
  realm(name: string): Realm | undefined;
  /** Takes a session id for a remote session; false when in use. */
  claimSessionId(id: number): boolean;
  /** Frees a session id. */
  releaseSessionId(id: number): void;
}

/** Options of a `LinkManager`. */
export interface LinkManagerOptions {
  /** Where to log. */
  logger: Logger;
  /** Heartbeat of links this router accepts, ms (the dialer may ask for its own in HELLO). Default 5000. */
  heartbeatMs?: number;
  /** Queued bytes above which a link is congested. Default 4 MiB. */
  highWaterBytes?: number;
  /** How long a registration claim waits for answers, ms. Default 3000. */
  claimTimeoutMs?: number;
  /**
   * The routers of this node that serve `realm` (this one included), told to
   * routers that dial in: a node of several router workers behind one shared
   * port is linked to each of them (see `DialOptions.expectRouter`). Default:
   * this router only.
   */
  siblings?: (realm: string) => string[];
}

/** What this router announces and hides on the links of a realm it accepts (from its rlinks config). */
export interface AcceptPolicy {
  /** Forward flags announced on accepted links. Default: none (the dialer's flags decide). */
  forward?: ForwardFlags;
  /** Authids of sessions not shown on accepted links. */
  excludeAuthids?: ReadonlySet<string>;
}

/** Options of one dial. */
export interface DialOptions {
  /** The realm of this router to link. */
  realm: string;
  /** The realm's name on the peer router (Crossbar rlink `realm`). Default: `realm`. */
  remoteRealm?: string;
  /** HELLO.Details.authid (absent: the acceptor finds the principal by key). */
  authid?: string;
  /** Accepts the acceptor's public key (hex). */
  trusted: (publicKey: string) => boolean;
  /** Forward flags. Default: everything. */
  forward?: ForwardFlags;
  /** Authids of this router's sessions not shown to the peer. */
  excludeAuthids?: ReadonlySet<string>;
  /** Heartbeat, ms. Default the manager's. */
  heartbeatMs?: number;
  /** Handshake timeout, ms. Default 10000. */
  timeoutMs?: number;
  /**
   * Link only with this router: a WELCOME from another one (a shared port
   * spread the connection to another router worker of the peer node) fails
   * the dial, so a dial loop retries until it reaches that one.
   */
  expectRouter?: string;
}

/** A connection a dialer runs the handshake and then the link on (e.g. a client transport in raw mode). */
export interface DialWire extends LinkWire {
  /** Set by the dialer: every decoded frame from the acceptor. */
  onvalue: (value: unknown) => void;
  /** Set by the dialer: the connection is gone. */
  onclose: (reason?: string) => void;
}

/**
 * `RouterOptions.links` and `Router.enableLinks()`: a link manager with this
 * identity for the router (logging to the router's logger unless
 * `options.logger`).
 */
export function routerLinks(
  identity: LinkIdentity,
  options: Partial<LinkManagerOptions> = {},
): (router: LinkRouter & { readonly logger: Logger }) => LinkManager {
  return (router) => new LinkManager(router, identity, { logger: router.logger, ...options });
}

/** The links of one realm. */
class RealmLinks implements LinkHost {
  readonly realm: Realm;
  readonly claims: Claims;
  readonly links = new Map<string, LinkEndpoint>();
  policy: AcceptPolicy = {};
  #m: LinkManager;
  #unobserve: () => void;

  constructor(m: LinkManager, realm: Realm) {
    this.#m = m;
    this.realm = realm;
    this.claims = new Claims(m.identity.routerId, {
      timeoutMs: m.options.claimTimeoutMs,
      logger: m.logger,
    });
    this.#unobserve = realm.changes.add(this.#observer());
    realm.registrationClaims = (uri, match, invoke) =>
      this.claims.claim(uri, match, invoke, [...this.links.values()]);
  }

  #observer(): RealmObserver {
    const each = (f: (l: LinkEndpoint) => void) => {
      for (const l of this.links.values()) f(l);
    };
    return {
      sessionJoined: (s) => each((l) => l.sessionJoined(s)),
      sessionLeft: (s, reason) => each((l) => l.sessionLeft(s, reason)),
      calleeAdded: (reg, c) => each((l) => l.calleeAdded(reg, c)),
      calleeRemoved: (reg, c) => each((l) => l.calleeRemoved(reg, c)),
      subscriberAdded: (sub, s) => each((l) => l.subscriberAdded(sub, s)),
      subscriberRemoved: (sub, s) => each((l) => l.subscriberRemoved(sub, s)),
    };
  }

  /** The link that stays when `a` and `b` link the same two routers (see module doc). */
  static keep(a: LinkEndpoint, b: LinkEndpoint): LinkEndpoint {
    if (a.peerIncarnation !== b.peerIncarnation) return b; // b is the newer one
    return a.dialedBy <= b.dialedBy ? a : b;
  }

  /** Adds an established link (closing the duplicate it replaces); false when it is itself the duplicate. */
  add(link: LinkEndpoint): boolean {
    const old = this.links.get(link.peerRouter);
    if (old && old.open) {
      if (RealmLinks.keep(old, link) === old) return false;
      old.close(
        old.peerIncarnation !== link.peerIncarnation ? "peer restarted" : "duplicate link",
      );
    }
    this.links.set(link.peerRouter, link);
    return true;
  }

  claimSessionId(id: number): boolean {
    return this.#m.router.claimSessionId(id);
  }

  releaseSessionId(id: number): void {
    this.#m.router.releaseSessionId(id);
  }

  answerClaim(
    link: LinkEndpoint,
    uri: string,
    match: MatchPolicy,
    invoke: string,
    ts: number,
  ): string | undefined {
    return this.realm.dealer.clash(uri, match, invoke) ??
      this.claims.clashWithPending(uri, match, invoke, ts, link.peerRouter);
  }

  claimAnswered(link: LinkEndpoint, claim: number, ok: boolean, message: string): void {
    this.claims.answered(link, claim, ok, message);
  }

  linkSynced(link: LinkEndpoint): void {
    this.#m.logger.log("info", "router link up", {
      realm: this.realm.name,
      peer: link.peerRouter,
      remoteSessions: link.remoteSessions.size,
    });
    this.announceSiblings();
    this.#m.onLinkUp?.(link);
  }

  siblingsChanged(link: LinkEndpoint): void {
    for (const f of this.#m.siblingListeners) f(link);
  }

  #lastSiblings = "";

  /**
   * Tells every linked router which routers of this node serve the realm,
   * when that changed (a worker of this node linked or unlinked), so routers
   * of other nodes link to each of them (rlinks with replicas).
   */
  announceSiblings(force?: LinkEndpoint): void {
    const siblings = this.#m.options.siblings?.(this.realm.name);
    if (!siblings) return;
    const text = JSON.stringify(siblings);
    if (force) force.sendControl([F.SIBLINGS, siblings]);
    if (text === this.#lastSiblings) return;
    this.#lastSiblings = text;
    for (const l of this.links.values()) if (l !== force) l.sendControl([F.SIBLINGS, siblings]);
  }

  linkClosed(link: LinkEndpoint, reason: string): void {
    if (this.links.get(link.peerRouter) === link) this.links.delete(link.peerRouter);
    this.claims.linkGone(link);
    this.#m.logger.log("info", "router link down", {
      realm: this.realm.name,
      peer: link.peerRouter,
      reason,
    });
    this.announceSiblings();
    this.#m.onLinkDown?.(link, reason);
  }

  /** Closes every link (realm stopped, router shutting down) and stops following the realm. */
  closeAll(reason: string): void {
    for (const l of [...this.links.values()]) l.close(reason);
    this.#unobserve();
    this.realm.registrationClaims = undefined;
  }
}

/** A router's links, for all its realms. */
export class LinkManager {
  /** This router's identity. */
  readonly identity: LinkIdentity;
  /** A random id for this run of the router: peers drop what they knew of an older one. */
  readonly incarnation: string;
  /** Effective options. */
  readonly options: LinkManagerOptions;
  /** Where to log. */
  readonly logger: Logger;
  /** The router. */
  readonly router: LinkRouter;
  /** Called when a link's snapshot is complete (tests, status). */
  onLinkUp: ((link: LinkEndpoint) => void) | undefined;
  /** Called when a link is gone. */
  onLinkDown: ((link: LinkEndpoint, reason: string) => void) | undefined;
  /** Called when a linked router says which routers of its node serve a realm (rlinks with replicas). */
  readonly siblingListeners = new Set<(link: LinkEndpoint) => void>();
  #realms = new Map<Realm, RealmLinks>();
  #policies = new Map<string, AcceptPolicy>();

  /**
   * @param router the router whose realms are linked
   * @param identity this router's id and key
   * @param options see LinkManagerOptions
   */
  constructor(router: LinkRouter, identity: LinkIdentity, options: LinkManagerOptions) {
    this.router = router;
    this.identity = identity;
    this.options = options;
    this.logger = options.logger;
    this.incarnation = linkNonce().slice(0, 16);
  }

  /** Sets what accepted links of `realm` announce and hide (from the realm's rlinks config). */
  setAcceptPolicy(realm: string, policy: AcceptPolicy): void {
    this.#policies.set(realm, policy);
  }

  /** The established links of `realm` (all realms when absent). */
  links(realm?: string): LinkEndpoint[] {
    const out: LinkEndpoint[] = [];
    for (const rl of this.#realms.values()) {
      if (realm === undefined || rl.realm.name === realm) out.push(...rl.links.values());
    }
    return out;
  }

  /** True when `realm` has an open link to router `peer`. */
  hasLink(realm: string, peer: string): boolean {
    for (const rl of this.#realms.values()) {
      if (rl.realm.name === realm && rl.links.get(peer)?.open) return true;
    }
    return false;
  }

  #realmLinks(realm: Realm): RealmLinks {
    let rl = this.#realms.get(realm);
    if (!rl) {
      rl = new RealmLinks(this, realm);
      this.#realms.set(realm, rl);
    }
    rl.policy = this.#policies.get(realm.name) ?? {};
    return rl;
  }

  /**
   * Closes every link to router `peer` at once, connection included (its
   * process is known to be gone: faster than waiting for three missed
   * heartbeats).
   */
  dropPeer(peer: string, reason = "peer router is gone"): number {
    let n = 0;
    for (const rl of this.#realms.values()) {
      const l = rl.links.get(peer);
      if (l?.open) {
        l.close(reason);
        n++;
      }
    }
    return n;
  }

  /** Closes the links of `realm` (it is being removed). */
  closeRealm(realm: Realm, reason = "realm stopped"): void {
    const rl = this.#realms.get(realm);
    if (!rl) return;
    this.#realms.delete(realm);
    rl.closeAll(reason);
  }

  /** Closes every link (router shutting down): peers drop our state at once. */
  shutdown(reason = "router shutting down"): void {
    for (const [realm, rl] of [...this.#realms]) {
      this.#realms.delete(realm);
      rl.closeAll(reason);
    }
  }

  // ---- accepting ----

  /**
   * The accepting side of the handshake, once the dialer authenticated as
   * `authrole` with `hello` in its HELLO: the WELCOME details to send and a
   * function that starts the link once WELCOME is sent. Throws an
   * `Error` with `uri` (ABORT reason) when the link cannot be accepted.
   */
  async accept(
    realmName: string,
    helloValue: unknown,
    authrole: string,
    wire: LinkWire,
  ): Promise<{ welcome: Dict; start: () => LinkEndpoint | undefined }> {
    const hello = readLinkHello(helloValue);
    if (!hello) {
      throw linkRefusal(ErrorUri.PROTOCOL_VIOLATION, "HELLO.Details.xbar_link is malformed");
    }
    if (hello.v !== LINK_PROTOCOL_VERSION) {
      throw linkRefusal(
        ErrorUri.PROTOCOL_VIOLATION,
        `router link protocol version ${hello.v} is not supported (this router speaks ${LINK_PROTOCOL_VERSION})`,
      );
    }
    if (authrole !== LINK_ROLE) {
      throw linkRefusal(
        ErrorUri.NOT_AUTHORIZED,
        `role "${authrole}" may not open a router link (role "${LINK_ROLE}" may)`,
      );
    }
    const realm = this.router.realm(realmName);
    if (!realm) throw linkRefusal(ErrorUri.NO_SUCH_REALM, `no realm "${realmName}" on this router`);
    if (hello.router === this.identity.routerId) {
      throw linkRefusal(ErrorUri.NOT_AUTHORIZED, "a router cannot link to itself");
    }
    const rl = this.#realmLinks(realm);
    const existing = rl.links.get(hello.router);
    if (
      existing?.open && existing.peerIncarnation === hello.incarnation &&
      existing.dialedBy <= hello.router
    ) {
      throw linkRefusal(DUPLICATE_LINK, `router ${hello.router} is already linked`, {
        router: this.identity.routerId,
      });
    }
    const signature = await this.identity.sign(welcomeProof({
      realm: realmName,
      dialer: hello.router,
      nonce: hello.nonce,
      acceptor: this.identity.routerId,
      incarnation: this.incarnation,
    }));
    const policy = rl.policy;
    const forward = policy.forward ?? FORWARD_NONE;
    const welcome: Dict = {
      v: LINK_PROTOCOL_VERSION,
      router: this.identity.routerId,
      incarnation: this.incarnation,
      pubkey: this.identity.publicKey,
      signature: bytesToHex(signature),
      forward: { ...forward },
      siblings: this.options.siblings?.(realmName) ?? [this.identity.routerId],
    };
    const start = () => {
      const link = new LinkEndpoint({
        realm,
        wire,
        host: rl,
        localRouter: this.identity.routerId,
        peerRouter: hello.router,
        peerIncarnation: hello.incarnation,
        dialedBy: hello.router,
        directions: linkDirections(forward, hello.forward),
        excludeAuthids: policy.excludeAuthids,
        heartbeatMs: hello.heartbeat ?? this.options.heartbeatMs,
        highWaterBytes: this.options.highWaterBytes,
        logger: this.logger,
      });
      if (!rl.add(link)) {
        link.close("duplicate link");
        return undefined;
      }
      link.start();
      rl.announceSiblings(link);
      return link;
    };
    return { welcome, start };
  }

  // ---- dialing ----

  /**
   * Runs the dialing side of the handshake on `wire` and starts the link.
   * Rejects (and closes the wire) when the acceptor refuses, cannot prove a
   * trusted key, or does not answer within the timeout.
   */
  dial(wire: DialWire, options: DialOptions): Promise<LinkEndpoint> {
    const nonce = linkNonce();
    const forward = options.forward ?? FORWARD_ALL;
    const hello: Dict = {
      roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} },
      authmethods: ["cryptosign"],
      authextra: { pubkey: this.identity.publicKey },
      xbar_link: {
        v: LINK_PROTOCOL_VERSION,
        router: this.identity.routerId,
        incarnation: this.incarnation,
        nonce,
        forward: { ...forward },
        heartbeat: options.heartbeatMs ?? this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      },
    };
    if (options.authid !== undefined) hello.authid = options.authid;
    return new Promise<LinkEndpoint>((resolve, reject) => {
      let settled = false;
      const fail = (why: string | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        wire.onvalue = () => {};
        wire.onclose = () => {};
        wire.close();
        reject(typeof why === "string" ? new Error(why) : why);
      };
      const timer = setTimeout(
        () => fail("router link handshake timed out"),
        options.timeoutMs ?? 10000,
      );
      wire.onclose = (reason) =>
        fail(`connection closed during the handshake${reason ? `: ${reason}` : ""}`);
      let busy = false;
      const early: unknown[] = []; // link frames that arrive while WELCOME is checked
      wire.onvalue = (value) => {
        if (settled) return;
        if (busy) {
          early.push(value);
          return;
        }
        if (!Array.isArray(value)) return fail("not a WAMP message during the handshake");
        switch (value[0]) {
          case MessageType.CHALLENGE: {
            const extra = value[2] as Dict | undefined;
            if (value[1] !== "cryptosign" || typeof extra?.challenge !== "string") {
              return fail(`unexpected challenge ${JSON.stringify(value[1])}`);
            }
            busy = true;
            cryptosignAnswer(this.identity, extra.challenge).then((sig) => {
              busy = false;
              if (!settled) wire.send([MessageType.AUTHENTICATE, sig, {}]);
            }, (e) => fail(`cannot sign the challenge: ${e}`));
            return;
          }
          case MessageType.ABORT: {
            const details = value[1] as Dict | undefined;
            const why = `refused: ${String(value[2])}: ${String(details?.message ?? "")}`;
            if (value[2] !== DUPLICATE_LINK) return fail(why);
            const router = typeof details?.router === "string" ? details.router : undefined;
            return fail(new DuplicateLinkError(why, router));
          }
          case MessageType.WELCOME: {
            busy = true;
            this.#welcomed(wire, options, nonce, forward, value[2], early).then(
              (link) => {
                if (settled) {
                  link.close("handshake abandoned");
                  return;
                }
                settled = true;
                clearTimeout(timer);
                resolve(link);
              },
              (e) =>
                fail(
                  e instanceof DuplicateLinkError ? e : e instanceof Error ? e.message : String(e),
                ),
            );
            return;
          }
          default:
            return fail(`unexpected message type ${String(value[0])} during the handshake`);
        }
      };
      wire.send([MessageType.HELLO, options.remoteRealm ?? options.realm, hello]);
    });
  }

  async #welcomed(
    wire: DialWire,
    options: DialOptions,
    nonce: string,
    forward: ForwardFlags,
    detailsValue: unknown,
    early: unknown[],
  ): Promise<LinkEndpoint> {
    const details = (detailsValue ?? {}) as Dict;
    const w = details.xbar_link as Dict | undefined;
    if (typeof w !== "object" || w === null) {
      throw new Error("the peer is not an xbar router with links (no xbar_link in WELCOME)");
    }
    const peerForward = readForwardFlags(w.forward);
    if (
      w.v !== LINK_PROTOCOL_VERSION || typeof w.router !== "string" ||
      typeof w.incarnation !== "string" || typeof w.pubkey !== "string" ||
      typeof w.signature !== "string" || !peerForward
    ) throw new Error("WELCOME.Details.xbar_link is malformed");
    const pubkey = w.pubkey.toLowerCase();
    const proof = welcomeProof({
      realm: options.remoteRealm ?? options.realm,
      dialer: this.identity.routerId,
      nonce,
      acceptor: w.router,
      incarnation: w.incarnation,
    });
    if (!await verifySignature(pubkey, w.signature, proof)) {
      throw new Error("the peer's link signature does not verify");
    }
    if (!options.trusted(pubkey)) {
      throw new Error(`the peer's key ${pubkey} is not trusted`);
    }
    if (w.router === this.identity.routerId) throw new Error("linked to itself");
    if (options.expectRouter !== undefined && w.router !== options.expectRouter) {
      throw new Error(`reached router ${w.router}, not ${options.expectRouter}`);
    }
    const siblings = Array.isArray(w.siblings)
      ? w.siblings.filter((x): x is string => typeof x === "string")
      : [w.router];
    const realm = this.router.realm(options.realm);
    if (!realm) throw new Error(`realm "${options.realm}" is not running here`);
    const rl = this.#realmLinks(realm);
    const link = new LinkEndpoint({
      realm,
      wire,
      host: rl,
      localRouter: this.identity.routerId,
      peerRouter: w.router,
      peerIncarnation: w.incarnation,
      dialedBy: this.identity.routerId,
      directions: linkDirections(forward, peerForward),
      peerSiblings: siblings,
      excludeAuthids: options.excludeAuthids,
      heartbeatMs: options.heartbeatMs ?? this.options.heartbeatMs,
      highWaterBytes: this.options.highWaterBytes,
      logger: this.logger,
    });
    wire.onvalue = (v) => link.receive(v);
    wire.onclose = (reason) => link.closed(reason ?? "connection closed");
    if (!rl.add(link)) {
      link.close("duplicate link");
      throw new DuplicateLinkError("duplicate link: the peer is already linked", w.router);
    }
    link.start();
    rl.announceSiblings(link);
    for (const v of early.splice(0)) link.receive(v);
    return link;
  }
}

/** Heartbeat of a link when neither side sets one, ms. */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** ABORT reason for a link refused because the two routers are already linked. */
export const DUPLICATE_LINK = "xbar.error.duplicate_link";

/** An error whose `uri` is the ABORT reason. */
export function linkRefusal(
  uri: string,
  message: string,
  details?: Dict,
): Error & { uri: string; details?: Dict } {
  return Object.assign(new Error(message), { uri, ...(details ? { details } : {}) });
}

/**
 * A dial that found the two routers already linked (the other side dialed
 * first): `peerRouter` is the router the peer says it is, as a hint of which
 * existing link stands for this dial (the acceptor refuses before it proves
 * its identity, so only use it to decide when to dial again).
 */
export class DuplicateLinkError extends Error {
  /** The peer's router id, when it said. */
  readonly peerRouter: string | undefined;

  /** @param peerRouter the peer's router id, when known */
  constructor(message: string, peerRouter: string | undefined) {
    super(message);
    this.name = "DuplicateLinkError";
    this.peerRouter = peerRouter;
  }
}

/** Reads HELLO.Details.xbar_link; undefined when malformed. */
export function readLinkHello(v: unknown): LinkHello | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const d = v as Dict;
  const forward = d.forward === undefined ? FORWARD_ALL : readForwardFlags(d.forward);
  const hb = d.heartbeat;
  if (
    typeof d.v !== "number" || typeof d.router !== "string" || d.router === "" ||
    typeof d.incarnation !== "string" || typeof d.nonce !== "string" ||
    hexToBytes(d.nonce)?.length !== 32 || !forward ||
    (hb !== undefined &&
      (typeof hb !== "number" || !Number.isInteger(hb) || hb < 10 || hb > 600000))
  ) return undefined;
  const hello: LinkHello = {
    v: d.v,
    router: d.router,
    incarnation: d.incarnation,
    nonce: d.nonce,
    forward,
  };
  if (hb !== undefined) hello.heartbeat = hb as number;
  return hello;
}
