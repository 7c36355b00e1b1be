/**
 * One end of an established router-to-router link for one realm: both ends
 * run the same code once the handshake is done (link_handshake.ts).
 *
 * - **Sync.** `start()` sends a snapshot of this router's own state (its
 *   sessions, the callees and subscribers the link's directions call for,
 *   the topics it keeps history of, its retained events), then `SYNC_END`;
 *   later changes follow as deltas, in order, on the same stream
 *   (link_manager.ts observes the realm). State learned from the peer is
 *   dropped as soon as the link is gone, so a new link (or a new incarnation
 *   of the peer) starts from a fresh snapshot: nothing stale is ever chosen.
 * - **One hop.** What arrives over a link goes to this router's sessions
 *   only; parties of other links are never announced to the peer.
 * - **Calls.** The caller's router owns the call. A call to a remote callee
 *   goes out as `INVOKE` (the remote callee's `send`); `RESULT`/`ERROR` come
 *   back to the dealer as if the callee had answered. A call that a peer
 *   sends us runs on the link's caller party (link_caller.ts). Link gone:
 *   every call routed over it is answered `wamp.error.canceled`, every
 *   invocation that came over it is INTERRUPTed.
 * - **Liveness and pressure.** A `PING` every heartbeat; nothing received for
 *   three heartbeats closes the link. Above the high-water mark of queued
 *   bytes the link is congested: new calls to its callees are answered
 *   `wamp.error.unavailable` by the dealer and events for it are dropped,
 *   counted and logged; control frames (results, errors, interrupts, state)
 *   always go, up to the transport's hard bound, past which the transport
 *   closes the link.
 *
 * @module
 */

import type { Dict, List, RouterMessage } from "../../wamp/messages.ts";
import { MessageType } from "../../wamp/messages.ts";
import type { Logger } from "../../log/logger.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { ClientFeatures } from "../features.ts";
import type { Callee, Registration } from "../dealer.ts";
import type { LinkedPublication, Party, PartyLink, SessionParty } from "../party.ts";
import type { Realm } from "../realm.ts";
import type { Subscription } from "../broker.ts";
import type { MatchPolicy } from "../matcher.ts";
import { check, F, type LinkDirections, LinkProtocolError, withPayload } from "./link_frames.ts";
import { RemoteSession } from "./remote_session.ts";
import { LinkCaller } from "./link_caller.ts";

/** How a link end sends: the connection it was established on. */
export interface LinkWire {
  /**
   * Encodes and queues one frame. May throw when the frame cannot be sent
   * (a `RangeError` when it is over the connection's size limit, another
   * error when it cannot be encoded): the link answers for it (see
   * `LinkEndpoint.undeliverable`). A transport that cannot throw tells the
   * router through `SessionHandle.undeliverable` instead.
   */
  send(frame: unknown[]): void;
  /** Closes the connection (after writing what is queued, as far as possible). Idempotent. */
  close(): void;
  /** Bytes queued and not yet written (0 when unknown). */
  queuedBytes(): number;
}

/** What a link end needs from its router. */
export interface LinkHost {
  /** Takes a session id for a remote session; false when it is in use on this router. */
  claimSessionId(id: number): boolean;
  /** Frees an id taken with `claimSessionId`. */
  releaseSessionId(id: number): void;
  /** Answers a peer's claim to create a registration: the clash reason, or undefined. */
  answerClaim(
    link: LinkEndpoint,
    uri: string,
    match: MatchPolicy,
    invoke: string,
    ts: number,
  ): string | undefined;
  /** A claim answer arrived. */
  claimAnswered(link: LinkEndpoint, claim: number, ok: boolean, message: string): void;
  /** The link is gone (called once, after its state was dropped). */
  linkClosed(link: LinkEndpoint, reason: string): void;
  /** The peer's snapshot is complete. */
  linkSynced(link: LinkEndpoint): void;
  /** The peer told which routers of its node serve the realm (`link.peerSiblings`). */
  siblingsChanged(link: LinkEndpoint): void;
}

