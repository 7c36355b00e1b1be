/**
 * A realm: its sessions, broker, dealer, roles and meta API.
 *
 * Ordering rules (ARCHITECTURE.md):
 * - join: session id assigned → WELCOME sent → `wamp.session.on_join`.
 * - leave: session removed → dealer cleanup (pending calls answered,
 *   registrations removed with their meta events) → broker cleanup
 *   (subscriptions removed with their meta events) → testaments published →
 *   `wamp.session.on_leave`. From the first step on, the leaving session is
 *   sent nothing (its `realm` is cleared first; broker and dealer check it):
 *   it has already sent or been sent GOODBYE.
 * - Authorization happens before routing; when it is async the session
 *   queues its later messages, and the routing decision itself is synchronous.
 *
 * @module
 */

import type { Call, Dict, List, Message, Publish, Register, Subscribe } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { ProtocolViolation } from "../wamp/errors.ts";
import { ErrorUri, MetaTopic } from "../wamp/uris.ts";
import { isValidPattern, isValidUri } from "../wamp/uri_check.ts";
import type { Logger } from "../log/logger.ts";
import { Broker, type EventHistoryConfig } from "./broker.ts";
import { Dealer } from "./dealer.ts";
import { isMatchPolicy, type MatchPolicy } from "./matcher.ts";
import type { RouterSession } from "./session.ts";
import {
  type Action,
  allowAllAuthorizer,
  type Authorizer,
  type AuthzDecision,
  type RoleConfig,
  StaticAuthorizer,
} from "./authz/authorizer.ts";
import type { Party, PartyLink, SessionParty } from "./party.ts";
import { RealmObservers } from "./realm_observer.ts";
import { metaEvents } from "./meta/meta_events.ts";
import { installSessionMeta } from "./meta/session_meta.ts";
import { installRegistrationMeta } from "./meta/registration_meta.ts";
import { installSubscriptionMeta } from "./meta/subscription_meta.ts";
import { publishTestaments } from "./meta/testament.ts";
import { sendError } from "./errors.ts";
import { RealmMetrics } from "./router_metrics.ts";
import { type SessionStatsConfig, StatsPublisher } from "./session_stats.ts";

/** The role Crossbar defines on every realm: allowed everything unless a role of that name is configured. */
export const TRUSTED_ROLE = "trusted";
/** The role of anonymous sessions: may join even when not configured (then every action is denied). */
export const ANONYMOUS_ROLE = "anonymous";

/** A realm as configured. */
export interface RealmConfig {
  /** Realm name (a URI). */
  name: string;
  /**
   * Roles with their permissions. Absent: every role may do everything
   * (convenient for embedding; the node config always lists roles).
   */
  roles?: RoleConfig[];
  /** Topics whose events are kept for `wamp.subscription.get_events`. */
  eventHistory?: EventHistoryConfig[];
  /** URI checking: "loose" (default) or "strict". */
  uriCheck?: "loose" | "strict";
  /** Log every message of this realm's sessions, in and out, at info level (Crossbar's realm `trace`). */
  trace?: boolean;
  /**
   * Serve the WAMP meta API (Crossbar's `enable_meta_api`): the
   * `wamp.session.*`, `wamp.registration.*` and `wamp.subscription.*`
   * procedures (testaments included) and meta events. Default true; with
   * false, calls to them answer `wamp.error.no_such_procedure` and no meta
   * event is published.
   */
  enableMetaApi?: boolean;
  /**
   * Per-session message statistics published as `wamp.session.on_stats`
   * (Crossbar's realm `stats`, see `session_stats.ts`). Needs the meta API:
   * with `enableMetaApi` false nothing is counted.
   */
  stats?: SessionStatsConfig;
}

/** A procedure implemented by the router itself (the meta API). */
export type BuiltinProcedure = (
  caller: Party,
  args: List,
  kwargs: Dict,
) => unknown;

