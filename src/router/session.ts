/**
 * One connection's WAMP session on the router side: the opening handshake
 * (HELLO → [CHALLENGE → AUTHENTICATE] → WELCOME | ABORT), the established
 * phase (messages go to the realm), and closing (GOODBYE, ABORT, transport
 * loss, slow consumer). Implements the transport-facing `SessionHandle`.
 *
 * Flow control (`flow_control.ts`): every message is handled inside
 * `FlowControl.enter/exit`, every send to a backlogged session is a hit, so
 * a session that fed a backlogged one is paused after its message; a
 * session backlogged for longer than its peer's `stuckTimeoutMs` is closed
 * as a slow consumer (ABORT `xbar.close.slow_consumer`, logged, and the
 * reason in `wamp.session.on_leave`).
 *
 * Message order is kept even when a step is async (authentication, dynamic
 * authorization): while one is pending, later messages wait in a queue.
 *
 * @module
 */

import type { Dict, Message, RouterMessage } from "../wamp/messages.ts";
import { MessageType, messageTypeName } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { ProtocolViolation } from "../wamp/errors.ts";
import { CloseUri, ErrorUri, XbarUri } from "../wamp/uris.ts";
import { IdSequence } from "../wamp/ids.ts";
import { isValidUri } from "../wamp/uri_check.ts";
import type { Peer, SessionHandle } from "./peer.ts";
import type { AuthInfo, AuthStep, SessionAuthenticator } from "./authn/authenticator.ts";
import type { AuthzSubject } from "./authz/authorizer.ts";
import {
  type ClientFeatures,
  hasClientRole,
  readClientFeatures,
  ROUTER_ROLES,
} from "./features.ts";
import type { Router } from "./router.ts";
import type { Realm } from "./realm.ts";
import type { PendingCall, Registration } from "./dealer.ts";
import type { Subscription } from "./broker.ts";
import type { Testament } from "./meta/testament.ts";
import { publicTransportDetails } from "./meta/public_transport.ts";
import type { SessionParty } from "./party.ts";
import type { LinkEndpoint } from "./link/link.ts";
import { FlowNode } from "./flow_control.ts";
import { authMethodLabel, type Traffic } from "./router_metrics.ts";
import { SessionStats } from "./session_stats.ts";

type State = "new" | "authenticating" | "established" | "link" | "closing" | "closed";

/** How long a router-initiated GOODBYE waits for the peer's reply before the transport is closed. */
const GOODBYE_WAIT_MS = 2000;

/** HELLO.Details before HELLO and after the handshake (shared, never written). */
const NO_DETAILS: Dict = Object.freeze({});

/** A WAMP session as the router sees it. */
export class RouterSession implements SessionHandle, SessionParty {
  /** The connection. */
  readonly peer: Peer;
  /** A session of this router: no link. */
  readonly link = undefined;
  /** Session id (0 until WELCOME). */
  id = 0;
  /** The realm joined (undefined before WELCOME and after leaving). */
  realm: Realm | undefined;
  /** Identity, set at WELCOME. */
  auth: AuthInfo | undefined;
  /** Identity as authorizers see it, set at WELCOME. */
  subject: AuthzSubject | undefined;
  /** HELLO.Details as sent by the client, while the handshake runs (empty before and after). */
  helloDetails: Dict = NO_DETAILS;
  /** Client features that change routing. */
  features: ClientFeatures = readClientFeatures(undefined);
  /** When the session joined (ISO 8601). */
  joinedAt = "";
  // The collections below are made on first use: a session that never calls,
  // registers or subscribes holds none of them (idle memory: ~0.7 KB each
  // session, measured with heap snapshots).
  #calls: Map<number, PendingCall> | undefined;
  #invocations: Map<number, PendingCall> | undefined;
  #registrations: Set<Registration> | undefined;
  #subscriptions: Set<Subscription> | undefined;
  /** Calls this session made that are in flight, by CALL.Request. */
  get calls(): Map<number, PendingCall> {
    return this.#calls ??= new Map();
  }
  /** Invocations sent to this session that are in flight, by INVOCATION.Request. */
  get invocations(): Map<number, PendingCall> {
    return this.#invocations ??= new Map();
  }
  /** Registrations this session is a callee of. */
  get registrations(): Set<Registration> {
    return this.#registrations ??= new Set();
  }
  /** Subscriptions this session is a subscriber of. */
  get subscriptions(): Set<Subscription> {
    return this.#subscriptions ??= new Set();
  }
  /** This session's side of flow control. */
  readonly flow: FlowNode;
  #testaments: { destroyed: Testament[]; detached: Testament[] } | undefined;
  /** Testaments to publish when the session goes, by scope (made on first use: idle memory). */
  get testaments(): { destroyed: Testament[]; detached: Testament[] } {
    return this.#testaments ??= { destroyed: [], detached: [] };
  }

