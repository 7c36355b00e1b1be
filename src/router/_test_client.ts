/**
 * Test helper: a raw in-memory WAMP peer attached to a Router. Sends arrays
 * exactly as given (so tests can send malformed ones) and records every
 * message the router sends (deep-copied, as a real transport would serialize).
 *
 * @module
 */

import type { Dict, RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import type { PeerInfo, SessionHandle } from "./peer.ts";
import type { Router } from "./router.ts";

/** Client roles with every feature xbar knows, as a rich client announces them. */
export const FULL_ROLES: Dict = {
  caller: {
    features: {
      call_canceling: true,
      progressive_call_results: true,
      call_timeout: true,
      caller_identification: true,
      progressive_call_invocations: true,
    },
  },
  callee: {
    features: {
      call_canceling: true,
      progressive_call_results: true,
      call_timeout: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
      progressive_call_invocations: true,
    },
  },
  publisher: {
    features: {
      publisher_exclusion: true,
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
    },
  },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

/** A raw peer for router tests. */
export class TestClient {
  /** Every message received, in order (copied). */
  readonly received: RouterMessage[] = [];
  /** The router closed the connection. */
  closed = false;
  /** Session id after WELCOME. */
  id = 0;
  /** The handle the router gave us. */
  readonly handle: SessionHandle;
  #waiters: (() => void)[] = [];

  /**
   * @param router the router to attach to
   * @param info PeerInfo overrides
   */
  constructor(router: Router, info: Partial<PeerInfo> = {}) {
    this.handle = router.attach({
      info: { type: "local", peer: "local", serializer: "local", ...info },
      send: (m) => {
        this.received.push(structuredClone(m));
        const w = this.#waiters;
        this.#waiters = [];
        for (const f of w) f();
      },
      close: () => {
        this.closed = true;
        const w = this.#waiters;
        this.#waiters = [];
        for (const f of w) f();
      },
    });
  }

  /** Sends a raw value to the router. */
  send(value: unknown): void {
    this.handle.receive(value);
  }

  /** Joins `realm`; returns WELCOME details (throws on anything else). */
  async join(realm = "realm1", details: Dict = {}): Promise<Dict> {
    this.send([MessageType.HELLO, realm, { roles: FULL_ROLES, ...details }]);
    const m = await this.next();
    if (m[0] !== MessageType.WELCOME) throw new Error(`expected WELCOME, got ${JSON.stringify(m)}`);
    this.id = m[1];
    return m[2];
  }

  /** Removes and returns the oldest received message, waiting up to `ms` for one. */
  async next(ms = 1000): Promise<RouterMessage> {
    const deadline = Date.now() + ms;
    while (this.received.length === 0) {
      if (this.closed) throw new Error("connection closed while waiting for a message");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a message");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received.shift()!;
  }

  /** Removes and returns every message received so far. */
  drain(): RouterMessage[] {
    return this.received.splice(0);
  }

  /** Resolves when the router closes the connection (or rejects after `ms`). */
  async waitClosed(ms = 1000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for close");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Tells the router the transport went away. */
  disconnect(): void {
    this.closed = true;
    this.handle.closed();
  }
}
