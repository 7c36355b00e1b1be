/**
 * The accept loop every xbar listener runs (WebSocket, Web, RawSocket TCP,
 * Unix and TLS, the management socket): takes connections off a
 * `Deno.Listener`, admits them through a `ConnectionGate`, and survives
 * accept errors instead of ending (an uncaught accept error used to end the
 * worker process).
 *
 * - EMFILE / ENFILE (out of file descriptors): the process's spare
 *   descriptor (`fd_reserve.ts`) is given back, the next waiting connection
 *   is accepted with it and closed at once (refused), and the spare is taken
 *   again. Whenever a connection is accepted while the spare is not held and
 *   cannot be taken, that connection is closed to get the spare back. Without
 *   a spare the loop backs off (10 ms, doubling to 1 s). Already accepted
 *   connections keep working. Logged, throttled.
 * - Connection-level errors (aborted, reset before accept): skipped.
 * - Anything else: logged (throttled), backed off, retried.
 * - The listener closed (`BadResource`, `Interrupted`, or `stop()`): the
 *   loop ends.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { ConnectionGate, ConnectionSlot, RefusalReason } from "./connection_gate.ts";
import {
  holdReserveFd,
  releaseReserveFd,
  reserveFdHeld,
  reserveFdSupported,
} from "./fd_reserve.ts";
import { LogThrottle } from "./log_throttle.ts";

/** Options of `runAcceptLoop`. */
export interface AcceptLoopOptions<C extends Deno.Conn> {
  /** Admits or refuses each connection. */
  gate: ConnectionGate;
  /** Called with each admitted connection; it must `slot.release()` when the connection is gone. */
  onConnection: (conn: C, slot: ConnectionSlot) => void;
  /**
   * Called with a connection the gate refused, before it is closed: may write
   * a short refusal (an HTTP 503, a RawSocket error) and must resolve soon.
   * Default: close at once.
   */
  onRefused?: (conn: C, reason: RefusalReason) => Promise<void>;
  /** Where to log. */
  logger: Logger;
  /** Listener name in log lines. */
  name: string;
  /** Transport id in log lines. */
  transportId?: string;
}

/** A running accept loop. */
export interface AcceptLoop {
  /** Resolves when the loop has ended (after `stop()` or when the listener is closed). */
  readonly done: Promise<void>;
  /** Closes the listener and ends the loop. Idempotent. */
  stop(): Promise<void>;
  /** Accept failures for lack of file descriptors, so far (for metrics and tests). */
  readonly exhausted: number;
}

const MIN_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 1000;

/** True for the errors of running out of file descriptors (per process or system-wide). */
export function isFdExhaustion(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (code === "EMFILE" || code === "ENFILE") return true;
  const msg = err instanceof Error ? err.message : String(err);
  return /os error 2[34]\b|too many open files/i.test(msg);
}

function isConnectionLevel(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.ConnectionReset ||
    code === "ECONNABORTED" || code === "EPROTO";
}

/**
 * Writes a short refusal (`bytes`) to a connection about to be closed,
 * giving up after a second (a tiny write to a fresh socket does not block,
 * but nothing here may wait on a client). Never rejects.
 */
export async function writeBriefly(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      conn.write(bytes),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1000);
      }),
    ]);
  } catch {
    // the client is gone
  } finally {
    clearTimeout(timer);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Runs the accept loop on `listener` (see the module doc). */
export function runAcceptLoop<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  options: AcceptLoopOptions<C>,
): AcceptLoop {
  const { gate, logger, name, transportId } = options;
  let stopping = false;
  let exhausted = 0;
  const fields = { transportId };
  const fdLog = new LogThrottle(logger, 10_000, {
    message: `${name}: out of file descriptors (EMFILE), refusing new connections`,
    fields,
    level: "error",
  });
  const errLog = new LogThrottle(logger, 10_000, {
    message: `${name}: accept failed`,
    fields,
    level: "error",
  });
  holdReserveFd();

  const refuse = (conn: C, reason: RefusalReason) => {
    if (!options.onRefused) return closeQuietly(conn);
    options.onRefused(conn, reason).catch(() => {}).finally(() => closeQuietly(conn));
  };

  const loop = (async () => {
    let backoff = MIN_BACKOFF_MS;
    const spare = reserveFdSupported();
    while (!stopping) {
      let conn: C;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (
          stopping || err instanceof Deno.errors.BadResource ||
          err instanceof Deno.errors.Interrupted
        ) break;
        if (isConnectionLevel(err)) continue;
        if (isFdExhaustion(err)) {
          exhausted++;
          fdLog.hit();
          // With the spare descriptor free, the next accept takes the waiting
          // connection off the queue (and closes it, below).
          if (releaseReserveFd()) continue;
        } else {
          errLog.hit({ error: err instanceof Error ? err.message : String(err) });
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      backoff = MIN_BACKOFF_MS;
      if (stopping) {
        closeQuietly(conn);
        break;
      }
      if (spare && !reserveFdHeld() && !holdReserveFd()) {
        // Out of descriptors: this connection pays for the spare.
        closeQuietly(conn);
        holdReserveFd();
        continue;
      }
      let admission;
      try {
        admission = gate.admit(conn.remoteAddr);
      } catch {
        admission = { ok: false as const, reason: "max_connections" as const };
      }
      if (!admission.ok) {
        refuse(conn, admission.reason);
        continue;
      }
      try {
        options.onConnection(conn, admission.slot);
      } catch (err) {
        admission.slot.release();
        closeQuietly(conn);
        errLog.hit({ error: err instanceof Error ? err.message : String(err) });
      }
    }
    fdLog.flush();
    errLog.flush();
    gate.close();
  })();

  let stopped: Promise<void> | undefined;
  return {
    done: loop,
    get exhausted() {
      return exhausted;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        try {
          listener.close();
        } catch {
          // already closed
        }
        await loop;
      })();
      return stopped;
    },
  };
}