  #router: Router;
  #state: State = "new";
  #authenticator: SessionAuthenticator | undefined;
  #helloRealm = "";
  /** Session id reserved at HELLO, until the session joins (then it is `id`). */
  #reservedId = 0;
  #requestIds: IdSequence | undefined; // made on first use: idle memory
  #busy = false;
  /** Frames that arrived while busy (made on first use: idle memory). */
  #queue: unknown[] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onClosed: (s: RouterSession) => void;
  /** HELLO.Details.xbar_link: the peer is a router opening a link. */
  #linkHello: unknown;
  /** The link this connection carries, once WELCOME was sent for it. */
  #link: LinkEndpoint | undefined;
  /** Closes the session when it stays backlogged too long. */
  #stuckTimer: ReturnType<typeof setTimeout> | undefined;
  /** The counters of this connection's transport type. */
  #traffic: Traffic;
  /** `#traffic.sent`, at hand for `send()`. */
  #sent: Float64Array;
  /** The authentication method of the pending challenge. */
  #authMethod: string | undefined;
  /** Session statistics (realm `stats`): the meter the transport counts into, while it does. */
  #stats: SessionStats | undefined;

  /**
   * @param router the router this session belongs to
   * @param peer the connection
   * @param onClosed called once, with the session, when it reaches its final state
   */
  constructor(router: Router, peer: Peer, onClosed: (s: RouterSession) => void) {
    this.#router = router;
    this.peer = peer;
    this.#onClosed = onClosed;
    this.flow = new FlowNode(peer);
    this.#traffic = router.metrics.trafficOf(peer.info.type);
    this.#sent = this.#traffic.sent;
    if (router.countsTraffic) this.#startCounting();
    this.#armHandshakeTimer();
  }

