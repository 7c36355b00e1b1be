/**
 * A session of a linked router, as this router sees it: a `SessionParty`
 * that the session meta API lists, shows and kills, that can be a callee of
 * registrations and a subscriber of subscriptions, and whose INVOCATIONs and
 * INTERRUPTs go over its link.
 *
 * Invocation request ids are drawn from one sequence per link (`nextCallId`),
 * so a call id names one call on the link whichever remote callee serves it.
 *
 * @module
 */

import type { Dict, RouterMessage } from "../../wamp/messages.ts";
import { MessageType } from "../../wamp/messages.ts";
import type { AuthInfo } from "../authn/authenticator.ts";
import type { ClientFeatures } from "../features.ts";
import { PartyTables, type SessionParty } from "../party.ts";
import type { Realm } from "../realm.ts";
import { F, withPayload } from "./link_frames.ts";
import type { LinkEndpoint } from "./link.ts";

/** A session that lives on a linked router. */
export class RemoteSession extends PartyTables implements SessionParty {
  /** Session id (unique across the cluster). */
  readonly id: number;
  /** Identity. */
  readonly auth: AuthInfo;
  /** Features that change routing. */
  readonly features: ClientFeatures;
  /** When it joined (as its router said). */
  readonly joinedAt: string;
  /** The link that reaches it. */
  readonly link: LinkEndpoint;
  /** The realm while it is known (cleared first when it leaves). */
  realm: Realm | undefined;
  #details: Dict;

  /**
   * @param link the link that reaches it
   * @param details its details as its router's meta API shows them
   * @param features its features
   */
  constructor(link: LinkEndpoint, details: Dict, features: ClientFeatures) {
    super();
    this.link = link;
    this.realm = link.realm;
    this.id = details.session as number;
    this.auth = {
      authid: String(details.authid),
      authrole: String(details.authrole),
      authmethod: String(details.authmethod),
      authprovider: String(details.authprovider),
      authextra: (details.authextra ?? {}) as Dict,
    };
    this.features = features;
    this.joinedAt = String(details.joined ?? "");
    this.#details = details;
  }

  /** Details as its router's meta API shows them. */
  details(): Dict {
    return { ...this.#details };
  }

  /** Forwards INVOCATION and INTERRUPT over the link; nothing else is ever sent to it. */
  send(msg: RouterMessage): void {
    switch (msg[0]) {
      case MessageType.INVOCATION: {
        const [, call, registration, details, args, kwargs] = msg;
        this.link.sendData(
          withPayload([F.INVOKE, call, this.id, registration, details], args, kwargs),
        );
        return;
      }
      case MessageType.INTERRUPT:
        this.link.sendControl([F.INTERRUPT, msg[1], msg[2]]);
        return;
      default:
        this.link.unexpected(this, msg);
    }
  }

  /** A call id unique on the link. */
  nextRequestId(): number {
    return this.link.nextCallId();
  }

  /** Asks its router to end it with GOODBYE `reason`. */
  kill(reason?: string, message?: string): void {
    const frame: unknown[] = [F.KILL, this.id, reason ?? "wamp.close.killed"];
    if (message !== undefined) frame.push(message);
    this.link.sendControl(frame);
  }
}
