/**
 * The broker: subscriptions, publications, events, retention and history.
 *
 * - One subscription (and id) per (topic pattern, match policy); every session
 *   subscribing to the same pattern shares it.
 * - Publisher exclusion (`exclude_me`, default true), black/white listing by
 *   session id, authid and authrole, publisher disclosure.
 * - Pattern-based subscriptions get `EVENT.Details.topic`.
 * - `retain: true` keeps the last event per topic; `get_retained: true` on
 *   SUBSCRIBE delivers the retained events the pattern matches, after SUBSCRIBED.
 * - Event history: topics named in the realm's config keep their last events in
 *   a persistent subscription, readable with `wamp.subscription.get_events`.
 *   As the spec's Event History section asks, an event published with a
 *   session-id list (`exclude`/`eligible`) is not kept at all, and one published
 *   with authid/authrole lists is only shown to readers those lists admit.
 * - Option types are checked: `acknowledge`, `exclude_me`, `disclose_me`,
 *   `retain` (PUBLISH) and `get_retained` (SUBSCRIBE) must be booleans, the
 *   black/white lists lists of session ids or strings. A bad one is answered
 *   with ERROR `wamp.error.invalid_argument` (for PUBLISH only when an answer
 *   was asked for: `acknowledge` true or not a boolean) and nothing is
 *   published. (Crossbar, through Autobahn's message parser, ABORTs the
 *   session instead; an ERROR keeps the session and says which option.)
 *
 * All routing is synchronous; authorization happened before (realm.ts).
 *
 * @module
 */

import type { Dict, List, Publish, Subscribe, Unsubscribe } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { isId, randomId } from "../wamp/ids.ts";
import { type MatchPolicy, UriMatcher } from "./matcher.ts";
import type { LinkedPublication, Party, PartyLink } from "./party.ts";
import type { Realm } from "./realm.ts";
import { PatternIds } from "./pattern_id.ts";
import { sendError } from "./errors.ts";

/** Which topics keep an event history, and how many events. */
export interface EventHistoryConfig {
  /** Topic pattern. */
  uri: string;
  /** Match policy of the pattern (default exact). */
  match?: MatchPolicy;
  /** Events kept (newest win). */
  limit: number;
}

/** One event as kept in history. */
export interface HistoryEvent {
  /** ISO 8601 time of publication. */
  timestamp: string;
  /** Publication id. */
  publication: number;
  /** Subscription id. */
  subscription: number;
  /** Concrete topic published to. */
  topic: string;
  /** Positional payload. */
  args?: List;
  /** Keyword payload. */
  kwargs?: Dict;
  /** Publisher session id, when disclosed. */
  publisher?: number;
  /** Publisher authid, when disclosed. */
  publisher_authid?: string;
  /** Publisher authrole, when disclosed. */
  publisher_authrole?: string;
}

/** A subscription: one topic pattern and its subscribers. */
export class Subscription {
  /** Subscription id (router scope). */
  readonly id: number;
  /** Topic pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Creation time (ISO 8601). */
  readonly created = new Date().toISOString();
  /** Subscribers that are sessions of this router, in subscription order. */
  readonly subscribers = new Set<Party>();
  /** Subscribers that are sessions of linked routers (events reach them through their router). */
  readonly remoteSubscribers = new Set<Party>();
  /**
   * Linked routers that want this subscription's events: per link, its
   * subscribers here plus 1 when that router keeps the topic's history.
   */
  readonly remoteInterest = new Map<PartyLink, number>();
  /** Kept events with their black/white lists, oldest first (history-enabled subscriptions only). */
  history: { event: HistoryEvent; filter: Filter | undefined }[] | undefined;
  /** Max kept events. */
  historyLimit = 0;

  /**
   * @param id subscription id
   * @param uri topic pattern
   * @param match match policy
   */
  constructor(id: number, uri: string, match: MatchPolicy) {
    this.id = id;
    this.uri = uri;
    this.match = match;
  }

  /** True for subscriptions that outlive their subscribers (event history). */
  get persistent(): boolean {
    return this.history !== undefined;
  }