  /**
   * Session statistics: the transport counts every message into a new meter
   * from now on (before the realm is known: HELLO and the handshake count,
   * rated once the session joins a realm with `stats`). Not for in-process
   * peers (no `countTraffic`: nothing is serialized).
   */
  #startCounting(): void {
    const peer = this.peer;
    if (peer.countTraffic === undefined) return;
    const stats = new SessionStats(peer.info.serializer);
    this.#stats = stats;
    peer.countTraffic(stats);
  }

  /** The transport stops counting; returns the meter it counted into, if any. */
  #stopCounting(): SessionStats | undefined {
    const stats = this.#stats;
    if (stats === undefined) return undefined;
    this.#stats = undefined;
    this.peer.countTraffic?.(undefined);
    return stats;
  }

  /**
   * A connection without a session (new, or after GOODBYE) must establish one
   * within `handshakeTimeoutMs`, or it is aborted and closed.
   */
  #armHandshakeTimer(): void {
    const ms = this.#router.options.handshakeTimeoutMs;
    if (ms <= 0) return;
    this.#setTimer(ms, () => {
      if (this.#state === "new" || this.#state === "authenticating") {
        this.abort(XbarUri.HANDSHAKE_TIMEOUT, `no session established within ${ms} ms`);
      }
    });
  }

  /** True while the session is joined to a realm. */
  get established(): boolean {
    return this.#state === "established";
  }

  /** The session's lifecycle state (for tests and logs). */
  get state(): State {
    return this.#state;
  }

  /**
   * Session details as the session meta API shows them (to other sessions
   * too): the transport without its credentials (see
   * `meta/public_transport.ts`).
   */
  details(): Dict {
    const a = this.auth!;
    return {
      session: this.id,
      authid: a.authid,
      authrole: a.authrole,
      authmethod: a.authmethod,
      authprovider: a.authprovider,
      authextra: a.authextra ?? {},
      transport: publicTransportDetails(this.peer.info),
      joined: this.joinedAt,
    };
  }

  /** Next id for a router-to-client request (INVOCATION). */
  nextRequestId(): number {
    return (this.#requestIds ??= new IdSequence()).next();
  }

  /** Sends a message to the peer (a hit for flow control when its queue is backlogged). */
  send(msg: RouterMessage): void {
    const type = msg[0];
    this.#sent[type]++;
    if (type === MessageType.ERROR && msg[1] === MessageType.CALL) {
      this.realm?.metrics.callErrors.inc(msg[4]);
    }
    if (this.realm?.traced) this.#trace("out", msg);
    this.peer.send(msg);
    if (this.flow.backlogged) this.#router.flow.hit(this.flow);
  }

  #trace(direction: "in" | "out", msg: unknown): void {
    const type = Array.isArray(msg) ? messageTypeName[msg[0] as number] : undefined;
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch {
      text = String(msg);
    }
    this.realm!.logger.log("info", `trace ${direction} ${type ?? "?"}`, {
      realm: this.realm!.name,
      session: this.id,
      message: text.length > 500 ? `${text.slice(0, 500)}…` : text,
    });
  }

  // ---- SessionHandle ----

  /** A decoded frame from the transport. */
  receive(value: unknown): void {
    if (this.#state === "closed") return;
    if (this.realm?.traced) this.#trace("in", value);
    if (this.#busy) {
      (this.#queue ??= []).push(value);
      return;
    }
    this.#process(value);
  }

  /** The transport could not decode or accept something: ABORT and close. */
  protocolViolation(message: string, uri: string = ErrorUri.PROTOCOL_VIOLATION): void {
    if (this.#state !== "closed") this.#traffic.protocolViolations++;
    this.abort(uri, message);
  }

  /** The transport's outbound queue is over its hard bound: drop the session as a slow consumer. */
  overflow(queuedBytes: number, reason = "outbound queue bound exceeded"): void {
    if (this.#state === "closed") return;
    if (this.#link) {
      this.#router.logger.log("warn", "router link closed: outbound queue bound exceeded", {
        link: this.#link.name,
        queuedBytes,
        reason,
      });
      this.#link.closed("link outbound queue bound exceeded");
      this.#finish(XbarUri.SLOW_CONSUMER);
      this.peer.close();
      return;
    }
    this.#logSlowConsumer(queuedBytes, reason);
    this.#finish(XbarUri.SLOW_CONSUMER, reason);
    this.peer.close();
  }

  /**
   * Flow control: the transport's outbound queue passed its high-water mark
   * (`true`) or is back below its low-water mark (`false`). Records it (the
   * sessions feeding this one are paused after their message), and closes
   * the session when it stays backlogged for the peer's `stuckTimeoutMs`.
   * Ignored for router links (their own congestion rule applies).
   */
  backlog(backlogged: boolean): void {
    if (this.#state === "closed" || this.#state === "link") return;
    const flow = this.#router.flow;
    if (!backlogged) {
      this.#clearStuckTimer();
      flow.drained(this.flow);
      return;
    }
    flow.backlogged(this.flow);
    const ms = this.peer.stuckTimeoutMs ?? 0;
    if (ms > 0 && this.#stuckTimer === undefined) {
      this.#stuckTimer = setTimeout(() => {
        this.#stuckTimer = undefined;
        if (!this.flow.backlogged || this.#state === "closed" || this.#state === "link") return;
        const reason = `outbound queue stayed above its high-water mark for ${ms} ms`;
        this.#logSlowConsumer(this.peer.queuedBytes?.() ?? 0, reason);
        // The ABORT follows what is queued: a client that reads again learns why.
        this.peer.send([MessageType.ABORT, { message: reason }, XbarUri.SLOW_CONSUMER]);
        this.#finish(XbarUri.SLOW_CONSUMER, reason);
        this.peer.close();
      }, ms);
    }
  }

  #logSlowConsumer(queuedBytes: number, reason: string): void {
    this.#traffic.slowConsumers++;
    this.#router.logger.log("warn", "session closed: slow consumer", {
      session: this.id,
      realm: this.realm?.name,
      authid: this.auth?.authid,
      peer: this.peer.info.peer,
      queuedBytes,
      reason,
    });
  }

  #clearStuckTimer(): void {
    if (this.#stuckTimer !== undefined) {
      clearTimeout(this.#stuckTimer);
      this.#stuckTimer = undefined;
    }
  }

  /**
   * The transport could not deliver `msg` (too big for the peer, or not
   * encodable): an INVOCATION is answered to its caller with `uri`; a
   * router-link frame goes to the link, which answers or drops it.
   */
  undeliverable(msg: RouterMessage, uri: string, text: string): void {
    if (this.#link) {
      this.#link.undeliverable(msg as unknown as unknown[], uri, text);
      return;
    }
    if (msg[0] !== MessageType.INVOCATION || !this.realm) return;
    this.realm.dealer.calleeError(this, [
      MessageType.ERROR,
      MessageType.INVOCATION,
      msg[1],
      {},
      uri,
      [text],
    ]);
  }

  /** The transport is gone. */
  closed(): void {
    if (this.#state === "closed") return;
    this.#link?.closed("connection lost");
    this.#finish(XbarUri.TRANSPORT_LOST);
  }

  // ---- router-initiated closing ----

  /** Sends ABORT (reason `uri`, `details` beside the message), leaves the realm and closes the transport. */
  abort(uri: string, message: string, details?: Dict): void {
    if (this.#state === "closed") return;
    if (this.#link) {
      this.#link.close(message);
      this.#finish(uri);
      return;
    }
    this.#router.logger.log("info", "session aborted", {
      session: this.id,
      peer: this.peer.info.peer,
      reason: uri,
      message,
    });
    this.send([MessageType.ABORT, { ...details, message }, uri]);
    this.#finish(uri);
    this.peer.close();
  }

  /**
   * Ends an established session from the router side (meta kill, shutdown):
   * GOODBYE with `reason`, leave the realm now, close the transport when the
   * peer answers (or after a short wait).
   */
  kill(reason: string = CloseUri.KILLED, message?: string): void {
    if (this.#state !== "established") return;
    const details: Dict = message !== undefined ? { message } : {};
    this.send([MessageType.GOODBYE, details, reason]);
    this.#leaveRealm(reason);
    this.#state = "closing";
    this.#setTimer(GOODBYE_WAIT_MS, () => this.#close());
  }

  // ---- internals ----

  #process(value: unknown): void {
    if (this.#state === "link") {
      this.#link!.receive(value);
      return;
    }
    let result: void | Promise<void>;
    const flow = this.#router.flow;
    const frame = flow.enter(this.flow);
    try {
      const msg = parseMessage(value);
      this.#traffic.received[msg[0]]++;
      result = this.#dispatch(msg);
    } catch (e) {
      this.#fail(e);
      return;
    } finally {
      flow.exit(frame);
    }
    if (result instanceof Promise) {
      this.#busy = true;
      result.catch((e) => this.#fail(e)).finally(() => {
        this.#busy = false;
        this.#drain();
      });
    }
  }

  #drain(): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    while (!this.#busy && queue.length > 0 && this.#state !== "closed") {
      this.#process(queue.shift());
    }
    if (queue.length === 0 || this.#state === "closed") this.#queue = undefined;
  }

  #fail(e: unknown): void {
    if (e instanceof ProtocolViolation) {
      if (this.#state !== "closed") this.#traffic.protocolViolations++;
      this.abort(e.uri, e.message);
      return;
    }
    // A bug of ours: never let it take the worker down, and never leave the peer hanging.
    this.#router.logger.log("error", "internal error while handling a message", {
      session: this.id,
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    });
    this.abort(ErrorUri.RUNTIME_ERROR, "internal router error");
  }

  #dispatch(msg: Message): void | Promise<void> {
    switch (this.#state) {
      case "new":
        if (msg[0] === MessageType.HELLO) return this.#hello(msg[1], msg[2]);
        if (msg[0] === MessageType.ABORT) return this.#close();
        throw new ProtocolViolation(`${messageTypeName[msg[0]]} received before HELLO`);
      case "authenticating":
        if (msg[0] === MessageType.AUTHENTICATE) return this.#authenticate(msg[1], msg[2]);
        if (msg[0] === MessageType.ABORT) return this.#close();
        throw new ProtocolViolation(
          `${messageTypeName[msg[0]]} received while waiting for AUTHENTICATE`,
        );
      case "established":
        switch (msg[0]) {
          case MessageType.HELLO:
            throw new ProtocolViolation("HELLO received on an established session");
          case MessageType.GOODBYE:
            this.send([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
            this.#leaveRealm(msg[2]);
            this.#state = "new"; // the transport may carry a new session, and must do so in time
            if (this.#router.countsTraffic) this.#startCounting();
            this.#armHandshakeTimer();
            return;
          case MessageType.ABORT:
            this.#finish(msg[2]);
            this.peer.close();
            return;
          default:
            return this.realm!.handle(this, msg);
        }
      case "closing":
        if (msg[0] === MessageType.GOODBYE || msg[0] === MessageType.ABORT) this.#close();
        return; // everything else is late traffic of a session that has left
      case "closed":
        return;
    }
  }

  #hello(realm: string, details: Dict): void | Promise<void> {
    if (!isValidUri(realm, { strict: false })) {
      throw new ProtocolViolation(`HELLO: invalid realm URI "${realm}"`, ErrorUri.INVALID_URI);
    }
    if (!hasClientRole(details.roles)) {
      throw new ProtocolViolation("HELLO.Details.roles must announce at least one client role");
    }
    this.helloDetails = details;
    this.#helloRealm = realm;
    this.#linkHello = details.xbar_link;
    this.features = readClientFeatures(details.roles);
    this.#authenticator = this.#router.authenticatorFor(this.peer.info);
    if (this.#reservedId === 0) this.#reservedId = this.#router.reserveSessionId();
    const step = this.#authenticator.hello(realm, details, this.#reservedId);
    return step instanceof Promise ? step.then((s) => this.#onAuthStep(s)) : this.#onAuthStep(step);
  }

  #authenticate(signature: string, extra: Dict): void | Promise<void> {
    const step = this.#authenticator!.authenticate(signature, extra);
    return step instanceof Promise ? step.then((s) => this.#onAuthStep(s)) : this.#onAuthStep(step);
  }

  #onAuthStep(step: AuthStep): void | Promise<void> {
    if (this.#state === "closed") return;
    switch (step.kind) {
      case "challenge":
        this.#state = "authenticating";
        this.#authMethod = step.method;
        this.send([MessageType.CHALLENGE, step.method, step.extra]);
        return;
      case "abort": {
        const offered = this.helloDetails.authmethods;
        this.#traffic.authFailures.inc(authMethodLabel(
          this.#authMethod ?? (Array.isArray(offered) ? offered[0] : "anonymous"),
        ));
        this.abort(step.uri, step.message);
        return;
      }
      case "welcome": {
        const info = step.info;
        const realmName = info.realm ?? this.#helloRealm;
        if (this.#linkHello !== undefined) return this.#acceptLink(realmName, info);
        const realm = this.#router.realm(realmName);
        if (!realm) {
          this.abort(ErrorUri.NO_SUCH_REALM, `no realm "${realmName}" on this router`);
          return;
        }
        if (!realm.hasRole(info.authrole)) {
          this.abort(
            ErrorUri.NO_SUCH_ROLE,
            `role "${info.authrole}" does not exist on realm "${realmName}"`,
          );
          return;
        }
        this.#clearTimer();
        this.auth = info;
        this.#state = "established";
        this.#authenticator = undefined; // done with it: an idle session keeps none
        this.helloDetails = NO_DETAILS; // read during authentication only
        this.joinedAt = new Date().toISOString();
        const id = this.#reservedId;
        this.#reservedId = 0; // the realm owns the id from here on
        realm.metrics.sessionsOpened.inc(this.peer.info.type);
        const statsConfig = realm.stats;
        if (statsConfig === undefined) this.#stopCounting();
        else if (this.#stats === undefined) this.#startCounting();
        realm.join(this, id, (id) => {
          const welcome: Dict = {
            realm: realmName,
            authid: info.authid,
            authrole: info.authrole,
            authmethod: info.authmethod,
            authprovider: info.authprovider,
            roles: ROUTER_ROLES,
          };
          if (info.authextra !== undefined) welcome.authextra = info.authextra;
          this.send([MessageType.WELCOME, id, welcome]);
        });
        // After WELCOME and wamp.session.on_join, as Crossbar (and only if still joined).
        if (this.#stats !== undefined && statsConfig !== undefined && this.realm === realm) {
          this.#stats.start(statsConfig, {
            realm: realmName,
            session: id,
            authid: info.authid,
            authrole: info.authrole,
          }, realm.statsPublisher!);
        }
        return;
      }
    }
  }

  /**
   * The peer is a router opening a link (HELLO carried `xbar_link`) and has
   * authenticated: the link manager checks it and signs our WELCOME; then
   * this connection carries link frames (link/link.ts), not a session.
   */
  #acceptLink(realmName: string, info: AuthInfo): void | Promise<void> {
    this.#stopCounting(); // a router link is not a client session: no statistics
    const links = this.#router.links;
    if (!links) {
      this.abort(ErrorUri.NOT_AUTHORIZED, "this router does not accept router links");
      return;
    }
    const peer = this.peer;
    const wire = {
      send: (frame: unknown[]) => peer.send(frame as never),
      close: () => peer.close(),
      queuedBytes: () => peer.queuedBytes?.() ?? 0,
    };
    return links.accept(realmName, this.#linkHello, info.authrole, wire).then(
      ({ welcome, start }) => {
        if (this.#state === "closed") return;
        this.#clearTimer();
        this.auth = info;
        this.peer.send([MessageType.WELCOME, this.#reservedId, {
          realm: realmName,
          authid: info.authid,
          authrole: info.authrole,
          authmethod: info.authmethod,
          authprovider: info.authprovider,
          roles: ROUTER_ROLES,
          xbar_link: welcome,
        }]);
        this.#state = "link";
        // Links are never paused nor waited for (see flow_control.ts).
        this.#clearStuckTimer();
        this.#router.flow.gone(this.flow);
        this.#link = start();
        if (!this.#link) this.#finish(CloseUri.NORMAL);
      },
      (e: Error & { uri?: string; details?: Dict }) =>
        this.abort(e.uri ?? ErrorUri.NOT_AUTHORIZED, e.message, e.details),
    );
  }

  /** Leaves the realm (if joined) with `reason`: cleanup and meta events happen there. */
  #leaveRealm(reason: string, message?: string): void {
    const realm = this.realm;
    if (!realm) return;
    realm.metrics.sessionClosed(this.peer.info.type, reason);
    realm.leave(this, reason, message);
    // The last statistics follow wamp.session.on_leave (as Crossbar), GOODBYE counted.
    this.#stopCounting()?.stop();
  }

  /** Final state: leave the realm, stop timers, drop queued input. */
  #finish(reason: string, message?: string): void {
    this.#leaveRealm(reason, message);
    this.#stopCounting(); // a handshake that never joined
    this.#clearStuckTimer();
    this.#router.flow.gone(this.flow);
    if (this.#reservedId !== 0) {
      this.#router.releaseSessionId(this.#reservedId);
      this.#reservedId = 0;
    }
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#clearTimer();
    this.#queue = undefined;
    this.#onClosed(this);
  }

  #close(): void {
    this.#finish(CloseUri.NORMAL);
    this.peer.close();
  }

  #setTimer(ms: number, fn: () => void): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
