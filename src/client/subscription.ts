/**
 * A topic subscription of this session.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";

/** Details of one EVENT, passed to the event handler. */
export interface EventDetails {
  /** Publication id. */
  publication: number;
  /** The topic published to: the concrete URI for pattern-based subscriptions. */
  topic: string;
  /** Publisher session id, when disclosed. */
  publisher?: number;
  /** Publisher authid, when disclosed. */
  publisher_authid?: string;
  /** Publisher authrole, when disclosed. */
  publisher_authrole?: string;
  /** True when this is a retained event delivered on subscribe. */
  retained?: boolean;
  /** EVENT.Details as received. */
  raw: Dict;
}

/**
 * An event handler. Its return value is ignored; exceptions (and rejected
 * promises) go to the session's `onerror`.
 */
export type EventHandler = (args: List, kwargs: Dict, details: EventDetails) => unknown;

/** Options of `Session.subscribe()`, sent as `SUBSCRIBE.Options`. */
export interface SubscribeOptions {
  /** URI matching policy (default `exact`). */
  match?: "exact" | "prefix" | "wildcard";
  /** Ask for the topic's retained event on subscribe. */
  get_retained?: boolean;
  /** Any other SUBSCRIBE option, sent as given (e.g. `forward_for`). */
  [option: string]: unknown;
}

/** Removes a subscription (implemented by the subscriber role). */
export interface Unsubscriber {
  /** Removes `subscription` locally and sends UNSUBSCRIBE when it was the last handler. */
  unsubscribe(subscription: Subscription): Promise<void>;
}

/**
 * A live subscription: one handler. Several handlers on the same topic share
 * the router's subscription id; UNSUBSCRIBE goes out when the last one leaves.
 */
export class Subscription {
  /** Subscription id assigned by the router. */
  readonly id: number;
  /** The topic (or pattern) subscribed to. */
  readonly topic: string;
  /** The handler. */
  readonly handler: EventHandler;
  /** False once unsubscribed, revoked, or the session ended. */
  active = true;
  /** Called when the router revokes the subscription (UNSUBSCRIBED with request 0), with its reason. */
  onrevoke: ((reason: string | undefined) => void) | undefined = undefined;
  #owner: Unsubscriber;

  /**
   * Internal: made by the subscriber role on SUBSCRIBED.
   * @param id subscription id
   * @param topic URI or pattern
   * @param handler the handler
   * @param owner the subscriber role that unsubscribes it
   */
  constructor(id: number, topic: string, handler: EventHandler, owner: Unsubscriber) {
    this.id = id;
    this.topic = topic;
    this.handler = handler;
    this.#owner = owner;
  }

  /** Stops delivery to this handler at once; resolves when the router confirmed (if it had to be asked). */
  unsubscribe(): Promise<void> {
    return this.#owner.unsubscribe(this);
  }
}