/** One realm of a router. */
export class Realm {
  /** Realm name. */
  readonly name: string;
  /** Sessions joined, by id. */
  readonly sessions = new Map<number, SessionParty>();
  /** Whoever follows the realm's routing state: meta events, router links. */
  readonly changes = new RealmObservers();
  /** Linked routers that take this realm's publications (kept by the router links). */
  readonly links = new Set<PartyLink>();
  /** The broker (pub/sub). */
  readonly broker: Broker;
  /** The dealer (RPC). */
  readonly dealer: Dealer;
  /** Procedures the router answers itself (`wamp.*` meta procedures). */
  readonly builtins = new Map<string, BuiltinProcedure>();
  /** Where log lines go. */
  readonly logger: Logger;
  /** Strict URI checking. */
  readonly strictUris: boolean;
  /** Messages of this realm's sessions are logged (`RealmConfig.trace`). */
  readonly traced: boolean;
  /** Counters for metrics (`router_metrics.ts`). */
  readonly metrics = new RealmMetrics();
  /** Session statistics settings; undefined: sessions are not counted (no `stats`, or no meta API). */
  readonly stats: SessionStatsConfig | undefined;
  /** Publishes `wamp.session.on_stats` (only with `stats`). */
  readonly statsPublisher: StatsPublisher | undefined;

  #roles: Map<string, Authorizer> | undefined;
  #releaseSessionId: (id: number) => void;

  /**
   * @param config the realm's configuration
   * @param options `logger`; `releaseSessionId` frees a leaving session's id
   *   (reserved by the router at HELLO)
   */
  constructor(
    config: RealmConfig,
    options: {
      logger: Logger;
      releaseSessionId: (id: number) => void;
    },
  ) {
    this.name = config.name;
    this.logger = options.logger;
    this.strictUris = config.uriCheck === "strict";
    this.traced = config.trace === true;
    this.#releaseSessionId = options.releaseSessionId;
    if (config.roles) {
      this.#roles = new Map();
      for (const r of config.roles) {
        this.#roles.set(r.name, new StaticAuthorizer(r.permissions ?? []));
      }
    }
    this.broker = new Broker(this, config.eventHistory ?? []);
    this.dealer = new Dealer(this);
    if (config.enableMetaApi ?? true) {
      if (config.stats !== undefined) {
        this.stats = config.stats;
        this.statsPublisher = new StatsPublisher((args) =>
          this.publishMeta(MetaTopic.SESSION_ON_STATS, args)
        );
      }
      this.changes.add(metaEvents(this));
      installSessionMeta(this);
      installRegistrationMeta(this);
      installSubscriptionMeta(this);
    }
  }

  /**
   * True when sessions may join under `role`. As in Crossbar, `trusted`
   * (allowed everything unless configured otherwise) and `anonymous` (denied
   * everything unless configured) may always join.
   */
  hasRole(role: string): boolean {
    return this.#roles === undefined || this.#roles.has(role) || role === TRUSTED_ROLE ||
      role === ANONYMOUS_ROLE;
  }

  /** Replaces the authorizer of a role (dynamic authorizers, tests). */
  setAuthorizer(role: string, authorizer: Authorizer): void {
    this.#roles ??= new Map();
    this.#roles.set(role, authorizer);
  }

  /**
   * Adds `session` under the session id it reserved at HELLO (the realm
   * releases it when the session leaves), lets it send WELCOME, then announces it.
   */
  join(session: RouterSession, id: number, sendWelcome: (id: number) => void): void {
    session.id = id;
    session.realm = this;
    const auth = session.auth!;
    session.subject = {
      session: id,
      authid: auth.authid,
      authrole: auth.authrole,
      authmethod: auth.authmethod,
      authprovider: auth.authprovider,
    };
    this.sessions.set(id, session);
    sendWelcome(id);
    this.logger.log("debug", "session joined", {
      realm: this.name,
      session: id,
      authid: auth.authid,
      authrole: auth.authrole,
    });
    this.changes.sessionJoined(session);
  }

  /** Removes `session` and cleans up after it (see module doc for the order). */
  leave(session: RouterSession, reason: string, message?: string): void {
    if (session.realm !== this) return;
    session.realm = undefined;
    this.sessions.delete(session.id);
    this.dealer.detach(session);
    this.broker.detach(session);
    publishTestaments(this, session);
    this.logger.log("debug", "session left", { realm: this.name, session: session.id, reason });
    this.changes.sessionLeft(session, reason, message);
    this.#releaseSessionId(session.id);
  }

  /**
   * Adds a session of a linked router: listed by the session meta API,
   * announced with `wamp.session.on_join`. False when its id is taken.
   */
  addRemote(session: SessionParty): boolean {
    if (this.sessions.has(session.id)) return false;
    this.sessions.set(session.id, session);
    this.changes.sessionJoined(session);
    return true;
  }

