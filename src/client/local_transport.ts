/**
 * An in-process connection between a client and a router (or any
 * `SessionAcceptor`): no serializer, no socket, same ordering guarantees.
 *
 * Router → client messages are queued and delivered in order from a
 * microtask, like a network would, so neither side is re-entered while it
 * is still handling the message that caused the reply. Client → router
 * messages go to `SessionHandle.receive` synchronously.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import type { Peer, PeerInfo, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import type { ClientTransport, ClientTransportInfo } from "./client_transport.ts";
import { deepCopy } from "./_deep_copy.ts";

/** Options of `localPair`. */
export interface LocalPairOptions {
  /**
   * Deep-copy every message in both directions (JSON-like: arrays, objects,
   * byte arrays), so neither side can see the other's later mutations.
   * Default `false`: messages are handed over as they are, which is fastest.
   */
  clone?: boolean;
  /** Overrides for the router-side `PeerInfo` (default `{type:"local", peer:"local", serializer:"local"}`). */
  info?: Partial<PeerInfo>;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

function noop(): void {}

/**
 * Connects a client to `acceptor` in-process: attaches a `Peer` to it and
 * returns the client end. Closing either end closes the other; the router is
 * told with `SessionHandle.closed()` exactly once.
 */
export function localPair(
  acceptor: SessionAcceptor,
  options: LocalPairOptions = {},
): ClientTransport {
  return new LocalClientTransport(acceptor, options);
}

class LocalClientTransport implements ClientTransport {
  readonly info: ClientTransportInfo = { type: "local", serializer: "local" };
  onmessage: (msg: Message) => void = noop;
  onclose: (reason?: string) => void = noop;

  #handle: SessionHandle;
  #clone: boolean;
  #queue: Message[] = [];
  #scheduled = false;
  #state = OPEN;
  #reason = "";

  constructor(acceptor: SessionAcceptor, options: LocalPairOptions) {
    this.#clone = options.clone ?? false;
    const info: PeerInfo = { type: "local", peer: "local", serializer: "local", ...options.info };
    const peer: Peer = {
      info,
      send: (msg) => this.#deliver(msg),
      close: () => this.#closeFromRouter(),
    };
    this.#handle = acceptor.attach(peer);
  }

  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  send(msg: Message): void {
    if (this.#state !== OPEN) return;
    this.#handle.receive(this.#clone ? deepCopy(msg) : msg);
  }

  close(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#queue.length = 0;
    this.#handle.closed();
    queueMicrotask(() => this.onclose("closed by client"));
  }

  #deliver(msg: Message): void {
    if (this.#state !== OPEN) return;
    this.#queue.push(this.#clone ? deepCopy(msg) : msg);
    this.#schedule();
  }

  #closeFromRouter(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#reason = "closed by router";
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#drain);
  }

  #drain = (): void => {
    this.#scheduled = false;
    const q = this.#queue;
    let i = 0;
    try {
      while (i < q.length && this.#state !== CLOSED) this.onmessage(q[i++]);
    } finally {
      if (this.#state === CLOSED) {
        q.length = 0;
      } else if (i < q.length) {
        q.splice(0, i); // onmessage threw: deliver the rest later
        this.#schedule();
      } else {
        q.length = 0;
        if (this.#state === CLOSING) {
          this.#state = CLOSED;
          this.#handle.closed();
          this.onclose(this.#reason);
        }
      }
    }
  };
}
