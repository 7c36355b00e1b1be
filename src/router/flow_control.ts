/**
 * Flow control across sessions, as TCP does it end to end: when a session's
 * outbound queue is backlogged (its transport said `backlog(true)`: the
 * queue passed its high-water mark), every session whose message lands in
 * that queue stops being read (`Peer.pauseInput()`) once that message is
 * handled, until nothing it fed is backlogged any more (`backlog(false)`
 * at the low-water mark, or the backlogged session is gone); then it is
 * resumed (`Peer.resumeInput()`). Publishers whose events, callers whose
 * invocations and callees whose results would pile up are slowed; nothing
 * is dropped, and a session fed by nobody backlogged is never slowed.
 *
 * Who fed whom is known because routing is synchronous: the router marks
 * the session whose message it is handling (`enter`/`exit`), and every send
 * to a backlogged session during that time is a `hit`. Sends with no
 * session being handled (timers, router-made meta events, what a dynamic
 * authorizer's answer lets through later) pause nobody: the hard bound of
 * the transport catches those.
 *
 * Never paused: sessions whose peer cannot pause (in-process pairs, Deno's
 * WebSocket), and connections that carry a router link (pausing a link's
 * input would stall every session of the other router and its heartbeats;
 * links have their own congestion rule, see `link/link.ts`). A router link
 * is never a backlogged target here either.
 *
 * Deadlock: pausing a session's input never keeps any queue from draining
 * (draining needs only the receiving client to read), so paused sessions
 * wait only for clients to read; a client that never reads is closed after
 * its transport's stuck timeout (see `RouterSession`), which releases
 * everyone waiting for it.
 *
 * @module
 */

/** What flow control needs of a peer (see `Peer.pauseInput`). */
export interface FlowPeer {
  /** Stops reading input; absent: the peer is never paused. */
  pauseInput?(): void;
  /** Reads again. */
  resumeInput?(): void;
}

/** One session's side of flow control. */
export class FlowNode {
  /** Its outbound queue is over the high-water mark. */
  backlogged = false;
  /** Its input is paused. */
  paused = false;
  /** Sessions paused (at least) because of this one's backlog. */
  waiters: Set<FlowNode> | undefined;
  /** Backlogged sessions this one waits for while paused. */
  blockers: Set<FlowNode> | undefined;
  #peer: FlowPeer | undefined;

  /** @param peer the session's peer; its input is paused and resumed through it */
  constructor(peer: FlowPeer) {
    this.#peer = peer;
  }

  /** True when this session's input can be paused. */
  get pausable(): boolean {
    return this.#peer?.pauseInput !== undefined;
  }

  /** From now on this session is never paused (it carries a router link, or it is gone). */
  exempt(): void {
    this.#peer = undefined;
  }

  /** Pauses the peer's input. */
  pause(): void {
    this.paused = true;
    this.#peer?.pauseInput?.();
  }

  /** Resumes the peer's input. */
  resume(): void {
    this.paused = false;
    this.#peer?.resumeInput?.();
  }
}

/** Counters, for logs, tests and benchmarks. */
export interface FlowStats {
  /** Times a session's input was paused. */
  pauses: number;
  /** Times a session's input was resumed. */
  resumes: number;
}

/** What `enter()` returns, for `exit()`. */
export type FlowFrame = { source: FlowNode | undefined; hits: Set<FlowNode> | undefined };

/** The router's flow control: who is being handled, and who waits for whom. */
export class FlowControl {
  /** Counters. */
  readonly stats: FlowStats = { pauses: 0, resumes: 0 };
  #source: FlowNode | undefined;
  #hits: Set<FlowNode> | undefined;

  /** The router starts handling a message of `source`; returns what `exit()` needs. */
  enter(source: FlowNode): FlowFrame {
    const frame = { source: this.#source, hits: this.#hits };
    this.#source = source;
    this.#hits = undefined;
    return frame;
  }

  /**
   * The router is done with the message `enter()` began: pauses its source
   * when it fed a backlogged session, then restores the frame (handling can
   * nest, e.g. an in-process client answering synchronously).
   */
  exit(frame: FlowFrame): void {
    const source = this.#source;
    const hits = this.#hits;
    this.#source = frame.source;
    this.#hits = frame.hits;
    if (hits !== undefined && source !== undefined) this.#block(source, hits);
  }

  /** A message was just sent to `target`, whose queue is backlogged. */
  hit(target: FlowNode): void {
    if (this.#source === undefined) return;
    (this.#hits ??= new Set()).add(target);
  }

  /** `node`'s queue passed its high-water mark. */
  backlogged(node: FlowNode): void {
    node.backlogged = true;
  }

  /** `node`'s queue is back below its low-water mark: resume those that only waited for it. */
  drained(node: FlowNode): void {
    node.backlogged = false;
    this.#release(node);
  }

  /** `node`'s session is gone: release those waiting for it, forget what it waited for. */
  gone(node: FlowNode): void {
    node.backlogged = false;
    this.#release(node);
    if (node.blockers !== undefined) {
      for (const t of node.blockers) t.waiters?.delete(node);
      node.blockers = undefined;
    }
    node.paused = false;
    node.exempt();
  }

  #block(source: FlowNode, hits: Set<FlowNode>): void {
    if (!source.pausable) return;
    for (const target of hits) {
      if (!target.backlogged) continue;
      (target.waiters ??= new Set()).add(source);
      (source.blockers ??= new Set()).add(target);
    }
    if (!source.paused && source.blockers !== undefined && source.blockers.size > 0) {
      this.stats.pauses++;
      source.pause();
    }
  }

  #release(node: FlowNode): void {
    const waiters = node.waiters;
    if (waiters === undefined) return;
    node.waiters = undefined;
    for (const s of waiters) {
      const blockers = s.blockers;
      if (blockers === undefined) continue;
      blockers.delete(node);
      if (blockers.size === 0) {
        s.blockers = undefined;
        if (s.paused) {
          this.stats.resumes++;
          s.resume();
        }
      }
    }
  }
}