  /** True when nothing keeps the subscription alive. */
  get unused(): boolean {
    return this.subscribers.size === 0 && this.remoteSubscribers.size === 0 &&
      this.remoteInterest.size === 0 && !this.persistent;
  }

  /** Every subscriber, of this router and of linked ones. */
  allSubscribers(): Party[] {
    return [...this.subscribers, ...this.remoteSubscribers];
  }

  /** Details as the subscription meta API shows them. */
  details(): Dict {
    return { id: this.id, created: this.created, uri: this.uri, match: this.match };
  }
}

interface Retained {
  topic: string;
  publication: number;
  /** When it was published (ms since the epoch): the newest wins across linked routers. */
  ts: number;
  args?: List;
  kwargs?: Dict;
  /** Publisher disclosure fields, when disclosed. */
  disclosed?: Dict;
  filter: Filter | undefined;
}

/** Black/white listing from PUBLISH.Options. */
export interface Filter {
  exclude?: Set<number>;
  excludeAuthid?: Set<string>;
  excludeAuthrole?: Set<string>;
  eligible?: Set<number>;
  eligibleAuthid?: Set<string>;
  eligibleAuthrole?: Set<string>;
}

/** The realm's pub/sub routing. */
export class Broker {
  #realm: Realm;
  #subs = new UriMatcher<Subscription>();
  #byId = new Map<number, Subscription>();
  #ids: PatternIds;
  #retained = new Map<string, Retained>();

  /**
   * @param realm the realm this broker serves
   * @param history topics that keep an event history
   */
  constructor(realm: Realm, history: EventHistoryConfig[]) {
    this.#realm = realm;
    this.#ids = new PatternIds(realm.name);
    for (const h of history) {
      const match = h.match ?? "exact";
      let sub = this.#subs.get(h.uri, match);
      if (!sub) sub = this.#create(h.uri, match);
      sub.history = [];
      sub.historyLimit = h.limit;
    }
  }

  /** Every subscription (meta API). */
  subscriptions(): IterableIterator<Subscription> {
    return this.#byId.values();
  }

  /** The subscription with this id. */
  byId(id: number): Subscription | undefined {
    return this.#byId.get(id);
  }

  /** The subscription for exactly this pattern and policy. */
  lookup(uri: string, match: MatchPolicy): Subscription | undefined {
    return this.#subs.get(uri, match);
  }

  /** Every subscription whose pattern matches `topic`. */
  matching(topic: string): Subscription[] {
    return this.#subs.matchAll(topic);
  }

  /** Handles SUBSCRIBE (already authorized and URI-checked). */
  subscribe(session: Party, msg: Subscribe, match: MatchPolicy): void {
    const [, request, options, topic] = msg;
    if (options.get_retained !== undefined && typeof options.get_retained !== "boolean") {
      sendError(
        session,
        MessageType.SUBSCRIBE,
        request,
        ErrorUri.INVALID_ARGUMENT,
        `option "get_retained" must be a boolean, got ${JSON.stringify(options.get_retained)}`,
      );
      return;
    }
    let sub = this.#subs.get(topic, match);
    let created = false;
    if (!sub) {
      sub = this.#create(topic, match);
      created = true;
    }
    const already = sub.subscribers.has(session);
    if (!already) {
      sub.subscribers.add(session);
      session.subscriptions.add(sub);
    }
    session.send([MessageType.SUBSCRIBED, request, sub.id]);
    const changes = this.#realm.changes;
    if (created) changes.subscriptionCreated(sub, session);
    if (!already) changes.subscriberAdded(sub, session);
    if (options.get_retained === true) this.#sendRetained(session, sub);
  }

  /** Handles UNSUBSCRIBE. */
  unsubscribe(session: Party, msg: Unsubscribe): void {
    const [, request, id] = msg;
    const sub = this.#byId.get(id);
    if (!sub || !sub.subscribers.has(session)) {
      sendError(
        session,
        MessageType.UNSUBSCRIBE,
        request,
        ErrorUri.NO_SUCH_SUBSCRIPTION,
        `no subscription ${id} for this session`,
      );
      return;
    }
    session.send([MessageType.UNSUBSCRIBED, request]);
    this.#remove(session, sub);
  }

