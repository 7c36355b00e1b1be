/**
 * The caller side of the calls a linked router sends us: one party per link.
 * The peer router owns each call (its caller, timeout and cancel); here a
 * call is the invocation of one of our sessions, and its RESULT/ERROR go back
 * over the link, tagged with the call id the peer chose and the callee's
 * session id (which the peer needs to find the call).
 *
 * @module
 */

import type { RouterMessage } from "../../wamp/messages.ts";
import { MessageType } from "../../wamp/messages.ts";
import type { AuthInfo } from "../authn/authenticator.ts";
import { readClientFeatures } from "../features.ts";
import { type Party, PartyTables } from "../party.ts";
import type { Realm } from "../realm.ts";
import { F, withPayload } from "./link_frames.ts";
import type { LinkEndpoint } from "./link.ts";

/** The remote callers of one link, as one party (id 0: not a session). */
export class LinkCaller extends PartyTables implements Party {
  readonly id = 0;
  readonly auth: AuthInfo;
  readonly features = readClientFeatures(undefined);
  /** Calls of the peer are local to this router's dealer: no link. */
  readonly link = undefined;
  realm: Realm | undefined;
  #endpoint: LinkEndpoint;
  /** Callee session id of each call, until its final answer went back. */
  #callee = new Map<number, number>();

  /** @param endpoint the link the calls come over */
  constructor(endpoint: LinkEndpoint) {
    super();
    this.#endpoint = endpoint;
    this.realm = endpoint.realm;
    this.auth = {
      authid: endpoint.peerRouter,
      authrole: "rlink",
      authmethod: "rlink",
      authprovider: "xbar",
    };
  }

  /** Notes which local session serves call `call`. */
  track(call: number, callee: number): void {
    this.#callee.set(call, callee);
  }

  /** Forgets call `call` (answered or interrupted without an answer). */
  forget(call: number): void {
    this.#callee.delete(call);
  }

  /** Number of calls whose answer is still to go back (tests). */
  get tracked(): number {
    return this.#callee.size;
  }

  /** RESULT and ERROR go back over the link. */
  send(msg: RouterMessage): void {
    switch (msg[0]) {
      case MessageType.RESULT: {
        const [, call, details, args, kwargs] = msg;
        const callee = this.#callee.get(call) ?? 0;
        if (details.progress !== true) this.#callee.delete(call);
        this.#endpoint.sendControl(withPayload([F.RESULT, call, callee, details], args, kwargs));
        return;
      }
      case MessageType.ERROR: {
        const [, , call, , uri, args, kwargs] = msg;
        const callee = this.#callee.get(call) ?? 0;
        this.#callee.delete(call);
        this.#endpoint.sendControl(withPayload([F.ERROR, call, callee, uri], args, kwargs));
        return;
      }
      default:
        this.#endpoint.unexpected(this, msg);
    }
  }

  nextRequestId(): number {
    throw new Error("the link caller is never a callee");
  }
}
