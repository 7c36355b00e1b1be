/**
 * Routers joined by in-memory links, for tests and embedding: the dialing
 * router runs its handshake over a `DialWire` whose other end is a `Peer`
 * attached to the accepting router, exactly as over a socket. Frames are
 * deep-copied (as a serializer would) and delivered in order from a timer
 * task, like a network.
 *
 * The wire is a fault injector: `cut()` drops the connection on both sides
 * at once (no CLOSE frame: a crash or a pulled cable), `stall()` keeps the
 * connection up but delivers nothing more (a silent peer: only heartbeats
 * notice), `onFrame` sees every frame in both directions and may cut at any
 * point of a conversation, and `queued` fakes the sender's queued bytes
 * (congestion).
 *
 * @module
 */

import type { Peer, PeerInfo, SessionHandle } from "../peer.ts";
import type { Router } from "../router.ts";
import type { LinkEndpoint } from "./link.ts";
import type { DialOptions, DialWire } from "./link_manager.ts";

/** Which way a frame goes. */
export type Direction = "dialer→acceptor" | "acceptor→dialer";

/** A fault-injecting in-memory connection between two routers. */
export class MemoryLinkWire {
  /** Called with each frame before it is delivered; return false to drop it. */
  onFrame: ((dir: Direction, frame: unknown[]) => boolean | void) | undefined;
  /** Fake queued bytes on the dialer's side (congestion tests). */
  dialerQueued = 0;
  /** Fake queued bytes on the acceptor's side. */
  acceptorQueued = 0;
  /** The dialer's end. */
  readonly dialer: DialWire;
  #handle: SessionHandle | undefined;
  #toAcceptor: unknown[] = [];
  #toDialer: unknown[] = [];
  #scheduled = false;
  #open = true;
  #stalled = false;

  /**
   * @param acceptor the router being dialed
   * @param info the acceptor-side connection facts (transportId picks its authenticator)
   */
  constructor(acceptor: Router, info: Partial<PeerInfo> = {}) {
    const peer: Peer = {
      info: { type: "rawsocket", peer: "memory", serializer: "memory", ...info },
      send: (msg) => this.#push("acceptor→dialer", msg as unknown as unknown[]),
      close: () => this.#end("closed by the acceptor"),
      queuedBytes: () => this.acceptorQueued,
    };
    this.dialer = {
      onvalue: () => {},
      onclose: () => {},
      send: (frame) => this.#push("dialer→acceptor", frame),
      close: () => this.#end("closed by the dialer"),
      queuedBytes: () => this.dialerQueued,
    };
    this.#handle = acceptor.attach(peer);
  }

  /** True until either side closed or the wire was cut. */
  get open(): boolean {
    return this.#open;
  }

  /** Drops the connection on both sides at once, delivering nothing more. */
  cut(reason = "cut"): void {
    if (!this.#open) return;
    this.#open = false;
    this.#toAcceptor.length = 0;
    this.#toDialer.length = 0;
    const h = this.#handle;
    this.#handle = undefined;
    h?.closed();
    this.dialer.onclose(reason);
  }

  /** Keeps the connection but delivers nothing more in either direction. */
  stall(): void {
    this.#stalled = true;
  }

  #push(dir: Direction, frame: unknown[]): void {
    if (!this.#open || this.#stalled) return;
    if (this.onFrame?.(dir, frame) === false) return;
    if (!this.#open) return; // onFrame cut the wire
    const copy = structuredClone(frame);
    (dir === "dialer→acceptor" ? this.#toAcceptor : this.#toDialer).push(copy);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.#flush(), 0);
    }
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#open && !this.#stalled && (this.#toAcceptor.length || this.#toDialer.length)) {
      const a = this.#toAcceptor.splice(0);
      for (const v of a) {
        if (!this.#open || this.#stalled) return;
        this.#handle?.receive(v);
      }
      const d = this.#toDialer.splice(0);
      for (const v of d) {
        if (!this.#open || this.#stalled) return;
        this.dialer.onvalue(v);
      }
    }
  }

  #end(reason: string): void {
    if (!this.#open) return;
    // What was sent before the close still arrives (a transport flushes on close).
    this.#flush();
    if (!this.#open) return;
    this.#open = false;
    const h = this.#handle;
    this.#handle = undefined;
    h?.closed();
    this.dialer.onclose(reason);
  }
}

/** Links `dialer` to `acceptor` for `options.realm` in memory; resolves with the dialer's end and the wire. */
export async function memoryLink(
  dialer: Router,
  acceptor: Router,
  options: DialOptions,
  info: Partial<PeerInfo> = {},
): Promise<{ link: LinkEndpoint; wire: MemoryLinkWire }> {
  const wire = new MemoryLinkWire(acceptor, info);
  const link = await dialer.links!.dial(wire.dialer, options);
  return { link, wire };
}