  /** Removes `session` from every subscription (session leaving). */
  detach(session: Party): void {
    for (const sub of [...session.subscriptions]) this.#remove(session, sub);
  }

  /**
   * Handles PUBLISH (already authorized and URI-checked). `disclose` comes from
   * the authorizer; `disclose_me` in the options also discloses.
   */
  publish(session: Party, msg: Publish, disclose: boolean): void {
    const [, request, options, topic, args, kwargs] = msg;
    const ack = options.acknowledge === true;
    let filter: Filter | undefined;
    try {
      for (const key of PUBLISH_FLAGS) {
        const v = options[key];
        if (v !== undefined && typeof v !== "boolean") {
          throw new Error(`option "${key}" must be a boolean, got ${JSON.stringify(v)}`);
        }
      }
      filter = readFilter(options);
    } catch (e) {
      if (ack || (options.acknowledge !== undefined && options.acknowledge !== false)) {
        sendError(
          session,
          MessageType.PUBLISH,
          request,
          ErrorUri.INVALID_ARGUMENT,
          (e as Error).message,
        );
      }
      return;
    }
    const excludeMe = options.exclude_me !== false;
    this.#realm.metrics.eventsPublished++;
    let disclosed: Dict | undefined;
    if (disclose || options.disclose_me === true) {
      const a = session.auth!;
      disclosed = {
        publisher: session.id,
        publisher_authid: a.authid,
        publisher_authrole: a.authrole,
      };
    }
    const publication = randomId();
    const links = this.#deliver(
      topic,
      publication,
      args,
      kwargs,
      disclosed,
      filter,
      excludeMe ? session : undefined,
    );
    this.#retainAndForward(topic, publication, args, kwargs, disclosed, filter, options, links);
    if (ack) session.send([MessageType.PUBLISHED, request, publication]);
  }

  /**
   * Sends a publication to the linked routers with interest in it (`links`);
   * a retained one goes to every linked router that takes our events, so
   * each keeps it.
   */
  #forward(links: Set<PartyLink> | undefined, pub: LinkedPublication): void {
    const to = pub.retain ? this.#realm.links : links!;
    for (const l of to) l.publish(pub);
  }

  /**
   * A publication that a linked router forwarded: delivered to this router's
   * subscribers only (one hop), recorded in event history, kept when retained
   * and newer than the retained event this router has.
   */
  publishFromLink(pub: LinkedPublication): void {
    const filter = linkedFilter(pub);
    this.#deliver(
      pub.topic,
      pub.publication,
      pub.args,
      pub.kwargs,
      pub.disclosed,
      filter,
      undefined,
    );
    if (pub.retain) this.#keepNewer(pub, filter);
  }

  #keepNewer(pub: LinkedPublication, filter: Filter | undefined): void {
    const had = this.#retained.get(pub.topic);
    if (had && (had.ts > pub.ts || (had.ts === pub.ts && had.publication >= pub.publication))) {
      return;
    }
    this.#retained.set(pub.topic, {
      topic: pub.topic,
      publication: pub.publication,
      ts: pub.ts,
      args: pub.args,
      kwargs: pub.kwargs,
      disclosed: pub.disclosed,
      filter,
    });
  }

  /** The retained events, as publications a newly linked router can take (sync). */
  retained(): LinkedPublication[] {
    return [...this.#retained.values()].map((r) => ({
      topic: r.topic,
      publication: r.publication,
      ts: r.ts,
      retain: true,
      args: r.args,
      kwargs: r.kwargs,
      disclosed: r.disclosed,
      filter: r.filter && filterToOptions(r.filter),
    }));
  }

  /** A retained event a newly linked router had (sync): kept when newer than ours. */
  retainFromLink(pub: LinkedPublication): void {
    this.#keepNewer(pub, linkedFilter(pub));
  }

  /** Adds a subscriber of a linked router (its router accepted the SUBSCRIBE). */
  addRemoteSubscriber(party: Party, uri: string, match: MatchPolicy): void {
    let sub = this.#subs.get(uri, match);
    let created = false;
    if (!sub) {
      sub = this.#create(uri, match);
      created = true;
    }
    if (sub.remoteSubscribers.has(party)) return;
    sub.remoteSubscribers.add(party);
    party.subscriptions.add(sub);
    const link = party.link!;
    sub.remoteInterest.set(link, (sub.remoteInterest.get(link) ?? 0) + 1);
    const changes = this.#realm.changes;
    if (created) changes.subscriptionCreated(sub, party);
    changes.subscriberAdded(sub, party);
  }

  /** Removes a subscriber of a linked router. */
  removeRemoteSubscriber(party: Party, uri: string, match: MatchPolicy): void {
    const sub = this.#subs.get(uri, match);
    if (sub) this.#remove(party, sub);
  }

  /**
   * A linked router keeps the history of (uri, match) (or stopped keeping it:
   * `add` false): it wants the events whether or not it has subscribers.
   */
  remoteHistory(link: PartyLink, uri: string, match: MatchPolicy, add: boolean): void {
    let sub = this.#subs.get(uri, match);
    if (!sub) {
      if (!add) return;
      sub = this.#create(uri, match);
    }
    const n = (sub.remoteInterest.get(link) ?? 0) + (add ? 1 : -1);
    if (n > 0) sub.remoteInterest.set(link, n);
    else sub.remoteInterest.delete(link);
    if (sub.unused) this.#drop(sub, undefined);
  }

  /** The subscriptions this router keeps history for (sync: linked routers want their events). */
  historyPatterns(): [string, MatchPolicy][] {
    const out: [string, MatchPolicy][] = [];
    for (const sub of this.#byId.values()) if (sub.persistent) out.push([sub.uri, sub.match]);
    return out;
  }

  /**
   * Publishes an event from the router itself: meta events (to this router's
   * subscribers only: every linked router publishes its own) and testaments
   * (`forward`: to subscribers on linked routers too). `details` are extra
   * EVENT.Details (custom `x_` attributes of meta events).
   */
  publishFromRouter(
    topic: string,
    args: List | undefined,
    kwargs: Dict | undefined,
    options: Dict,
    forward = false,
    details?: Dict,
  ): void {
    let filter: Filter | undefined;
    try {
      filter = readFilter(options);
    } catch {
      filter = undefined;
    }
    const publication = randomId();
    const links = this.#deliver(topic, publication, args, kwargs, details, filter, undefined);
    this.#retainAndForward(
      topic,
      publication,
      args,
      kwargs,
      undefined,
      filter,
      options,
      forward ? links : undefined,
      forward,
    );
  }

  /**
   * After a publication of this router was delivered here: keeps it when
   * `options.retain`, and forwards it to the linked routers with interest in
   * it (`links`; a retained one to every linked router, unless `forward` is false).
   */
  #retainAndForward(
    topic: string,
    publication: number,
    args: List | undefined,
    kwargs: Dict | undefined,
    disclosed: Dict | undefined,
    filter: Filter | undefined,
    options: Dict,
    links: Set<PartyLink> | undefined,
    forward = true,
  ): void {
    const retain = options.retain === true;
    if (!retain && !links) return;
    const ts = publishTime();
    if (retain) {
      this.#retained.set(topic, { topic, publication, ts, args, kwargs, disclosed, filter });
    }
    if (links || (forward && retain && this.#realm.links.size > 0)) {
      this.#forward(links, {
        topic,
        publication,
        ts,
        retain,
        args,
        kwargs,
        disclosed,
        filter: filter && filterOptions(options),
      });
    }
  }

  #deliver(
    topic: string,
    publication: number,
    args: List | undefined,
    kwargs: Dict | undefined,
    disclosed: Dict | undefined,
    filter: Filter | undefined,
    exclude: Party | undefined,
  ): Set<PartyLink> | undefined {
    const subs = this.#subs.matchAll(topic);
    let links: Set<PartyLink> | undefined;
    let delivered = 0;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      if (sub.history && !(filter?.exclude || filter?.eligible)) {
        this.#record(sub, topic, publication, args, kwargs, disclosed, filter);
      }
      if (sub.remoteInterest.size > 0) {
        links ??= new Set();
        for (const l of sub.remoteInterest.keys()) links.add(l);
      }
      if (sub.subscribers.size === 0) continue;
      let details: Dict;
      if (sub.match === "exact") details = disclosed ?? {};
      else details = disclosed ? { ...disclosed, topic } : { topic };
      const event = eventMessage(sub.id, publication, details, args, kwargs);
      for (const s of sub.subscribers) {
        // A session that is leaving (realm already cleared) gets nothing more,
        // not even the meta events of its own cleanup: it said or got GOODBYE.
        if (s === exclude || s.realm !== this.#realm) continue;
        if (filter && !passes(filter, s)) continue;
        s.send(event);
        delivered++;
      }
    }
    this.#realm.metrics.eventsDelivered += delivered;
    return links;
  }

  #record(
    sub: Subscription,
    topic: string,
    publication: number,
    args: List | undefined,
    kwargs: Dict | undefined,
    disclosed: Dict | undefined,
    filter: Filter | undefined,
  ): void {
    const h = sub.history!;
    const ev: HistoryEvent = {
      timestamp: new Date().toISOString(),
      publication,
      subscription: sub.id,
      topic,
      ...(disclosed ?? {}),
    };
    if (args !== undefined) ev.args = args;
    if (kwargs !== undefined) ev.kwargs = kwargs;
    h.push({ event: ev, filter });
    if (h.length > sub.historyLimit) h.splice(0, h.length - sub.historyLimit);
  }

  /**
   * The newest `limit` kept events of `sub` that `reader` may see (black/white
   * lists by authid and authrole applied), oldest first. Undefined when `sub`
   * keeps no history.
   */
  events(sub: Subscription, reader: Party, limit: number): HistoryEvent[] | undefined {
    if (!sub.history) return undefined;
    const out: HistoryEvent[] = [];
    for (const h of sub.history) if (!h.filter || passes(h.filter, reader)) out.push(h.event);
    return out.slice(-limit);
  }

  #sendRetained(session: Party, sub: Subscription): void {
    const send = (r: Retained) => {
      if (r.filter && !passes(r.filter, session)) return;
      const details: Dict = { ...(r.disclosed ?? {}), retained: true };
      if (sub.match !== "exact") details.topic = r.topic;
      session.send(eventMessage(sub.id, r.publication, details, r.args, r.kwargs));
      this.#realm.metrics.eventsDelivered++;
    };
    if (sub.match === "exact") {
      const r = this.#retained.get(sub.uri);
      if (r) send(r);
      return;
    }
    for (const r of this.#retained.values()) {
      if (patternMatches(sub.uri, sub.match, r.topic)) send(r);
    }
  }

  #create(uri: string, match: MatchPolicy): Subscription {
    const sub = new Subscription(this.#ids.take(match, uri), uri, match);
    this.#subs.set(uri, match, sub);
    this.#byId.set(sub.id, sub);
    return sub;
  }

  #remove(session: Party, sub: Subscription): void {
    const link = session.link;
    if (link) {
      if (!sub.remoteSubscribers.delete(session)) return;
      const n = (sub.remoteInterest.get(link) ?? 1) - 1;
      if (n > 0) sub.remoteInterest.set(link, n);
      else sub.remoteInterest.delete(link);
    } else if (!sub.subscribers.delete(session)) return;
    session.subscriptions.delete(sub);
    this.#realm.changes.subscriberRemoved(sub, session);
    if (sub.unused) this.#drop(sub, session);
  }

  #drop(sub: Subscription, by: Party | undefined): void {
    this.#subs.delete(sub.uri, sub.match);
    this.#byId.delete(sub.id);
    this.#ids.release(sub.id);
    if (by) this.#realm.changes.subscriptionDeleted(sub, by);
  }
}

