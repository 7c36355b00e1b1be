/**
 * Changes to a realm's routing state, as they happen. The realm, broker and
 * dealer report every change to the realm's observers instead of publishing
 * meta events themselves: one observer publishes the `wamp.*` meta events
 * (meta/meta_events.ts); router-to-router links observe the same changes to
 * tell their peers.
 *
 * Calls happen synchronously inside the change, in the order of the
 * realm's rules (ARCHITECTURE.md): a session's registrations and
 * subscriptions are reported removed before the session is reported gone.
 * Observers must not throw and must not change routing state.
 *
 * @module
 */

import type { Callee, Registration } from "./dealer.ts";
import type { Subscription } from "./broker.ts";
import type { Party, SessionParty } from "./party.ts";

/** Receives a realm's routing state changes. Every method is optional. */
export interface RealmObserver {
  /** A session joined (after WELCOME was sent). */
  sessionJoined?(session: SessionParty): void;
  /**
   * A session left; its calls, registrations, subscriptions and testaments
   * are done. `reason` is the close URI; `message` says more when the router
   * closed it (e.g. why it was a slow consumer).
   */
  sessionLeft?(session: SessionParty, reason: string, message?: string): void;
  /** A registration was created by its first callee (reported before `calleeAdded`). */
  registrationCreated?(reg: Registration, by: Party): void;
  /** A callee was added to a registration. */
  calleeAdded?(reg: Registration, callee: Callee): void;
  /** A callee was removed from a registration. */
  calleeRemoved?(reg: Registration, callee: Callee): void;
  /** A registration lost its last callee and is gone (reported after `calleeRemoved`). */
  registrationDeleted?(reg: Registration, by: Party): void;
  /** A subscription was created (reported before `subscriberAdded`). */
  subscriptionCreated?(sub: Subscription, by: Party): void;
  /** A party subscribed. */
  subscriberAdded?(sub: Subscription, subscriber: Party): void;
  /** A party unsubscribed (or left). */
  subscriberRemoved?(sub: Subscription, subscriber: Party): void;
  /** A subscription lost its last subscriber and is gone. */
  subscriptionDeleted?(sub: Subscription, by: Party): void;
}

type Events = Required<RealmObserver>;

/** A realm's observers, called in the order they were added. */
export class RealmObservers implements Events {
  #list: RealmObserver[] = [];

  /** Adds `o`; returns a function that removes it. */
  add(o: RealmObserver): () => void {
    this.#list.push(o);
    return () => {
      const i = this.#list.indexOf(o);
      if (i >= 0) this.#list.splice(i, 1);
    };
  }

  /** See RealmObserver. */
  sessionJoined(s: SessionParty): void {
    for (const o of this.#list) o.sessionJoined?.(s);
  }
  /** See RealmObserver. */
  sessionLeft(s: SessionParty, reason: string, message?: string): void {
    for (const o of this.#list) o.sessionLeft?.(s, reason, message);
  }
  /** See RealmObserver. */
  registrationCreated(reg: Registration, by: Party): void {
    for (const o of this.#list) o.registrationCreated?.(reg, by);
  }
  /** See RealmObserver. */
  calleeAdded(reg: Registration, callee: Callee): void {
    for (const o of this.#list) o.calleeAdded?.(reg, callee);
  }
  /** See RealmObserver. */
  calleeRemoved(reg: Registration, callee: Callee): void {
    for (const o of this.#list) o.calleeRemoved?.(reg, callee);
  }
  /** See RealmObserver. */
  registrationDeleted(reg: Registration, by: Party): void {
    for (const o of this.#list) o.registrationDeleted?.(reg, by);
  }
  /** See RealmObserver. */
  subscriptionCreated(sub: Subscription, by: Party): void {
    for (const o of this.#list) o.subscriptionCreated?.(sub, by);
  }
  /** See RealmObserver. */
  subscriberAdded(sub: Subscription, s: Party): void {
    for (const o of this.#list) o.subscriberAdded?.(sub, s);
  }
  /** See RealmObserver. */
  subscriberRemoved(sub: Subscription, s: Party): void {
    for (const o of this.#list) o.subscriberRemoved?.(sub, s);
  }
  /** See RealmObserver. */
  subscriptionDeleted(sub: Subscription, by: Party): void {
    for (const o of this.#list) o.subscriptionDeleted?.(sub, by);
  }
}
