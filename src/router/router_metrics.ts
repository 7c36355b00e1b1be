/**
 * The router's counters: what `src/metrics/` turns into Prometheus metrics.
 * Plain numbers and typed arrays, bumped in place on the hot path (no
 * allocation per message; call durations from a clock read once per event-loop
 * turn, `turnClock()`); read only when someone scrapes. The router owns them; nothing here touches `Deno.*`.
 *
 * - Per transport type (`Traffic`): messages received and sent by WAMP
 *   message type, protocol violations, slow-consumer closes, authentication
 *   failures by method. A session picks its transport's block once, when it
 *   is created.
 * - Per realm (`RealmMetrics`): sessions opened and closed (by transport type
 *   and close reason), calls routed, call errors by error URI, call
 *   durations, events published and delivered.
 *
 * Label values that come from peers (close reasons, error URIs,
 * authentication methods) are bounded: past `LABEL_LIMIT` distinct values a
 * counter adds to `"other"`, so no peer can grow the scrape without end.
 *
 * @module
 */

/** Distinct label values one `LabelledCounter` keeps before it adds to `"other"`. */
export const LABEL_LIMIT = 100;

/** Upper bounds (seconds) of the call duration histogram's buckets (+Inf is implied). */
export const CALL_DURATION_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
];

let turnNow = 0;
let turnStale = true;
const markStale = () => {
  turnStale = true;
};

/**
 * `performance.now()` read once per event-loop turn (job): the first call
 * in a turn reads the clock, later calls in the same turn get the same
 * value. Reading the clock costs ~300 ns in Deno, more than routing's own
 * bookkeeping, while a transport hands the router a whole batch of frames in
 * one turn; so call durations are measured to the start of the batch a
 * message came in.
 */
export function turnClock(): number {
  if (turnStale) {
    turnNow = performance.now();
    turnStale = false;
    queueMicrotask(markStale);
  }
  return turnNow;
}

/** Size of the per-type message arrays: WAMP type codes are below 128. */
export const MESSAGE_TYPE_SLOTS = 128;

/** A counter split by one label whose values are not known in advance (bounded). */
export class LabelledCounter {
  /** Counts by label value. */
  readonly values = new Map<string, number>();
  #limit: number;

  /** @param limit distinct values kept before adding to `"other"` (default `LABEL_LIMIT`) */
  constructor(limit = LABEL_LIMIT) {
    this.#limit = limit;
  }

  /** Adds `n` (default 1) for `label`. */
  inc(label: string, n = 1): void {
    const v = this.values.get(label);
    if (v !== undefined) {
      this.values.set(label, v + n);
      return;
    }
    if (this.values.size >= this.#limit) label = "other";
    this.values.set(label, (this.values.get(label) ?? 0) + n);
  }
}

/** A histogram with fixed buckets: counts per bucket (not cumulative), sum and count. */
export class Histogram {
  /** Upper bounds of the buckets, ascending (+Inf implied after the last). */
  readonly bounds: readonly number[];
  /** Observations per bucket; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  /** Sum of observed values. */
  sum = 0;
  /** Number of observations. */
  count = 0;

  /** @param bounds ascending upper bounds */
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value. */
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/** Counters of one transport type. */
export class Traffic {
  /** Messages received, by WAMP type code. */
  readonly received = new Float64Array(MESSAGE_TYPE_SLOTS);
  /** Messages sent, by WAMP type code. */
  readonly sent = new Float64Array(MESSAGE_TYPE_SLOTS);
  /** Sessions aborted for a protocol violation (bad message, wrong state, undecodable frame). */
  protocolViolations = 0;
  /** Sessions closed because the transport's outbound queue overflowed. */
  slowConsumers = 0;
  /** Handshakes the authenticator refused, by authentication method. */
  readonly authFailures = new LabelledCounter(32);
}

/** Counters of one realm. */
export class RealmMetrics {
  /** Sessions that joined, by transport type. */
  readonly sessionsOpened = new LabelledCounter(16);
  /** Sessions that left, by `<transport type>\n<close reason>`. */
  readonly sessionsClosed = new LabelledCounter();
  /** Calls routed to a callee (counted by the caller's router). */
  callsRouted = 0;
  /** ERRORs sent to callers for their CALLs, by error URI. */
  readonly callErrors = new LabelledCounter();
  /** Seconds from a routed CALL to its final RESULT or ERROR (or its end by cancel, timeout or leave). */
  readonly callDuration = new Histogram(CALL_DURATION_BUCKETS);
  /** PUBLISHes accepted from sessions of this router. */
  eventsPublished = 0;
  /** EVENTs sent to sessions of this router. */
  eventsDelivered = 0;

  /** A session left with `reason`. */
  sessionClosed(transport: string, reason: string): void {
    this.sessionsClosed.inc(`${transport}\n${reason}`);
  }
}

/** Authentication method names kept as label values; others count as `"other"`. */
const AUTH_METHODS = new Set([
  "anonymous",
  "ticket",
  "wampcra",
  "cryptosign",
  "scram",
  "tls",
  "cookie",
  "trusted",
]);

/** A known authentication method name, or `"other"`. */
export function authMethodLabel(method: unknown): string {
  return typeof method === "string" && AUTH_METHODS.has(method) ? method : "other";
}

/** The router-wide counters: one `Traffic` per transport type. */
export class RouterMetrics {
  /** Counters by transport type (`PeerInfo.type`). */
  readonly traffic = new Map<string, Traffic>();

  /** The counters of transport type `type` (created on first use). */
  trafficOf(type: string): Traffic {
    let t = this.traffic.get(type);
    if (t === undefined) {
      t = new Traffic();
      this.traffic.set(type, t);
    }
    return t;
  }
}
