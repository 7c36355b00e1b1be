/**
 * Test helper: a raw in-memory WAMP peer attached to a Router. Sends arrays
 * exactly as given (so tests can send malformed ones) and records every
 * message the router sends (deep-copied, as a real transport would serialize).
 *
 * @module
 */

import type { Dict, RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import type { Peer, PeerInfo, SessionHandle } from "./peer.ts";
import { Router, type RouterOptions } from "./router.ts";
import type { AuthenticatorFactory } from "./authn/authenticator.ts";
import type { RealmConfig } from "./realm.ts";

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

/**
 * A test authenticator: the session gets the authid and authrole it asks for in
 * HELLO.Details (`authid`, `authrole`; defaults: a numbered authid and role
 * "anonymous"). Lets tests give sessions distinct identities.
 */
export function identityAuthenticator(): AuthenticatorFactory {
  let n = 0;
  return () => ({
    hello: (_realm, details) => ({
      kind: "welcome",
      info: {
        authid: typeof details.authid === "string" ? details.authid : `user${++n}`,
        authrole: typeof details.authrole === "string" ? details.authrole : "anonymous",
        authmethod: "anonymous",
        authprovider: "test",
      },
    }),
    authenticate: () => ({ kind: "abort", uri: "wamp.error.protocol_violation", message: "no" }),
  });
}

/**
 * A router for tests: realm "realm1" (plus `realm` overrides) and
 * `options.realms`, no handshake timer, the identity authenticator.
 */
export function testRouter(realm: Partial<RealmConfig> = {}, options: RouterOptions = {}): Router {
  return new Router({
    handshakeTimeoutMs: 0,
    authenticator: identityAuthenticator(),
    ...options,
    realms: [{ name: "realm1", ...realm }, ...(options.realms ?? [])],
  });
}

/**
 * Attaches a TestClient to `router` and joins "realm1" with HELLO.Details
 * `details`; `peer` adds optional `Peer` members (flow control).
 */
export async function joined(
  router: Router,
  details: Dict = {},
  peer: PeerExtras = {},
): Promise<TestClient> {
  const c = new TestClient(router, {}, peer);
  await c.join("realm1", details);
  return c;
}

/** Optional `Peer` members a test peer can have. */
export type PeerExtras = Pick<
  Peer,
  "pauseInput" | "resumeInput" | "stuckTimeoutMs" | "queuedBytes"
>;

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
  #request = 0;

  /**
   * @param router the router to attach to
   * @param info PeerInfo overrides
   * @param peer optional `Peer` members (flow control: pauseInput, resumeInput, stuckTimeoutMs)
   */
  constructor(router: Router, info: Partial<PeerInfo> = {}, peer: PeerExtras = {}) {
    this.handle = router.attach({
      ...peer,
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

  /** A fresh request id (1, 2, 3, ...). */
  req(): number {
    return ++this.#request;
  }

  /**
   * Removes and returns the oldest received message for which `pred` holds,
   * waiting up to `ms`; other messages stay queued in order.
   */
  async take(pred: (m: RouterMessage) => boolean, ms = 1000): Promise<RouterMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.received.findIndex(pred);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.closed) throw new Error("connection closed while waiting for a message");
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for a message; have ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Sends CALL and returns the RESULT or ERROR answering it (other messages
   * stay queued).
   */
  async call(
    procedure: string,
    args: unknown[] = [],
    kwargs?: Dict,
    options: Dict = {},
  ): Promise<RouterMessage> {
    const id = this.req();
    this.send(
      kwargs === undefined
        ? [MessageType.CALL, id, options, procedure, args]
        : [MessageType.CALL, id, options, procedure, args, kwargs],
    );
    return await this.take((m) =>
      (m[0] === MessageType.RESULT && m[1] === id) ||
      (m[0] === MessageType.ERROR && m[1] === MessageType.CALL && m[2] === id)
    );
  }

  /** Calls a procedure that must answer RESULT; returns RESULT.Arguments[0]. */
  async result(procedure: string, args: unknown[] = [], kwargs?: Dict): Promise<unknown> {
    const m = await this.call(procedure, args, kwargs);
    if (m[0] !== MessageType.RESULT) {
      throw new Error(`${procedure}: expected RESULT, got ${JSON.stringify(m)}`);
    }
    return (m[3] as unknown[] | undefined)?.[0];
  }

  /** Subscribes (options `options`) and returns the subscription id (throws on ERROR). */
  async subscribe(topic: string, options: Dict = {}): Promise<number> {
    const id = this.req();
    this.send([MessageType.SUBSCRIBE, id, options, topic]);
    const m = await this.take((m) =>
      (m[0] === MessageType.SUBSCRIBED && m[1] === id) ||
      (m[0] === MessageType.ERROR && m[2] === id)
    );
    if (m[0] !== MessageType.SUBSCRIBED) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(m)}`);
    return m[2];
  }

  /** Registers (options `options`) and returns the registration id (throws on ERROR). */
  async register(procedure: string, options: Dict = {}): Promise<number> {
    const id = this.req();
    this.send([MessageType.REGISTER, id, options, procedure]);
    const m = await this.take((m) =>
      (m[0] === MessageType.REGISTERED && m[1] === id) ||
      (m[0] === MessageType.ERROR && m[2] === id)
    );
    if (m[0] !== MessageType.REGISTERED) throw new Error(`REGISTER failed: ${JSON.stringify(m)}`);
    return m[2];
  }

  /** Sends GOODBYE and waits for the router's answer (which is returned). */
  async leave(reason = "wamp.close.normal"): Promise<RouterMessage> {
    this.send([MessageType.GOODBYE, {}, reason]);
    return await this.take((m) => m[0] === MessageType.GOODBYE);
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