  /**
   * Removes a session of a linked router (it left, or its link is gone), in
   * the same order as a local session leaves: calls routed to it are
   * answered `wamp.error.canceled`, its registrations and subscriptions go,
   * then `wamp.session.on_leave`.
   */
  removeRemote(session: SessionParty & { realm: Realm | undefined }, reason: string): void {
    if (session.realm !== this || this.sessions.get(session.id) !== session) return;
    session.realm = undefined;
    this.sessions.delete(session.id);
    this.dealer.detach(session);
    this.broker.detach(session);
    this.changes.sessionLeft(session, reason);
  }

  /**
   * Asked before a REGISTER creates a registration, when routers are linked:
   * resolves with the reason when another router holds a registration it
   * clashes with (see link/claims.ts); undefined (not a promise) when nothing
   * needs asking.
   */
  registrationClaims:
    | ((uri: string, match: MatchPolicy, invoke: string) => Promise<string | undefined> | undefined)
    | undefined;

  /** Ends every session of this router on the realm with GOODBYE `reason`. */
  closeAll(reason: string, message?: string): void {
    for (const s of [...this.sessions.values()]) if (!s.link) s.kill(reason, message);
  }

  /** Session details as the session meta API shows them. */
  sessionDetails(s: SessionParty): Dict {
    return s.details();
  }

  /** Publishes a meta event from the router itself (no publisher session). */
  publishMeta(topic: string, args: List, kwargs?: Dict, details?: Dict): void {
    this.broker.publishFromRouter(topic, args, kwargs, {}, false, details);
  }

  /**
   * Decides whether `session` may perform `action` on `uri`; for a pattern
   * SUBSCRIBE/REGISTER (`match` prefix or wildcard) on every URI it matches.
   */
  authorize(
    session: Pick<RouterSession, "auth" | "subject">,
    uri: string,
    action: Action,
    match: MatchPolicy = "exact",
  ): AuthzDecision | Promise<AuthzDecision> {
    const role = session.auth!.authrole;
    const authorizer = this.#roles === undefined
      ? allowAllAuthorizer
      : this.#roles.get(role) ?? (role === TRUSTED_ROLE ? allowAllAuthorizer : undefined);
    if (!authorizer) return { allow: false, disclose: false };
    return authorizer.authorize(session.subject!, uri, action, match);
  }

