/**
 * Testaments: events a session asks the router to publish on its behalf when
 * it goes away (`wamp.session.add_testament` / `flush_testaments`).
 *
 * xbar has no session resumption, so a session that leaves is both detached
 * and destroyed: its "detached" testaments are published, then its
 * "destroyed" ones.
 *
 * @module
 */

import type { Dict, List } from "../../wamp/messages.ts";
import type { Realm } from "../realm.ts";
import type { Party } from "../party.ts";

/** A party that can leave testaments (a session of this router). */
export interface TestamentHolder extends Party {
  /** Testaments to publish when the session goes, by scope. */
  testaments: { destroyed: Testament[]; detached: Testament[] };
}

/** True when `p` keeps testaments (the sessions of this router do). */
export function holdsTestaments(p: Party): p is TestamentHolder {
  return "testaments" in p;
}

/** One stored testament. */
export interface Testament {
  /** Topic to publish to. */
  topic: string;
  /** Positional payload. */
  args: List;
  /** Keyword payload (absent: none). */
  kwargs?: Dict;
  /** PUBLISH.Options to apply (eligible/exclude lists, retain). */
  options: Dict;
}

/** Publishes `session`'s testaments (detached, then destroyed) and clears them. */
export function publishTestaments(realm: Realm, session: TestamentHolder): void {
  const t = session.testaments;
  const all = [...t.detached, ...t.destroyed];
  t.detached = [];
  t.destroyed = [];
  for (const x of all) realm.broker.publishFromRouter(x.topic, x.args, x.kwargs, x.options, true);
}
