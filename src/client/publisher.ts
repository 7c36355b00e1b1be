/**
 * The publisher role of a session: PUBLISH, and PUBLISHED/ERROR for
 * acknowledged publications.
 *
 * @module
 */

import type { IdSequence } from "../wamp/ids.ts";
import {
  type Dict,
  type ErrorMsg,
  type List,
  MessageType,
  type Published,
  withPayload,
} from "../wamp/messages.ts";
import type { ClientTransport } from "./client_transport.ts";
import { Deferred } from "./_deferred.ts";
import { errorFrom } from "./_error_from.ts";

/** Options of `Session.publish()`, sent as `PUBLISH.Options`. */
export interface PublishOptions {
  /** Ask for PUBLISHED (or ERROR): the promise then resolves with the publication id. */
  acknowledge?: boolean;
  /** Deliver to this session too when it is subscribed (default: the router's, usually `true` = excluded). */
  exclude_me?: boolean;
  /** Session ids not to deliver to. */
  exclude?: number[];
  /** Authids not to deliver to. */
  exclude_authid?: string[];
  /** Authroles not to deliver to. */
  exclude_authrole?: string[];
  /** Deliver only to these session ids. */
  eligible?: number[];
  /** Deliver only to these authids. */
  eligible_authid?: string[];
  /** Deliver only to these authroles. */
  eligible_authrole?: string[];
  /** Ask the router to disclose this publisher's identity. */
  disclose_me?: boolean;
  /** Ask the broker to retain this event for later subscribers. */
  retain?: boolean;
  /** Any other PUBLISH option, sent as given (e.g. `forward_for`). */
  [option: string]: unknown;
}

const UNACKNOWLEDGED: Promise<undefined> = Promise.resolve(undefined);

/** The publisher role: owns acknowledged publications in flight. Used by `Session`. */
export class Publisher {
  #transport: ClientTransport;
  #ids: IdSequence;
  #pending = new Map<number, Deferred<number | undefined>>();

  /**
   * @param transport where PUBLISH goes
   * @param ids the session's request id sequence
   */
  constructor(transport: ClientTransport, ids: IdSequence) {
    this.#transport = transport;
    this.#ids = ids;
  }

  /** Sends PUBLISH; resolves with the publication id when acknowledged, else at once with `undefined`. */
  publish(
    topic: string,
    args?: List,
    kwargs?: Dict,
    options?: PublishOptions,
  ): Promise<number | undefined> {
    const request = this.#ids.next();
    const wire: Dict = options !== undefined ? { ...options } : {};
    const msg = withPayload(
      [MessageType.PUBLISH, request, wire, topic] as [16, number, Dict, string],
      args,
      kwargs,
    );
    if (options?.acknowledge !== true) {
      try {
        this.#transport.send(msg);
      } catch (err) {
        return Promise.reject(err);
      }
      return UNACKNOWLEDGED;
    }
    const p = new Deferred<number | undefined>();
    this.#pending.set(request, p);
    try {
      this.#transport.send(msg);
    } catch (err) {
      this.#pending.delete(request);
      return Promise.reject(err);
    }
    return p.promise;
  }

  /** Handles PUBLISHED. */
  onPublished(msg: Published): void {
    const p = this.#pending.get(msg[1]);
    if (p === undefined) return;
    this.#pending.delete(msg[1]);
    p.resolve(msg[2]);
  }

  /** Handles ERROR for PUBLISH. */
  onError(msg: ErrorMsg): void {
    const p = this.#pending.get(msg[2]);
    if (p === undefined) return;
    this.#pending.delete(msg[2]);
    p.reject(errorFrom(msg));
  }

  /** Rejects every acknowledged publication in flight. */
  closeAll(err: unknown): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(err);
  }
}
