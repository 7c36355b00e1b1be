/**
 * The registration meta API: `wamp.registration.*` procedures. Meta events
 * (`on_create`, `on_register`, `on_unregister`, `on_delete`) are published by
 * the dealer.
 *
 * @module
 */

import type { Dict, List } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { isId } from "../../wamp/ids.ts";
import { isMatchPolicy, type MatchPolicy } from "../matcher.ts";
import type { Realm } from "../realm.ts";

/** Reads `(uri, {match})` meta procedure arguments. */
export function uriAndMatch(args: List, kwargs: Dict): [string, MatchPolicy] {
  const uri = args[0];
  if (typeof uri !== "string") {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, { message: "expected a URI as args[0]" });
  }
  const options = (args[1] ?? kwargs) as Dict;
  const match = options?.match ?? "exact";
  if (!isMatchPolicy(match)) {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: `unknown match policy "${String(match)}"`,
    });
  }
  return [uri, match];
}

/** Reads an id from args[0]. */
export function idArg(args: List, what: string): number {
  if (!isId(args[0])) {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: `expected a ${what} id as args[0]`,
    });
  }
  return args[0];
}

/** Installs `wamp.registration.*` on `realm`. */
export function installRegistrationMeta(realm: Realm): void {
  const b = realm.builtins;
  const d = realm.dealer;
  const get = (args: List) => {
    const reg = d.byId(idArg(args, "registration"));
    if (!reg) {
      throw new ApplicationError(ErrorUri.NO_SUCH_REGISTRATION, {
        message: "no such registration",
      });
    }
    return reg;
  };
  b.set("wamp.registration.list", () => {
    const out: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
    for (const r of d.registrations()) out[r.match].push(r.id);
    return out;
  });
  b.set("wamp.registration.lookup", (_c, args, kwargs) => {
    const [uri, match] = uriAndMatch(args, kwargs);
    return d.lookup(uri, match)?.id ?? null;
  });
  b.set("wamp.registration.match", (_c, args) => {
    const uri = args[0];
    if (typeof uri !== "string") {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: "expected a URI as args[0]",
      });
    }
    return d.best(uri)?.id ?? null;
  });
  b.set("wamp.registration.get", (_c, args) => get(args).details());
  b.set("wamp.registration.list_callees", (_c, args) => get(args).callees.map((c) => c.session.id));
  b.set("wamp.registration.count_callees", (_c, args) => get(args).callees.length);
}
