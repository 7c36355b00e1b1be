/**
 * The subscription meta API: `wamp.subscription.*` procedures, including
 * `get_events` (event history). Meta events are published by the broker.
 *
 * @module
 */

import type { List } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { MatchPolicy } from "../matcher.ts";
import type { Realm } from "../realm.ts";
import { idArg, uriAndMatch } from "./registration_meta.ts";

/** Installs `wamp.subscription.*` on `realm`. */
export function installSubscriptionMeta(realm: Realm): void {
  const b = realm.builtins;
  const br = realm.broker;
  const get = (args: List) => {
    const sub = br.byId(idArg(args, "subscription"));
    if (!sub) {
      throw new ApplicationError(ErrorUri.NO_SUCH_SUBSCRIPTION, {
        message: "no such subscription",
      });
    }
    return sub;
  };
  b.set("wamp.subscription.list", () => {
    const out: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
    for (const s of br.subscriptions()) out[s.match].push(s.id);
    return out;
  });
  b.set("wamp.subscription.lookup", (_c, args, kwargs) => {
    const [uri, match] = uriAndMatch(args, kwargs);
    return br.lookup(uri, match)?.id ?? null;
  });
  b.set("wamp.subscription.match", (_c, args) => {
    const uri = args[0];
    if (typeof uri !== "string") {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: "expected a URI as args[0]",
      });
    }
    const ids = br.matching(uri).map((s) => s.id);
    return ids.length > 0 ? ids : null;
  });
  b.set("wamp.subscription.get", (_c, args) => get(args).details());
  b.set(
    "wamp.subscription.list_subscribers",
    (_c, args) => get(args).allSubscribers().map((s) => s.id),
  );
  b.set(
    "wamp.subscription.count_subscribers",
    (_c, args) => get(args).allSubscribers().length,
  );
  b.set("wamp.subscription.get_events", (caller, args, kwargs) => {
    const sub = get(args);
    const limit = args[1] ?? kwargs.limit ?? 10;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: "limit must be a positive integer",
      });
    }
    const events = br.events(sub, caller, limit);
    if (!events) {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: `event history is not enabled for subscription ${sub.id} ("${sub.uri}")`,
      });
    }
    return events;
  });
}
