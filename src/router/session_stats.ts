/**
 * Per-session message statistics (Crossbar's realm `stats`, published as
 * `wamp.session.on_stats`), counted as Autobahn|Python's `Serializer` does
 * (`stats()`, `set_stats_autoreset`):
 *
 * - the transport hands every serialized message's payload length, both
 *   ways, to the session's `SessionStats` (`Peer.countTraffic`): `bytes` +=
 *   length, `messages` += 1, `rated_messages` += ceil(length /
 *   `rated_message_size`);
 * - after each count the triggers are checked: `rated_messages` reached
 *   `trigger_after_rated_messages`, or `trigger_after_duration` seconds
 *   passed since the last publication (checked only when a message is
 *   counted, as Autobahn does: no timer);
 * - a publication takes the counters and resets them: `{cycle, serializer,
 *   timestamp, duration, bytes, messages, rated_messages, first, last}`,
 *   `timestamp` the last reset (ns since the epoch; a double, so exact to
 *   about 256 ns), `duration` ns since then; `first` on the session's first
 *   publication, `last` on the one at leave.
 *
 * Publications are queued per realm (`StatsPublisher`) and published on a
 * microtask: a trigger fires inside `Peer.send()`, where the router does no
 * routing of its own, and the queue keeps them in order with the one at
 * leave. While the queue is published no trigger fires (messages are still
 * counted and trigger at the next count): an `on_stats` EVENT sent to a
 * session with stats cannot set off another publication, so a subscriber to
 * `wamp.session.on_stats` with `trigger_after_rated_messages: 1` sees no
 * endless loop.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import type { TrafficMeter } from "./peer.ts";

/** A realm's `stats` (see `src/config/types.ts` `RealmStatsConfig` for Crossbar's keys). */
export interface SessionStatsConfig {
  /** Bytes per rated message (> 0). */
  ratedMessageSize: number;
  /** Publish after this many rated messages; 0: off. */
  triggerAfterRatedMessages: number;
  /**
   * Publish when a message is counted this many SECONDS after the last
   * publication; 0: off. Crossbar's docs say seconds; its code hands the
   * number to Autobahn, which compares it with nanoseconds (a bug: 10 there
   * means 10 ns). xbar follows the docs.
   */
  triggerAfterDuration: number;
  /** Publish when the session joins. */
  triggerOnJoin: boolean;
  /** Publish when the session leaves (`last: true`). */
  triggerOnLeave: boolean;
}

/** Milliseconds since the epoch, with a fraction (injectable for tests). */
export type StatsClock = () => number;

const defaultClock: StatsClock = () => performance.timeOrigin + performance.now();

/** Sizes kept before the rated message size is known (the handshake, before the realm is). */
const MAX_EARLY = 64;

/** Publishes a realm's `wamp.session.on_stats` events, in order, on a microtask. */
export class StatsPublisher {
  #publish: (args: List) => void;
  #queue: [Dict, Dict][] = [];
  #scheduled = false;
  #flushing = false;

  /** @param publish publishes one event's positional arguments `[session_info, stats]` */
  constructor(publish: (args: List) => void) {
    this.#publish = publish;
  }

  /** True while queued events are being published (triggers do not fire then). */
  get publishing(): boolean {
    return this.#flushing;
  }

  /** Queues one event. */
  enqueue(info: Dict, stats: Dict): void {
    this.#queue.push([info, stats]);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    this.#flushing = true;
    try {
      const queue = this.#queue;
      this.#queue = [];
      for (const [info, stats] of queue) this.#publish([info, stats]);
    } finally {
      this.#flushing = false;
    }
  }
}

/** One session's counters and triggers (the transport counts into it, see `Peer.countTraffic`). */
export class SessionStats implements TrafficMeter {
  /** Payload bytes since the last publication, both ways. */
  bytes = 0;
  /** Messages since the last publication, both ways. */
  messages = 0;
  /** Rated messages since the last publication (0 until the rated size is known). */
  ratedMessages = 0;

  #serializer: string;
  #clock: StatsClock;
  #resetAt: number;
  #cycle = 0;
  #first = true;
  /** Rated message size; 0 until `start()`. */
  #unit = 0;
  /** Sizes counted before `start()` (rated then). */
  #early: number[] | undefined;
  #afterRated = 0;
  #afterMs = 0;
  #onLeave = false;
  #info: Dict | undefined;
  #publisher: StatsPublisher | undefined;

  /**
   * @param serializer the transport's serializer name (`json`, `msgpack`, `cbor`)
   * @param clock milliseconds since the epoch; default `performance`'s
   */
  constructor(serializer: string, clock: StatsClock = defaultClock) {
    this.#serializer = serializer;
    this.#clock = clock;
    this.#resetAt = clock();
  }

  /** One serialized message of `bytes` payload octets, sent or received. */
  count(bytes: number): void {
    this.bytes += bytes;
    this.messages++;
    const unit = this.#unit;
    if (unit === 0) {
      if ((this.#early ??= []).length < MAX_EARLY) this.#early.push(bytes);
      return;
    }
    this.ratedMessages += Math.ceil(bytes / unit);
    const publisher = this.#publisher;
    if (publisher === undefined || publisher.publishing) return;
    if (
      (this.#afterRated > 0 && this.ratedMessages >= this.#afterRated) ||
      (this.#afterMs > 0 && this.#clock() - this.#resetAt >= this.#afterMs)
    ) {
      publisher.enqueue(this.#info!, this.take(false));
    }
  }

  /**
   * The session joined a realm with `config` (its WELCOME already counted):
   * rates what was counted so far, arms the triggers, and publishes the
   * first statistics with `triggerOnJoin`.
   */
  start(config: SessionStatsConfig, info: Dict, publisher: StatsPublisher): void {
    this.#unit = config.ratedMessageSize;
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) {
      for (const b of early) this.ratedMessages += Math.ceil(b / this.#unit);
    }
    this.#afterRated = config.triggerAfterRatedMessages;
    this.#afterMs = config.triggerAfterDuration * 1000;
    this.#onLeave = config.triggerOnLeave;
    this.#info = info;
    this.#publisher = publisher;
    if (config.triggerOnJoin) publisher.enqueue(info, this.take(false));
  }

  /** The session left: publishes the last statistics with `triggerOnLeave`; no trigger fires after. */
  stop(): void {
    const publisher = this.#publisher;
    this.#publisher = undefined;
    if (publisher !== undefined && this.#onLeave) publisher.enqueue(this.#info!, this.take(true));
  }

  /** Takes the counters as an `on_stats` record and resets them (Autobahn's `stats(reset=True)`). */
  take(last: boolean): Dict {
    const now = this.#clock();
    const stats: Dict = {
      cycle: ++this.#cycle,
      serializer: this.#serializer,
      timestamp: Math.round(this.#resetAt * 1e6),
      duration: Math.round((now - this.#resetAt) * 1e6),
      bytes: this.bytes,
      messages: this.messages,
      rated_messages: this.ratedMessages,
      first: this.#first,
      last,
    };
    this.#first = false;
    this.bytes = 0;
    this.messages = 0;
    this.ratedMessages = 0;
    this.#resetAt = now;
    return stats;
  }
}
