/**
 * A scriptable stand-in for the router, for the client's unit tests: it
 * answers HELLO with WELCOME (unless told not to) and otherwise records what
 * the client sends, so a test can check the exact wire messages and answer
 * them by hand.
 *
 * @module
 */

import type { Dict, Message, RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import { type JoinOptions, joinSession } from "./join_session.ts";
import { localPair } from "./local_transport.ts";
import type { Session } from "./session.ts";

/** Every router feature the client can use. */
export function fullRouterRoles(): Dict {
  return {
    dealer: {
      features: {
        call_canceling: true,
        call_timeout: true,
        progressive_call_results: true,
        progressive_call_invocations: true,
        caller_identification: true,
      },
    },
    broker: { features: { publisher_exclusion: true, publisher_identification: true } },
  };
}

/** Options of `FakeRouter`. */
export interface FakeRouterOptions {
  /** Answer HELLO with WELCOME automatically (default true). */
  autoWelcome?: boolean;
  /** WELCOME.Details (default: authid/authrole plus `fullRouterRoles()`). */
  welcome?: Dict;
  /** Answer a client's GOODBYE with GOODBYE `wamp.close.goodbye_and_out` (default true); it is recorded too. */
  autoGoodbye?: boolean;
}

/** A fake router: one `FakeConn` per attached connection. */
export class FakeRouter implements SessionAcceptor {
  /** Every connection attached so far. */
  readonly conns: FakeConn[] = [];
  readonly autoWelcome: boolean;
  readonly autoGoodbye: boolean;
  readonly welcome: Dict;
  #nextSession = 1000;

  constructor(options: FakeRouterOptions = {}) {
    this.autoWelcome = options.autoWelcome ?? true;
    this.autoGoodbye = options.autoGoodbye ?? true;
    this.welcome = options.welcome ??
      { authid: "anon", authrole: "anonymous", roles: fullRouterRoles() };
  }

  attach(peer: Peer): SessionHandle {
    const conn = new FakeConn(peer, this, this.#nextSession++);
    this.conns.push(conn);
    return conn.handle;
  }

  /** The most recent connection. */
  get last(): FakeConn {
    return this.conns[this.conns.length - 1];
  }
}

/** The router end of one connection. */
export class FakeConn {
  readonly peer: Peer;
  readonly sessionId: number;
  /** The HELLO received, if any. */
  hello: Message | undefined = undefined;
  /** Messages received and not yet taken with `next()`. */
  readonly inbox: Message[] = [];
  /** How many times `closed()` was called by the transport. */
  closedCalls = 0;
  readonly handle: SessionHandle;
  #waiter: ((m: Message) => void) | undefined = undefined;
  #closedWaiters: (() => void)[] = [];

  constructor(peer: Peer, router: FakeRouter, sessionId: number) {
    this.peer = peer;
    this.sessionId = sessionId;
    this.handle = {
      receive: (value: unknown) => {
        const msg = value as Message;
        if (msg[0] === MessageType.HELLO && router.autoWelcome) {
          this.hello = msg;
          peer.send([MessageType.WELCOME, sessionId, structuredClone(router.welcome)]);
          return;
        }
        if (
          msg[0] === MessageType.GOODBYE && router.autoGoodbye &&
          msg[2] !== "wamp.close.goodbye_and_out"
        ) {
          this.inbox.push(msg);
          peer.send([MessageType.GOODBYE, {}, "wamp.close.goodbye_and_out"]);
          return;
        }
        const w = this.#waiter;
        if (w !== undefined) {
          this.#waiter = undefined;
          w(msg);
        } else {
          this.inbox.push(msg);
        }
      },
      protocolViolation: () => {},
      overflow: () => {},
      closed: () => {
        this.closedCalls++;
        for (const w of this.#closedWaiters.splice(0)) w();
      },
    };
  }

  /** The next message from the client (waits for it). */
  next(): Promise<Message> {
    const m = this.inbox.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** Sends a message to the client. */
  send(msg: RouterMessage): void {
    this.peer.send(msg);
  }

  /** Resolves once the transport has reported the connection closed. */
  whenClosed(): Promise<void> {
    if (this.closedCalls > 0) return Promise.resolve();
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }
}

/** A session joined to a fresh `FakeRouter` over `localPair`. */
export async function openSession(
  options: FakeRouterOptions & JoinOptions = {},
): Promise<{ router: FakeRouter; conn: FakeConn; session: Session }> {
  const router = new FakeRouter(options);
  const session = await joinSession(localPair(router), "realm1", options);
  return { router, conn: router.last, session };
}