function eventMessage(
  sub: number,
  publication: number,
  details: Dict,
  args: List | undefined,
  kwargs: Dict | undefined,
): [typeof MessageType.EVENT, number, number, Dict, List?, Dict?] {
  if (kwargs !== undefined) {
    return [MessageType.EVENT, sub, publication, details, args ?? [], kwargs];
  }
  if (args !== undefined) return [MessageType.EVENT, sub, publication, details, args];
  return [MessageType.EVENT, sub, publication, details];
}

/** True when a concrete `topic` matches `pattern` under `match`. */
export function patternMatches(pattern: string, match: MatchPolicy, topic: string): boolean {
  switch (match) {
    case "exact":
      return pattern === topic;
    case "prefix":
      return topic.startsWith(pattern);
    case "wildcard": {
      const p = pattern.split(".");
      const t = topic.split(".");
      if (p.length !== t.length) return false;
      for (let i = 0; i < p.length; i++) if (p[i] !== "" && p[i] !== t[i]) return false;
      return true;
    }
  }
}

/** PUBLISH options that must be booleans when present. */
const PUBLISH_FLAGS = ["acknowledge", "exclude_me", "disclose_me", "retain"] as const;

function idSet(options: Dict, key: string): Set<number> | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isId)) {
    throw new Error(`option "${key}" must be a list of session ids`);
  }
  return new Set(v as number[]);
}

