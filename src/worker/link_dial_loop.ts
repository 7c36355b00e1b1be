/**
 * Keeps one router link dialed: connect, run the link handshake
 * (`LinkManager.dial`), wait for the link to end, wait a backoff with
 * jitter, and again — until stopped. How to reach the peer is a function
 * (`connect`), so the same loop serves the Unix-socket links between the
 * router workers of a node and links to other nodes over TCP or WebSocket.
 *
 * Backoff: the n-th failed attempt in a row waits
 * `min(initialDelayMs * multiplier^(n-1), maxDelayMs)`, scaled by a random
 * factor in [1 - jitter, 1 + jitter] so that routers that lost a peer at the
 * same moment do not redial it in step. A link that was established resets
 * the count: after it ends the next attempt waits `initialDelayMs` (with
 * jitter).
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { LinkEndpoint } from "../router/link/link.ts";
import type { DialOptions, DialWire, LinkManager } from "../router/link/link_manager.ts";
import { DuplicateLinkError } from "../router/link/link_manager.ts";

/** What a dial loop is doing. */
export type DialState = "connecting" | "up" | "backoff" | "standby" | "stopped";

/** Options of `startDialLoop`. */
export interface DialLoopOptions {
  /** Opens a new connection to the peer (e.g. `connectRawSocket` + `clientDialWire`). */
  connect: () => Promise<DialWire>;
  /** The link to ask for. */
  dial: DialOptions;
  /** A name for the peer in logs and status (e.g. its router id, or its address). */
  peer: string;
  /** Where to log. */
  logger: Logger;
  /** Delay after the first failure, ms. Default 100. */
  initialDelayMs?: number;
  /** Longest delay, ms. Default 5000. */
  maxDelayMs?: number;
  /** Growth per failure in a row. Default 2. */
  multiplier?: number;
  /** Relative jitter, 0-1. Default 0.5. */
  jitter?: number;
  /** Called each time a link is established. */
  onLink?: (link: LinkEndpoint) => void;
  /**
   * Checked before each attempt: while true the loop does not dial (state
   * `standby`, checked again every `maxDelayMs`), e.g. because the peer is
   * already linked over a connection it dialed itself.
   */
  skip?: () => boolean;
  /**
   * Called when the peer refused the dial because the two routers are
   * already linked (over a connection the peer dialed), with the router the
   * peer says it is: a loop's `skip` can then wait for that link to end.
   */
  onDuplicate?: (peerRouter: string | undefined) => void;
}

/** Status of a dial loop, for the management API. */
export interface DialStatus {
  /** Realm. */
  realm: string;
  /** Peer name (see `DialLoopOptions.peer`). */
  peer: string;
  /** What the loop is doing. */
  state: DialState;
  /** Failed attempts since the last established link. */
  failures: number;
  /** Why the last attempt or link ended. */
  last_error?: string;
  /** Since when the state holds (ISO 8601). */
  since: string;
}

/** A running dial loop. */
export interface DialLoop {
  /** The link while it is up. */
  readonly link: LinkEndpoint | undefined;
  /** Status. */
  status(): DialStatus;
  /** Redials now if waiting in backoff (the peer is known to be back). */
  nudge(): void;
  /**
   * Closes the current connection (the peer is known to be gone) and goes on
   * redialing; true when there was one.
   */
  drop(): boolean;
  /** Stops the loop and closes its link (with `reason`). Resolves once the loop has ended. */
  stop(reason?: string): Promise<void>;
}

/** Starts a loop that keeps a link to one peer for one realm. */
export function startDialLoop(manager: LinkManager, options: DialLoopOptions): DialLoop {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const multiplier = options.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const log = options.logger;
  let state: DialState = "connecting";
  let since = new Date().toISOString();
  let failures = 0;
  let lastError: string | undefined;
  let link: LinkEndpoint | undefined;
  let current: DialWire | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setState = (s: DialState) => {
    state = s;
    since = new Date().toISOString();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        timer = undefined;
        wake = undefined;
        resolve();
      };
      timer = setTimeout(() => wake?.(), ms);
    });
  const delay = () => {
    const base = failures === 0 ? initial : Math.min(initial * multiplier ** (failures - 1), max);
    return Math.round(base * (1 - jitter + 2 * jitter * Math.random()));
  };

  /** One connection: resolves when it has ended; true when a link was established on it. */
  const once = async (): Promise<boolean> => {
    const raw = await options.connect();
    if (stopped) {
      raw.close();
      return false;
    }
    let ended!: (reason: string) => void;
    const end = new Promise<string>((resolve) => (ended = resolve));
    // The loop sees the end of the connection whoever ends it (link, peer, network).
    const proxy: DialWire = {
      onvalue: () => {},
      onclose: () => {},
      send: (frame) => raw.send(frame),
      close: () => raw.close(),
      queuedBytes: () => raw.queuedBytes(),
    };
    raw.onvalue = (v) => proxy.onvalue(v);
    raw.onclose = (reason) => {
      proxy.onclose(reason);
      ended(reason ?? "connection closed");
    };
    current = raw;
    try {
      link = await manager.dial(proxy, options.dial);
      if (stopped) {
        link.close("link removed");
        return true;
      }
      setState("up");
      failures = 0;
      lastError = undefined;
      options.onLink?.(link);
      lastError = await end;
      return true;
    } finally {
      current = undefined;
      link = undefined;
    }
  };

  const done = (async () => {
    while (!stopped) {
      if (options.skip?.()) {
        if ((state as DialState) !== "standby") setState("standby");
        await sleep(max);
        continue;
      }
      setState("connecting");
      try {
        await once();
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        if (err instanceof DuplicateLinkError) {
          // Not a failure: the link this loop would make exists already.
          log.log("debug", "router link: already linked; dialing again when that link ends", {
            realm: options.dial.realm,
            peer: options.peer,
            router: err.peerRouter,
          });
          options.onDuplicate?.(err.peerRouter);
          if (stopped) break;
          setState("backoff");
          await sleep(max);
          continue;
        }
        failures++;
        log.log(failures === 1 ? "info" : "debug", "router link: dial failed; retrying", {
          realm: options.dial.realm,
          peer: options.peer,
          attempt: failures,
          error: lastError,
        });
      }
      if (stopped) break;
      setState("backoff");
      await sleep(delay());
    }
    setState("stopped");
  })();

  return {
    get link() {
      return link;
    },
    status: () => ({
      realm: options.dial.realm,
      peer: options.peer,
      state,
      failures,
      ...(lastError !== undefined ? { last_error: lastError } : {}),
      since,
    }),
    nudge() {
      if (state === "backoff" || state === "standby") wake?.();
    },
    drop() {
      if (!current) return false;
      current.close();
      return true;
    },
    async stop(reason = "link removed") {
      if (!stopped) {
        stopped = true;
        link?.close(reason);
        current?.close();
        wake?.();
      }
      await done;
    },
  };
}
