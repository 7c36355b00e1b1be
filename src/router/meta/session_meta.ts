/**
 * The session meta API: `wamp.session.*` procedures.
 *
 * - `kill`, `kill_by_authid`, `kill_by_authrole`, `kill_all` never kill the
 *   caller; `reason` defaults to `wamp.close.killed` (the spec's default for a
 *   killed session, as other routers send); `kill_by_authid` returns
 *   the killed session ids, the others the count (spec).
 * - `add_testament(topic, args?, kwargs?)` with `publish_options` and `scope`
 *   keyword arguments; a testament without kwargs is published without them.
 *
 * @module
 */

import type { Dict, List } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { CloseUri, ErrorUri } from "../../wamp/uris.ts";
import { isId } from "../../wamp/ids.ts";
import { isValidUri } from "../../wamp/uri_check.ts";
import type { Realm } from "../realm.ts";
import type { Party, SessionParty } from "../party.ts";
import { holdsTestaments, type TestamentHolder } from "./testament.ts";

function roleFilter(args: List): Set<string> | undefined {
  const f = args[0];
  if (f === undefined || f === null) return undefined;
  if (!Array.isArray(f) || !f.every((x) => typeof x === "string")) {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: "filter_authroles must be a list of strings",
    });
  }
  return new Set(f as string[]);
}

function sessionArg(args: List): number {
  if (!isId(args[0])) {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: "expected a session id as args[0]",
    });
  }
  return args[0];
}

function stringArg(args: List, what: string): string {
  if (typeof args[0] !== "string") {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: `expected ${what} as args[0]`,
    });
  }
  return args[0];
}

function closeReason(kwargs: Dict): { reason: string; message?: string } {
  const reason = kwargs.reason ?? CloseUri.KILLED;
  if (typeof reason !== "string" || !isValidUri(reason, { strict: false })) {
    throw new ApplicationError(ErrorUri.INVALID_URI, { message: "reason must be a valid URI" });
  }
  const message = kwargs.message;
  if (message !== undefined && typeof message !== "string") {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, { message: "message must be a string" });
  }
  return { reason, message };
}

function killWhere(
  realm: Realm,
  caller: Party,
  kwargs: Dict,
  pred: (s: SessionParty) => boolean,
): number[] {
  const { reason, message } = closeReason(kwargs);
  const killed: number[] = [];
  for (const s of [...realm.sessions.values()]) {
    if (s !== caller && pred(s)) {
      killed.push(s.id);
      s.kill(reason, message);
    }
  }
  return killed;
}

const SCOPES = new Set(["destroyed", "detached"]);

function scopeOf(v: unknown): "destroyed" | "detached" {
  const scope = v ?? "destroyed";
  if (typeof scope !== "string" || !SCOPES.has(scope)) {
    throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
      message: 'scope must be "destroyed" or "detached"',
    });
  }
  return scope as "destroyed" | "detached";
}

/** The caller as a session of this router that keeps testaments. */
function testamentHolder(caller: Party): TestamentHolder {
  if (!holdsTestaments(caller)) {
    throw new ApplicationError(ErrorUri.NO_SUCH_SESSION, {
      message: "only a session can have testaments",
    });
  }
  return caller;
}

/** Installs `wamp.session.*` on `realm`. */
export function installSessionMeta(realm: Realm): void {
  const b = realm.builtins;
  b.set("wamp.session.count", (_c, args) => {
    const roles = roleFilter(args);
    if (!roles) return realm.sessions.size;
    let n = 0;
    for (const s of realm.sessions.values()) if (roles.has(s.auth!.authrole)) n++;
    return n;
  });
  b.set("wamp.session.list", (_c, args) => {
    const roles = roleFilter(args);
    const out: number[] = [];
    for (const s of realm.sessions.values()) {
      if (!roles || roles.has(s.auth!.authrole)) out.push(s.id);
    }
    return out;
  });
  b.set("wamp.session.get", (_c, args) => {
    const s = realm.sessions.get(sessionArg(args));
    if (!s) throw new ApplicationError(ErrorUri.NO_SUCH_SESSION, { message: "no such session" });
    return realm.sessionDetails(s);
  });
  b.set("wamp.session.kill", (caller, args, kwargs) => {
    const id = sessionArg(args);
    const s = realm.sessions.get(id);
    if (!s || s === caller) {
      throw new ApplicationError(ErrorUri.NO_SUCH_SESSION, { message: "no such session" });
    }
    const { reason, message } = closeReason(kwargs);
    s.kill(reason, message);
    return null;
  });
  b.set("wamp.session.kill_by_authid", (caller, args, kwargs) => {
    const authid = stringArg(args, "an authid");
    return killWhere(realm, caller, kwargs, (s) => s.auth!.authid === authid);
  });
  b.set("wamp.session.kill_by_authrole", (caller, args, kwargs) => {
    const authrole = stringArg(args, "an authrole");
    return killWhere(realm, caller, kwargs, (s) => s.auth!.authrole === authrole).length;
  });
  b.set("wamp.session.kill_all", (caller, _args, kwargs) => {
    return killWhere(realm, caller, kwargs, () => true).length;
  });
  b.set("wamp.session.add_testament", (caller, args, kwargs) => {
    const topic = args[0];
    if (typeof topic !== "string" || !isValidUri(topic, { strict: realm.strictUris })) {
      throw new ApplicationError(ErrorUri.INVALID_URI, {
        message: "testament topic must be a valid URI",
      });
    }
    const targs = args[1] ?? [];
    const tkwargs = args[2] ?? undefined;
    if (
      !Array.isArray(targs) ||
      (tkwargs !== undefined &&
        (typeof tkwargs !== "object" || tkwargs === null || Array.isArray(tkwargs)))
    ) {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: "add_testament(topic, args: list, kwargs: dict)",
      });
    }
    const options = kwargs.publish_options ?? {};
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, {
        message: "publish_options must be a dict",
      });
    }
    testamentHolder(caller).testaments[scopeOf(kwargs.scope)].push({
      topic,
      args: targs,
      kwargs: tkwargs as Dict | undefined,
      options: options as Dict,
    });
    return null;
  });
  b.set("wamp.session.flush_testaments", (caller, _args, kwargs) => {
    const scope = scopeOf(kwargs.scope);
    const holder = testamentHolder(caller);
    const n = holder.testaments[scope].length;
    holder.testaments[scope] = [];
    return n;
  });
}