function strSet(options: Dict, key: string): Set<string> | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new Error(`option "${key}" must be a list of strings`);
  }
  return new Set(v as string[]);
}

function readFilter(options: Dict): Filter | undefined {
  if (
    options.exclude === undefined && options.eligible === undefined &&
    options.exclude_authid === undefined && options.exclude_authrole === undefined &&
    options.eligible_authid === undefined && options.eligible_authrole === undefined
  ) return undefined;
  return {
    exclude: idSet(options, "exclude"),
    eligible: idSet(options, "eligible"),
    excludeAuthid: strSet(options, "exclude_authid"),
    excludeAuthrole: strSet(options, "exclude_authrole"),
    eligibleAuthid: strSet(options, "eligible_authid"),
    eligibleAuthrole: strSet(options, "eligible_authrole"),
  };
}

let lastTs = 0;

/**
 * When a publication happened (ms since the epoch), strictly increasing on
 * this router: the newer of two retained events wins across linked routers,
 * and two published in the same ms keep their order.
 */
function publishTime(): number {
  const now = Date.now();
  lastTs = now > lastTs ? now : lastTs + 1;
  return lastTs;
}

/** The filter of a publication from a linked router (one it cannot read filters nothing). */
function linkedFilter(pub: LinkedPublication): Filter | undefined {
  try {
    return pub.filter ? readFilter(pub.filter) : undefined;
  } catch {
    return undefined;
  }
}