/** Options of a `LinkEndpoint`. */
export interface LinkEndpointOptions {
  /** The realm the link serves. */
  realm: Realm;
  /** The connection. */
  wire: LinkWire;
  /** The router it belongs to. */
  host: LinkHost;
  /** This router's id. */
  localRouter: string;
  /** The peer router's id. */
  peerRouter: string;
  /** The peer router's incarnation (a new one means it restarted). */
  peerIncarnation: string;
  /** The router id of the side that dialed (decides between duplicate links). */
  dialedBy: string;
  /** What flows which way. */
  directions: LinkDirections;
  /** The routers of the peer's node that serve the realm (the dialer learns them from WELCOME). */
  peerSiblings?: string[];
  /** Authids of this router's sessions that are not shown to the peer (rlink `exclude_authid`). */
  excludeAuthids?: ReadonlySet<string>;
  /** Heartbeat period in ms (three missed close the link). Default 5000. */
  heartbeatMs?: number;
  /** Queued bytes above which the link is congested. Default 4 MiB. */
  highWaterBytes?: number;
  /** Where to log. */
  logger: Logger;
}

const DROP_LOG_MS = 5000;

/** One end of an established link. */
export class LinkEndpoint implements PartyLink {
  /** The peer router's id. */
  readonly name: string;
  /** The peer router's id. */
  readonly peerRouter: string;
  /** The peer router's incarnation. */
  readonly peerIncarnation: string;
  /** Which router dialed. */
  readonly dialedBy: string;
  /** What flows which way. */
  readonly directions: LinkDirections;
  /** The routers of the peer's node serving the realm, as it last said (WELCOME, `SIBLINGS`). */
  peerSiblings: readonly string[];
  /** The realm (cleared when the link is gone). */
  realm: Realm | undefined;
  /** Counters, for status and metrics. */
  readonly stats = {
    framesIn: 0,
    framesOut: 0,
    callsOut: 0,
    callsIn: 0,
    eventsOut: 0,
    eventsIn: 0,
    eventsDropped: 0,
    callsRefused: 0,
  };
  #o: LinkEndpointOptions;
  #log: Logger;
  #remote = new Map<number, RemoteSession>();
  #history = new Set<string>();
  #caller: LinkCaller;
  #callIds = 0;
  #heartbeatMs: number;
  #highWater: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastIn = Date.now();
  #lastPing = 0;
  #pings = 0;
  #closed = false;
  #synced = false;
  #dropsSinceLog = 0;
  #lastDropLog = 0;

  /** @param options see LinkEndpointOptions */
  constructor(options: LinkEndpointOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.realm = options.realm;
    this.name = options.peerRouter;
    this.peerRouter = options.peerRouter;
    this.peerIncarnation = options.peerIncarnation;
    this.dialedBy = options.dialedBy;
    this.directions = options.directions;
    this.peerSiblings = options.peerSiblings ?? [options.peerRouter];
    this.#heartbeatMs = options.heartbeatMs ?? 5000;
    this.#highWater = options.highWaterBytes ?? 4 * 1024 * 1024;
    this.#caller = new LinkCaller(this);
  }

  /** True once the peer's snapshot is complete. */
  get synced(): boolean {
    return this.#synced;
  }

  /** True until the link is gone. */
  get open(): boolean {
    return !this.#closed;
  }

  /** Sessions of the peer, by id. */
  get remoteSessions(): ReadonlyMap<number, RemoteSession> {
    return this.#remote;
  }

  /** Calls the peer routed to our sessions that are still to be answered (tests). */
  get callsFromPeer(): number {
    return this.#caller.calls.size;
  }

  /** Bytes queued towards the peer. */
  get queuedBytes(): number {
    return this.#o.wire.queuedBytes();
  }

  // ---- PartyLink ----

  /** True while the outbound queue is above the high-water mark. */
  congested(): boolean {
    return this.#o.wire.queuedBytes() > this.#highWater;
  }