  /** Handles one message of an established session. */
  handle(session: RouterSession, msg: Message): void | Promise<void> {
    switch (msg[0]) {
      case MessageType.PUBLISH: {
        const topic = msg[3];
        const ack = msg[2].acknowledge === true;
        if (!isValidUri(topic, { strict: this.strictUris })) {
          if (ack) {
            sendError(
              session,
              msg[0],
              msg[1],
              ErrorUri.INVALID_URI,
              `invalid topic URI "${topic}"`,
            );
          }
          return;
        }
        if (topic.startsWith("wamp.")) {
          if (ack) {
            sendError(
              session,
              msg[0],
              msg[1],
              ErrorUri.NOT_AUTHORIZED,
              `publishing to reserved topic "${topic}" is not allowed`,
            );
          }
          return;
        }
        return this.#authorized(session, topic, "publish", "exact", (d) => {
          if (d.allow) this.broker.publish(session, msg, d.disclose);
          else if (ack) deny(session, msg, "publish", topic);
        });
      }
      case MessageType.SUBSCRIBE: {
        const topic = msg[3];
        const match = this.#matchPolicy(session, msg, "topic");
        if (match === undefined) return;
        return this.#authorized(session, topic, "subscribe", match, (d) => {
          if (d.allow) this.broker.subscribe(session, msg, match);
          else deny(session, msg, "subscribe", topic);
        });
      }
      case MessageType.UNSUBSCRIBE:
        this.broker.unsubscribe(session, msg);
        return;
      case MessageType.CALL: {
        if (this.dealer.continueCall(session, msg)) return;
        const procedure = msg[3];
        if (!isValidUri(procedure, { strict: this.strictUris })) {
          sendError(
            session,
            msg[0],
            msg[1],
            ErrorUri.INVALID_URI,
            `invalid procedure URI "${procedure}"`,
          );
          return;
        }
        return this.#authorized(session, procedure, "call", "exact", (d) => {
          if (d.allow) this.dealer.call(session, msg, d.disclose);
          else deny(session, msg, "call", procedure);
        });
      }
      case MessageType.REGISTER: {
        const procedure = msg[3];
        const match = this.#matchPolicy(session, msg, "procedure");
        if (match === undefined) return;
        if (procedure.startsWith("wamp.")) {
          sendError(
            session,
            msg[0],
            msg[1],
            ErrorUri.INVALID_URI,
            `registering reserved procedure "${procedure}" is not allowed`,
          );
          return;
        }
        return this.#authorized(session, procedure, "register", match, (d) => {
          if (d.allow) return this.#register(session, msg, match);
          deny(session, msg, "register", procedure);
        });
      }
      case MessageType.UNREGISTER:
        this.dealer.unregister(session, msg);
        return;
      case MessageType.YIELD:
        this.dealer.yieldResult(session, msg);
        return;
      case MessageType.CANCEL:
        this.dealer.cancel(session, msg);
        return;
      case MessageType.ERROR:
        if (msg[1] !== MessageType.INVOCATION) {
          throw new ProtocolViolation(
            `ERROR for request type ${msg[1]} is not valid from a client`,
          );
        }
        this.dealer.calleeError(session, msg);
        return;
      case MessageType.AUTHENTICATE:
        throw new ProtocolViolation("AUTHENTICATE received on an established session");
      case MessageType.WELCOME:
      case MessageType.CHALLENGE:
      case MessageType.PUBLISHED:
      case MessageType.SUBSCRIBED:
      case MessageType.UNSUBSCRIBED:
      case MessageType.EVENT:
      case MessageType.RESULT:
      case MessageType.REGISTERED:
      case MessageType.UNREGISTERED:
      case MessageType.INVOCATION:
      case MessageType.INTERRUPT:
        throw new ProtocolViolation(`a client must not send message type ${msg[0]}`);
      case MessageType.HELLO:
      case MessageType.GOODBYE:
      case MessageType.ABORT:
        // handled by the session
        return;
      default: {
        const never: never = msg;
        throw new ProtocolViolation(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * The match policy of a SUBSCRIBE/REGISTER whose pattern is valid under it;
   * otherwise answers ERROR (invalid_argument / invalid_uri) and returns undefined.
   */
  #matchPolicy(
    session: RouterSession,
    msg: Subscribe | Register,
    what: "topic" | "procedure",
  ): MatchPolicy | undefined {
    const match = msg[2].match ?? "exact";
    if (!isMatchPolicy(match)) {
      sendError(
        session,
        msg[0],
        msg[1],
        ErrorUri.INVALID_ARGUMENT,
        `unknown match policy "${String(match)}"`,
      );
      return undefined;
    }
    if (!isValidPattern(msg[3], match, this.strictUris)) {
      sendError(
        session,
        msg[0],
        msg[1],
        ErrorUri.INVALID_URI,
        `invalid ${what} ${match} pattern "${msg[3]}"`,
      );
      return undefined;
    }
    return match;
  }

  /** REGISTER, after the linked routers agreed when it creates a registration. */
  #register(session: RouterSession, msg: Register, match: MatchPolicy): void | Promise<void> {
    const [, request, options, procedure] = msg;
    const claims = this.registrationClaims;
    const invoke = options.invoke ?? "single";
    if (!claims || typeof invoke !== "string" || this.dealer.lookup(procedure, match)) {
      return this.dealer.register(session, msg, match);
    }
    const claim = claims(procedure, match, invoke);
    if (claim === undefined) return this.dealer.register(session, msg, match);
    return claim.then((clash) => {
      if (session.realm !== this) return;
      if (clash === undefined) this.dealer.register(session, msg, match);
      else sendError(session, msg[0], request, ErrorUri.PROCEDURE_ALREADY_EXISTS, clash);
    });
  }

  /** Runs `then` with the decision: synchronously when the authorizer is sync. */
  #authorized(
    session: RouterSession,
    uri: string,
    action: Action,
    match: MatchPolicy,
    then: (d: AuthzDecision) => void | Promise<void>,
  ): void | Promise<void> {
    const d = this.authorize(session, uri, action, match);
    if (!(d instanceof Promise)) return then(d);
    return d.then(
      (decision) => {
        if (session.realm === this) return then(decision);
      },
      (e) => {
        this.logger.log("warn", "authorizer failed; denying", {
          realm: this.name,
          uri,
          action,
          error: String(e),
        });
        if (session.realm === this) then({ allow: false, disclose: false });
      },
    );
  }
}

/** Answers a denied request with ERROR wamp.error.not_authorized. */
function deny(
  session: RouterSession,
  msg: Publish | Subscribe | Call | Register,
  action: Action,
  uri: string,
): void {
  sendError(
    session,
    msg[0],
    msg[1],
    ErrorUri.NOT_AUTHORIZED,
    `session is not authorized to ${action} "${uri}" (role "${session.auth!.authrole}")`,
  );
}
