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

/** Where a party lives, for parties that are not local to this router. */
export interface PartyLink {
  /** A name for logs and meta details (e.g. the peer router's id). */
  readonly name: string;
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