  /** Forwards a publication (dropped, counted and logged while congested). */
  publish(p: LinkedPublication): void {
    if (this.#closed || !this.directions.eventsOut) return;
    if (this.congested()) {
      this.#dropped();
      return;
    }
    this.stats.eventsOut++;
    this.sendData(withPayload(
      [F.PUBLISH, p.topic, p.publication, p.ts, p.retain, p.disclosed ?? null, p.filter ?? null],
      p.args,
      p.kwargs,
    ));
  }

  // ---- lifecycle ----

  /** Sends the snapshot of this router's state and starts the heartbeat. */
  start(): void {
    const realm = this.realm!;
    for (const s of realm.sessions.values()) {
      if (!s.link && this.#exports(s)) this.sessionJoined(s);
    }
    if (this.directions.invocationsOut) {
      for (const reg of realm.dealer.registrations()) {
        for (const c of reg.callees) if (!c.session.link) this.calleeAdded(reg, c);
      }
    }
    if (this.directions.eventsIn) {
      for (const sub of realm.broker.subscriptions()) {
        for (const s of sub.subscribers) this.subscriberAdded(sub, s);
      }
      for (const [uri, match] of realm.broker.historyPatterns()) {
        this.sendControl([F.SUBSCRIBER_ADD, 0, uri, match]);
      }
    }
    if (this.directions.eventsOut) {
      for (const r of realm.broker.retained()) {
        this.sendControl(withPayload(
          [F.RETAINED, r.topic, r.publication, r.ts, r.disclosed ?? null, r.filter ?? null],
          r.args,
          r.kwargs,
        ));
      }
      realm.links.add(this);
    }
    this.sendControl([F.SYNC_END]);
    // Liveness is checked four times per heartbeat, so a silent peer is
    // dropped between 3 and 3.25 heartbeats after its last frame.
    this.#timer = setInterval(() => this.#beat(), Math.max(1, Math.floor(this.#heartbeatMs / 4)));
  }

  /** Closes the link from this side: tells the peer why, closes the connection, drops its state. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#o.wire.send([F.CLOSE, reason]);
    this.#o.wire.close();
    this.closed(reason);
  }

  /** The connection is gone: drops everything learned from the peer (idempotent). */
  closed(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const realm = this.realm;
    if (realm) {
      realm.links.delete(this);
      for (const rs of [...this.#remote.values()]) this.#removeSession(rs, "xbar.close.link_lost");
      for (const key of this.#history) {
        const [match, uri] = splitKey(key);
        realm.broker.remoteHistory(this, uri, match, false);
      }
      this.#history.clear();
      realm.dealer.detach(this.#caller);
      this.#caller.realm = undefined;
      this.realm = undefined;
    }
    this.#o.host.linkClosed(this, reason);
  }

  // ---- sending ----

  /** Sends a control frame (state, results, errors, interrupts): never refused. */
  sendControl(frame: unknown[]): void {
    if (this.#closed) return;
    this.stats.framesOut++;
    this.#send(frame);
  }

  /** Sends a data frame (calls, events). Callers check `congested()` first. */
  sendData(frame: unknown[]): void {
    if (this.#closed) return;
    this.stats.framesOut++;
    if (frame[0] === F.INVOKE) this.stats.callsOut++;
    this.#send(frame);
  }

  #send(frame: unknown[]): void {
    try {
      this.#o.wire.send(frame);
    } catch (e) {
      const uri = e instanceof RangeError ? ErrorUri.PAYLOAD_SIZE_EXCEEDED : ErrorUri.RUNTIME_ERROR;
      const text = e instanceof Error ? e.message : String(e);
      queueMicrotask(() => this.undeliverable(frame, uri, text));
    }
  }

  /** A call id unique on this link. */
  nextCallId(): number {
    this.#callIds = this.#callIds >= Number.MAX_SAFE_INTEGER ? 1 : this.#callIds + 1;
    return this.#callIds;
  }

  /**
   * The connection could not carry `frame` (too big for the peer's limit, or
   * not encodable): a call is answered with `uri` to its caller (and the
   * peer told to forget it), a result or error is replaced by a small ERROR,
   * an event is dropped and counted; a state frame closes the link.
   */
  undeliverable(frame: unknown[], uri: string, text: string): void {
    const realm = this.realm;
    if (this.#closed || !realm) return;
    this.#log.log("warn", "router link: frame not delivered", {
      link: this.name,
      code: frame[0],
      error: text,
    });
    switch (frame[0]) {
      case F.INVOKE: {
        const call = frame[1] as number;
        const rs = this.#remote.get(frame[2] as number);
        this.sendControl([F.INTERRUPT, call, { mode: "killnowait", reason: uri }]);
        if (rs) {
          realm.dealer.calleeError(rs, [
            MessageType.ERROR,
            MessageType.INVOCATION,
            call,
            {},
            uri,
            [text],
          ]);
        }
        return;
      }
      case F.RESULT:
      case F.ERROR:
        this.sendControl([F.ERROR, frame[1], frame[2], uri, [text]]);
        return;
      case F.PUBLISH:
        this.stats.eventsDropped++;
        return;
      default:
        this.close(`cannot send a state frame: ${text}`);
    }
  }

  /** A message the router tried to send to a party of this link that links do not carry (a bug). */
  unexpected(party: Party, msg: RouterMessage): void {
    this.#log.log("error", "router link: message for a remote party dropped", {
      link: this.name,
      party: party.id,
      type: msg[0],
    });
  }

  /** Sends a claim to create a registration. */
  sendClaim(claim: number, uri: string, match: MatchPolicy, invoke: string, ts: number): void {
    this.sendControl([F.CLAIM, claim, uri, match, invoke, ts]);
  }

  // ---- local changes to announce (called by the link manager's realm observer) ----

  /** A session of this router joined. */
  sessionJoined(s: SessionParty): void {
    if (s.link || !this.#exports(s)) return;
    this.sendControl([F.SESSION_ADD, s.details(), s.features]);
  }

  /** A session of this router left (its callees and subscribers were announced gone before). */
  sessionLeft(s: SessionParty, reason: string): void {
    if (s.link || !this.#exports(s)) return;
    this.sendControl([F.SESSION_REMOVE, s.id, reason]);
  }

  /** A session of this router became a callee. */
  calleeAdded(reg: Registration, c: Callee): void {
    if (c.session.link || !this.directions.invocationsOut || !this.#exports(c.session)) return;
    this.sendControl([
      F.CALLEE_ADD,
      c.session.id,
      reg.uri,
      reg.match,
      reg.invoke,
      c.discloseCaller,
      c.since,
    ]);
  }

  /** A session of this router stopped being a callee. */
  calleeRemoved(reg: Registration, c: Callee): void {
    if (c.session.link || !this.directions.invocationsOut || !this.#exports(c.session)) return;
    this.sendControl([F.CALLEE_REMOVE, c.session.id, reg.uri, reg.match]);
  }

  /** A session of this router subscribed (not to `wamp.*`: meta events are published by every router). */
  subscriberAdded(sub: Subscription, s: Party): void {
    if (!this.#wantsEvents(sub, s)) return;
    this.sendControl([F.SUBSCRIBER_ADD, s.id, sub.uri, sub.match]);
  }

  /** A session of this router unsubscribed. */
  subscriberRemoved(sub: Subscription, s: Party): void {
    if (!this.#wantsEvents(sub, s)) return;
    this.sendControl([F.SUBSCRIBER_REMOVE, s.id, sub.uri, sub.match]);
  }

  #wantsEvents(sub: Subscription, s: Party): boolean {
    return !s.link && s.id !== 0 && this.directions.eventsIn && !sub.uri.startsWith("wamp.") &&
      this.#exports(s);
  }

  #exports(s: Party): boolean {
    const ex = this.#o.excludeAuthids;
    return !ex || ex.size === 0 || !ex.has(s.auth?.authid ?? "");
  }

  // ---- receiving ----

  /** One frame from the peer. A frame that breaks the protocol closes the link. */
  receive(value: unknown): void {
    if (this.#closed) return;
    this.#lastIn = Date.now();
    this.#pings = 0;
    this.stats.framesIn++;
    try {
      this.#receive(check.frame(value));
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      if (e instanceof LinkProtocolError) {
        this.#log.log("error", "router link: protocol violation by the peer; closing", {
          link: this.name,
          error: text,
        });
        this.close(`link protocol violation: ${text}`);
      } else {
        this.#log.log("error", "router link: internal error; closing", {
          link: this.name,
          error: e instanceof Error ? (e.stack ?? text) : text,
        });
        this.close("internal error");
      }
    }
  }

  #receive(f: unknown[]): void {
    const realm = this.realm!;
    switch (f[0]) {
      case F.SESSION_ADD: {
        check.length(f, 3);
        const details = check.dict(f[1], f, "session details");
        const id = check.int(details.session, f, "session id");
        const features = check.dict(f[2], f, "features") as unknown as ClientFeatures;
        if (this.#remote.has(id)) return;
        if (!this.#o.host.claimSessionId(id)) {
          this.#log.log("error", "router link: remote session id already in use here; ignored", {
            link: this.name,
            session: id,
          });
          return;
        }
        const rs = new RemoteSession(this, details, {
          calleeProgressiveResults: features.calleeProgressiveResults === true,
          calleeProgressiveInvocations: features.calleeProgressiveInvocations === true,
          calleeCanceling: features.calleeCanceling === true,
          calleeTimeout: features.calleeTimeout === true,
          calleeRevocation: features.calleeRevocation === true,
        });
        this.#remote.set(id, rs);
        if (!realm.addRemote(rs)) {
          this.#remote.delete(id);
          this.#o.host.releaseSessionId(id);
        }
        return;
      }
      case F.SESSION_REMOVE: {
        check.length(f, 2);
        const rs = this.#remote.get(check.int(f[1], f, "session id"));
        if (rs) this.#removeSession(rs, typeof f[2] === "string" ? f[2] : "wamp.close.normal");
        return;
      }
      case F.CALLEE_ADD: {
        check.length(f, 7);
        const rs = this.#session(f);
        const uri = check.str(f[2], f, "uri");
        const match = check.match(f[3], f);
        const invoke = check.invoke(f[4], f);
        const disclose = check.bool(f[5], f, "disclose_caller");
        const since = check.int(f[6], f, "since");
        if (!rs || !this.directions.invocationsIn) return;
        realm.dealer.addRemoteCallee(
          rs,
          uri,
          match,
          invoke,
          disclose,
          since,
          (reg, c, winner) => this.#revoked(reg, c, winner),
        );
        return;
      }
      case F.CALLEE_REMOVE: {
        check.length(f, 4);
        const rs = this.#session(f);
        const uri = check.str(f[2], f, "uri");
        const match = check.match(f[3], f);
        if (rs) realm.dealer.removeRemoteCallee(rs, uri, match);
        return;
      }
      case F.SUBSCRIBER_ADD:
      case F.SUBSCRIBER_REMOVE: {
        check.length(f, 4);
        const id = check.int(f[1], f, "session id");
        const uri = check.str(f[2], f, "uri");
        const match = check.match(f[3], f);
        if (!this.directions.eventsOut) return;
        const add = f[0] === F.SUBSCRIBER_ADD;
        if (id === 0) {
          const key = `${match}\u0000${uri}`;
          if (add === this.#history.has(key)) return;
          if (add) this.#history.add(key);
          else this.#history.delete(key);
          realm.broker.remoteHistory(this, uri, match, add);
          return;
        }
        const rs = this.#remote.get(id);
        if (!rs) return;
        if (add) realm.broker.addRemoteSubscriber(rs, uri, match);
        else realm.broker.removeRemoteSubscriber(rs, uri, match);
        return;
      }
      case F.RETAINED: {
        check.length(f, 6);
        if (!this.directions.eventsIn) return;
        realm.broker.retainFromLink({
          topic: check.str(f[1], f, "topic"),
          publication: check.int(f[2], f, "publication"),
          ts: check.int(f[3], f, "ts"),
          retain: true,
          disclosed: check.optDict(f[4], f, "disclosed"),
          filter: check.optDict(f[5], f, "filter"),
          args: check.optList(f[6], f, "args"),
          kwargs: check.optDict(f[7], f, "kwargs"),
        });
        return;
      }
      case F.SYNC_END:
        if (!this.#synced) {
          this.#synced = true;
          this.#o.host.linkSynced(this);
        }
        return;
      case F.PUBLISH: {
        check.length(f, 7);
        if (!this.directions.eventsIn) return;
        this.stats.eventsIn++;
        realm.broker.publishFromLink({
          topic: check.str(f[1], f, "topic"),
          publication: check.int(f[2], f, "publication"),
          ts: check.int(f[3], f, "ts"),
          retain: check.bool(f[4], f, "retain"),
          disclosed: check.optDict(f[5], f, "disclosed"),
          filter: check.optDict(f[6], f, "filter"),
          args: check.optList(f[7], f, "args"),
          kwargs: check.optDict(f[8], f, "kwargs"),
        });
        return;
      }
      case F.INVOKE: {
        check.length(f, 5);
        const call = check.int(f[1], f, "call id");
        const callee = check.int(f[2], f, "callee");
        const registration = check.int(f[3], f, "registration");
        const details = check.dict(f[4], f, "details");
        const args = check.optList(f[5], f, "args");
        const kwargs = check.optDict(f[6], f, "kwargs");
        const isNew = !this.#caller.calls.has(call);
        const err = realm.dealer.invokeFor(
          this.#caller,
          call,
          callee,
          registration,
          details,
          args,
          kwargs,
        );
        if (err) {
          this.sendControl([F.ERROR, call, callee, err[0], [err[1]]]);
        } else if (isNew) {
          this.stats.callsIn++;
          this.#caller.track(call, callee);
        }
        return;
      }
      case F.INTERRUPT: {
        check.length(f, 3);
        const call = check.int(f[1], f, "call id");
        const options = check.dict(f[2], f, "options");
        realm.dealer.interruptFor(this.#caller, call, options);
        if (options.mode !== "kill") this.#caller.forget(call);
        return;
      }
      case F.RESULT: {
        check.length(f, 4);
        const call = check.int(f[1], f, "call id");
        const rs = this.#remote.get(check.int(f[2], f, "callee"));
        const details = check.dict(f[3], f, "details");
        const args = check.optList(f[4], f, "args");
        const kwargs = check.optDict(f[5], f, "kwargs");
        if (!rs) return;
        const y: [typeof MessageType.YIELD, number, Dict, List?, Dict?] = [
          MessageType.YIELD,
          call,
          details,
        ];
        if (kwargs !== undefined) y.push(args ?? [], kwargs);
        else if (args !== undefined) y.push(args);
        realm.dealer.yieldResult(rs, y);
        return;
      }
      case F.ERROR: {
        check.length(f, 4);
        const call = check.int(f[1], f, "call id");
        const rs = this.#remote.get(check.int(f[2], f, "callee"));
        const uri = check.str(f[3], f, "error uri");
        const args = check.optList(f[4], f, "args");
        const kwargs = check.optDict(f[5], f, "kwargs");
        if (!rs) return;
        realm.dealer.calleeError(rs, [
          MessageType.ERROR,
          MessageType.INVOCATION,
          call,
          {},
          uri,
          ...(kwargs !== undefined ? [args ?? [], kwargs] : args !== undefined ? [args] : []),
        ] as never);
        return;
      }
      case F.KILL: {
        check.length(f, 3);
        const s = realm.sessions.get(check.int(f[1], f, "session id"));
        const reason = check.str(f[2], f, "reason");
        const message = f[3] === undefined ? undefined : check.str(f[3], f, "message");
        if (s && !s.link) s.kill(reason, message);
        return;
      }
      case F.CLAIM: {
        check.length(f, 6);
        const claim = check.int(f[1], f, "claim id");
        const uri = check.str(f[2], f, "uri");
        const match = check.match(f[3], f);
        const invoke = check.str(f[4], f, "invoke");
        const ts = check.int(f[5], f, "ts");
        const clash = this.#o.host.answerClaim(this, uri, match, invoke, ts);
        this.sendControl(
          clash === undefined
            ? [F.CLAIM_ANSWER, claim, true]
            : [F.CLAIM_ANSWER, claim, false, clash],
        );
        return;
      }
      case F.CLAIM_ANSWER: {
        check.length(f, 3);
        const claim = check.int(f[1], f, "claim id");
        const ok = check.bool(f[2], f, "ok");
        const message = typeof f[3] === "string" ? f[3] : "registration clashes on a linked router";
        this.#o.host.claimAnswered(this, claim, ok, message);
        return;
      }
      case F.SIBLINGS: {
        check.length(f, 2);
        if (!Array.isArray(f[1]) || !f[1].every((x) => typeof x === "string")) {
          throw new LinkProtocolError("SIBLINGS must be a list of router ids");
        }
        this.peerSiblings = f[1] as string[];
        this.#o.host.siblingsChanged(this);
        return;
      }
      case F.PING:
        this.sendControl([F.PONG, f[1] ?? 0]);
        return;
      case F.PONG:
        return;
      case F.CLOSE: {
        const reason = typeof f[1] === "string" ? f[1] : "closed by the peer";
        this.#log.log("info", "router link closed by the peer", { link: this.name, reason });
        this.#o.wire.close();
        this.closed(`peer: ${reason}`);
        return;
      }
      default:
        throw new LinkProtocolError(`unknown frame code ${String(f[0])}`);
    }
  }

  #session(f: unknown[]): RemoteSession | undefined {
    return this.#remote.get(check.int(f[1], f, "session id"));
  }

  #removeSession(rs: RemoteSession, reason: string): void {
    this.#remote.delete(rs.id);
    this.realm?.removeRemote(rs, reason);
    this.#o.host.releaseSessionId(rs.id);
  }

  /** A registration of ours lost to an earlier one on the peer (after a partition healed). */
  #revoked(reg: Registration, c: Callee, winner: Party): void {
    this.#log.log(
      "warn",
      "router link: registration revoked: an earlier one on a linked router wins",
      {
        link: this.name,
        procedure: reg.uri,
        match: reg.match,
        session: c.session.id,
        winner: winner.id,
      },
    );
    if (!c.session.features.calleeRevocation) return;
    c.session.send([
      MessageType.UNREGISTERED,
      0,
      { registration: reg.id, reason: "wamp.error.procedure_already_exists" },
    ] as never);
  }

  #dropped(): void {
    this.stats.eventsDropped++;
    this.#dropsSinceLog++;
    const now = Date.now();
    if (now - this.#lastDropLog >= DROP_LOG_MS) {
      this.#log.log("warn", "router link congested: events dropped", {
        link: this.name,
        dropped: this.#dropsSinceLog,
        queuedBytes: this.#o.wire.queuedBytes(),
        highWaterBytes: this.#highWater,
      });
      this.#dropsSinceLog = 0;
      this.#lastDropLog = now;
    }
  }

  #beat(): void {
    if (this.#closed) return;
    const now = Date.now();
    if (now - this.#lastIn >= 3 * this.#heartbeatMs) {
      this.#log.log("warn", "router link: peer silent for three heartbeats; closing", {
        link: this.name,
        heartbeatMs: this.#heartbeatMs,
      });
      this.close("heartbeat timeout");
      return;
    }
    if (now - this.#lastPing < this.#heartbeatMs) return;
    this.#lastPing = now;
    this.sendControl([F.PING, ++this.#pings]);
  }
}

function splitKey(key: string): [MatchPolicy, string] {
  const i = key.indexOf("\u0000");
  return [key.slice(0, i) as MatchPolicy, key.slice(i + 1)];
}
