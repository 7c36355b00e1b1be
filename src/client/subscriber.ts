/**
 * The subscriber role of a session: SUBSCRIBE/UNSUBSCRIBE, EVENT dispatch,
 * and subscription revocation.
 *
 * @module
 */

import type { IdSequence } from "../wamp/ids.ts";
import {
  type ErrorMsg,
  type Event,
  MessageType,
  type Subscribed,
  type Unsubscribed,
} from "../wamp/messages.ts";
import type { ClientTransport } from "./client_transport.ts";
import { Deferred, isThenable } from "./_deferred.ts";
import { errorFrom } from "./_error_from.ts";
import {
  type EventDetails,
  type EventHandler,
  type SubscribeOptions,
  Subscription,
} from "./subscription.ts";

class PendingSubscribe extends Deferred<Subscription> {
  topic: string;
  handler: EventHandler;
  constructor(topic: string, handler: EventHandler) {
    super();
    this.topic = topic;
    this.handler = handler;
  }
}

/** The handlers sharing one router subscription (copy-on-write list). */
interface Entry {
  topic: string;
  handlers: Subscription[];
}

/** The subscriber role: owns subscriptions. Used by `Session`. */
export class Subscriber {
  #transport: ClientTransport;
  #ids: IdSequence;
  #onerror: (err: unknown) => void;
  #open = true;
  #entries = new Map<number, Entry>();
  #subscribing = new Map<number, PendingSubscribe>();
  #unsubscribing = new Map<number, Deferred<void>>();

  /**
   * @param transport where SUBSCRIBE and UNSUBSCRIBE go
   * @param ids the session's request id sequence
   * @param onerror receives exceptions from event handlers
   */
  constructor(transport: ClientTransport, ids: IdSequence, onerror: (err: unknown) => void) {
    this.#transport = transport;
    this.#ids = ids;
    this.#onerror = onerror;
  }

  /** Sends SUBSCRIBE; resolves with the Subscription on SUBSCRIBED. */
  subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    const request = this.#ids.next();
    const p = new PendingSubscribe(topic, handler);
    this.#subscribing.set(request, p);
    this.#transport.send([MessageType.SUBSCRIBE, request, options ? { ...options } : {}, topic]);
    return p.promise;
  }

  /** Removes `sub` locally; sends UNSUBSCRIBE when no handler is left on its id. */
  unsubscribe(sub: Subscription): Promise<void> {
    if (!sub.active) return Promise.resolve();
    sub.active = false;
    const entry = this.#entries.get(sub.id);
    if (entry === undefined || !this.#open) return Promise.resolve();
    entry.handlers = entry.handlers.filter((s) => s !== sub);
    if (entry.handlers.length > 0) return Promise.resolve();
    this.#entries.delete(sub.id);
    const request = this.#ids.next();
    const p = new Deferred<void>();
    this.#unsubscribing.set(request, p);
    this.#transport.send([MessageType.UNSUBSCRIBE, request, sub.id]);
    return p.promise;
  }

  /** Handles SUBSCRIBED. */
  onSubscribed(msg: Subscribed): void {
    const p = this.#subscribing.get(msg[1]);
    if (p === undefined) return;
    this.#subscribing.delete(msg[1]);
    const sub = new Subscription(msg[2], p.topic, p.handler, this);
    const entry = this.#entries.get(sub.id);
    if (entry === undefined) {
      this.#entries.set(sub.id, { topic: p.topic, handlers: [sub] });
    } else {
      entry.handlers = [...entry.handlers, sub];
    }
    p.resolve(sub);
  }

  /** Handles UNSUBSCRIBED: the answer to UNSUBSCRIBE, or a revocation (request 0). */
  onUnsubscribed(msg: Unsubscribed): void {
    if (msg[1] === 0) {
      const details = msg[2] ?? {};
      const id = details.subscription as number;
      const entry = this.#entries.get(id);
      if (entry === undefined) return;
      this.#entries.delete(id);
      const reason = typeof details.reason === "string" ? details.reason : undefined;
      for (const sub of entry.handlers) {
        sub.active = false;
        try {
          sub.onrevoke?.(reason);
        } catch (err) {
          this.#onerror(err);
        }
      }
      return;
    }
    const p = this.#unsubscribing.get(msg[1]);
    if (p === undefined) return;
    this.#unsubscribing.delete(msg[1]);
    p.resolve();
  }

  /** Handles ERROR for SUBSCRIBE or UNSUBSCRIBE. */
  onError(msg: ErrorMsg): void {
    const map = msg[1] === MessageType.SUBSCRIBE ? this.#subscribing : this.#unsubscribing;
    const p = map.get(msg[2]);
    if (p === undefined) return;
    map.delete(msg[2]);
    p.reject(errorFrom(msg));
  }

  /** Handles EVENT: calls every handler on the subscription. */
  onEvent(msg: Event): void {
    const entry = this.#entries.get(msg[1]);
    if (entry === undefined) return;
    const raw = msg[3];
    const details: EventDetails = {
      publication: msg[2],
      topic: typeof raw.topic === "string" ? raw.topic : entry.topic,
      publisher: raw.publisher as number | undefined,
      publisher_authid: raw.publisher_authid as string | undefined,
      publisher_authrole: raw.publisher_authrole as string | undefined,
      retained: raw.retained as boolean | undefined,
      raw,
    };
    const args = msg[4] ?? [];
    const kwargs = msg[5] ?? {};
    const handlers = entry.handlers;
    for (let i = 0; i < handlers.length; i++) {
      const sub = handlers[i];
      if (!sub.active) continue;
      try {
        const r = sub.handler(args, kwargs, details);
        if (isThenable(r)) r.then(undefined, this.#onerror);
      } catch (err) {
        this.#onerror(err);
      }
    }
  }

  /** Stops delivery; rejects pending (un)subscriptions. */
  closeAll(err: unknown): void {
    this.#open = false;
    const pending = [...this.#subscribing.values(), ...this.#unsubscribing.values()];
    this.#subscribing.clear();
    this.#unsubscribing.clear();
    for (const entry of this.#entries.values()) {
      for (const sub of entry.handlers) sub.active = false;
    }
    this.#entries.clear();
    for (const p of pending) p.reject(err);
  }
}