/** The black/white list options of a PUBLISH, as a linked router reads them again. */
function filterOptions(options: Dict): Dict {
  const out: Dict = {};
  for (const k of FILTER_KEYS) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

/** A kept filter as PUBLISH options again. */
function filterToOptions(f: Filter): Dict {
  const out: Dict = {};
  if (f.exclude) out.exclude = [...f.exclude];
  if (f.eligible) out.eligible = [...f.eligible];
  if (f.excludeAuthid) out.exclude_authid = [...f.excludeAuthid];
  if (f.excludeAuthrole) out.exclude_authrole = [...f.excludeAuthrole];
  if (f.eligibleAuthid) out.eligible_authid = [...f.eligibleAuthid];
  if (f.eligibleAuthrole) out.eligible_authrole = [...f.eligibleAuthrole];
  return out;
}

const FILTER_KEYS = [
  "exclude",
  "eligible",
  "exclude_authid",
  "exclude_authrole",
  "eligible_authid",
  "eligible_authrole",
] as const;

function passes(f: Filter, s: Party): boolean {
  const a = s.auth!;
  if (f.eligible && !f.eligible.has(s.id)) return false;
  if (f.eligibleAuthid && !f.eligibleAuthid.has(a.authid)) return false;
  if (f.eligibleAuthrole && !f.eligibleAuthrole.has(a.authrole)) return false;
  if (f.exclude?.has(s.id)) return false;
  if (f.excludeAuthid?.has(a.authid)) return false;
  if (f.excludeAuthrole?.has(a.authrole)) return false;
  return true;
}
