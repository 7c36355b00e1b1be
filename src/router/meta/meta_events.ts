/**
 * The `wamp.*` meta events, published from a realm's state changes
 * (a `RealmObserver`):
 *
 * - `wamp.session.on_join` (details) / `on_leave` (session, authid, authrole,
 *   as Crossbar; EVENT.Details carry custom attributes `x_reason`, the close
 *   URI, and `x_message` when the router closed the session, e.g.
 *   `xbar.close.slow_consumer` and which bound it passed: extra positional or
 *   keyword arguments would break Autobahn|Python handlers written for
 *   Crossbar);
 * - `wamp.registration.on_create` (session, details) / `on_register` /
 *   `on_unregister` / `on_delete` (session, registration id);
 * - `wamp.subscription.on_create` / `on_subscribe` / `on_unsubscribe` /
 *   `on_delete`, except for subscriptions to `wamp.*` topics (no feedback loops).
 *
 * Meta events are published from the router itself, to this router's
 * subscribers only: every router of a linked cluster publishes the events of
 * the whole cluster's state changes it learns about, so each subscriber gets
 * each event once.
 *
 * @module
 */

import type { Realm } from "../realm.ts";
import type { RealmObserver } from "../realm_observer.ts";

function isMetaTopic(uri: string): boolean {
  return uri.startsWith("wamp.");
}

/** The observer that publishes `realm`'s meta events. */
export function metaEvents(realm: Realm): RealmObserver {
  const publish = (topic: string, args: unknown[]) => realm.publishMeta(topic, args);
  return {
    sessionJoined: (s) => publish("wamp.session.on_join", [s.details()]),
    sessionLeft: (s, reason, message) =>
      realm.publishMeta(
        "wamp.session.on_leave",
        [s.id, s.auth!.authid, s.auth!.authrole],
        undefined,
        message === undefined ? { x_reason: reason } : { x_reason: reason, x_message: message },
      ),
    registrationCreated: (reg, by) =>
      publish("wamp.registration.on_create", [by.id, reg.details()]),
    calleeAdded: (reg, c) => publish("wamp.registration.on_register", [c.session.id, reg.id]),
    calleeRemoved: (reg, c) => publish("wamp.registration.on_unregister", [c.session.id, reg.id]),
    registrationDeleted: (reg, by) => publish("wamp.registration.on_delete", [by.id, reg.id]),
    subscriptionCreated: (sub, by) => {
      if (!isMetaTopic(sub.uri)) publish("wamp.subscription.on_create", [by.id, sub.details()]);
    },
    subscriberAdded: (sub, s) => {
      if (!isMetaTopic(sub.uri)) publish("wamp.subscription.on_subscribe", [s.id, sub.id]);
    },
    subscriberRemoved: (sub, s) => {
      if (!isMetaTopic(sub.uri)) publish("wamp.subscription.on_unsubscribe", [s.id, sub.id]);
    },
    subscriptionDeleted: (sub, by) => {
      if (!isMetaTopic(sub.uri)) publish("wamp.subscription.on_delete", [by.id, sub.id]);
    },
  };
}
