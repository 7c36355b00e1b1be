/**
 * What the broker, dealer and meta API route to: a **party**. A party is
 * anything that can take part in a realm's routing — a session joined over a
 * transport (`RouterSession`), the router calling one of its own realm's
 * procedures (`InternalCaller`), or, with router-to-router links, a session that
 * lives on another router and is reached through a link.
 *
 * The routing code only uses this interface, so a link can stand where a
 * session stands: sending an INVOCATION to a remote party forwards it over its
 * link; a RESULT sent to a party that stands for a remote caller goes back
 * over the link.
 *
 * @module
 */

import type { Dict, RouterMessage } from "../wamp/messages.ts";
import type { AuthInfo } from "./authn/authenticator.ts";
import type { ClientFeatures } from "./features.ts";
import type { Realm } from "./realm.ts";
import type { PendingCall, Registration } from "./dealer.ts";
import type { Subscription } from "./broker.ts";

/** A publication as it crosses a router link (see link/link_frames.ts). */
export interface LinkedPublication {
  /** Concrete topic. */
  topic: string;
  /** Publication id (given by the publisher's router). */
  publication: number;
  /** When it was published (ms since the epoch), to order retained events. */
  ts: number;
  /** Keep it as the topic's retained event. */
  retain: boolean;
  /** Positional payload. */
  args: unknown[] | undefined;
  /** Keyword payload. */
  kwargs: Dict | undefined;
  /** Publisher disclosure fields (`publisher`, `publisher_authid`, `publisher_authrole`), when disclosed. */
  disclosed: Dict | undefined;
  /** The black/white list options of the PUBLISH (`exclude`, `eligible`, ...), when any. */
  filter: Dict | undefined;
}

/**
 * Where a party lives, for parties of another router: the router link that
 * reaches it. The broker and dealer use it to forward what crosses the link.
 */
export interface PartyLink {
  /** A name for logs and meta details (the peer router's id). */
  readonly name: string;
  /**
   * True while the link's outbound queue is over its high-water mark: new
   * calls to its callees are answered `wamp.error.unavailable` and events are
   * dropped (counted and logged) until it drains.
   */
  congested(): boolean;
  /** Forwards a publication to the peer router, which delivers it to its own subscribers. */
  publish(p: LinkedPublication): void;
}

/** A participant in a realm's routing. */
export interface Party {
  /** Session id; 0 for router-side parties that are not sessions (internal caller). */
  readonly id: number;
  /** Identity (set once the party has joined; always set while routing reaches it). */
  readonly auth: AuthInfo | undefined;
  /** Features that change routing (callee progressive results, canceling, ...). */
  readonly features: ClientFeatures;
  /** Calls this party made that are in flight, by CALL.Request. */
  readonly calls: Map<number, PendingCall>;
  /** Invocations sent to this party that are in flight, by INVOCATION.Request. */
  readonly invocations: Map<number, PendingCall>;
  /** Registrations this party is a callee of. */
  readonly registrations: Set<Registration>;
  /** Subscriptions this party is a subscriber of. */
  readonly subscriptions: Set<Subscription>;
  /**
   * The realm while the party may be routed to; cleared first when it leaves,
   * so a leaving party is sent nothing more.
   */
  readonly realm: Realm | undefined;
  /** Undefined for parties of this router; the link for parties of another router. */
  readonly link: PartyLink | undefined;
  /** Sends a message to the party. Never throws. */
  send(msg: RouterMessage): void;
  /** Next id for a router-to-party request (INVOCATION), sequential per party. */
  nextRequestId(): number;
}

/** A party that is a WAMP session: listed, shown and killed by the session meta API. */
export interface SessionParty extends Party {
  /** When the session joined (ISO 8601). */
  readonly joinedAt: string;
  /** Session details as the session meta API shows them. */
  details(): Dict;
  /** Ends the session from the router side with GOODBYE `reason`. */
  kill(reason?: string, message?: string): void;
}

/** The tables the dealer and broker keep on every party: a base for parties that are not transport sessions. */
export abstract class PartyTables {
  /** Calls this party made that are in flight, by CALL.Request. */
  readonly calls = new Map<number, PendingCall>();
  /** Invocations sent to this party that are in flight, by INVOCATION.Request. */
  readonly invocations = new Map<number, PendingCall>();
  /** Registrations this party is a callee of. */
  readonly registrations = new Set<Registration>();
  /** Subscriptions this party is a subscriber of. */
  readonly subscriptions = new Set<Subscription>();
}
