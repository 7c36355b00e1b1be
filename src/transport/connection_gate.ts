/**
 * Admission of incoming connections on one listener: at most
 * `maxConnections` open at once, and at most `maxConnectionsPerIp` from one
 * remote IP address. A listener asks the gate right after `accept()`; a
 * refused connection is closed at once (see `accept_loop.ts`), so a flood of
 * connections costs the process a bounded number of file descriptors.
 *
 * Refusals are logged at `warn`, throttled (`log_throttle.ts`): the first one
 * at once, then one summary line per interval with the count.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { LogThrottle } from "./log_throttle.ts";

/** Default `maxConnections` of a listener. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Default `maxConnectionsPerIp` of a listener. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 256;

/** How many connections a listener holds open. `0` means no limit. */
export interface ConnectionLimits {
  /** Most connections open at once on the listener. Default 10000; 0 = no limit. */
  maxConnections?: number;
  /** Most connections open at once from one remote IP address (TCP only). Default 256; 0 = no limit. */
  maxConnectionsPerIp?: number;
}

/** A taken place in the gate; `release()` gives it back (idempotent). */
export interface ConnectionSlot {
  /** Gives the place back. Calling it again does nothing. */
  release(): void;
}

/** Why the gate refused a connection. */
export type RefusalReason = "max_connections" | "max_connections_per_ip";

/** What the gate decided. */
export type Admission =
  | { ok: true; slot: ConnectionSlot }
  | { ok: false; reason: RefusalReason };

/** Options of a `ConnectionGate`. */
export interface ConnectionGateOptions {
  /** Where refusals are logged. */
  logger: Logger;
  /** Listener name in log lines, e.g. "websocket transport". */
  name: string;
  /** Transport id in log lines. */
  transportId?: string;
  /** Milliseconds between summary log lines. Default 10000. */
  logIntervalMs?: number;
}

/** Counts open connections per listener and per remote IP; admits or refuses new ones. */
export class ConnectionGate {
  /** Effective `maxConnections` (Infinity = no limit). */
  readonly maxConnections: number;
  /** Effective `maxConnectionsPerIp` (Infinity = no limit). */
  readonly maxConnectionsPerIp: number;
  /** Connections refused so far, by reason (for metrics). */
  readonly refused: Record<RefusalReason, number> = {
    max_connections: 0,
    max_connections_per_ip: 0,
  };
  #open = 0;
  #perIp = new Map<string, number>();
  #throttle: Record<RefusalReason, LogThrottle>;

  /** Checks `limits` (throws `RangeError` naming the bad one) and applies the defaults. */
  constructor(limits: ConnectionLimits, options: ConnectionGateOptions) {
    this.maxConnections = limitOf(
      "maxConnections",
      limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    );
    this.maxConnectionsPerIp = limitOf(
      "maxConnectionsPerIp",
      limits.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    );
    const fields = { transportId: options.transportId };
    const every = options.logIntervalMs ?? 10_000;
    this.#throttle = {
      max_connections: new LogThrottle(options.logger, every, {
        message: `${options.name}: connection refused, max_connections reached`,
        fields: { ...fields, max_connections: this.maxConnections },
      }),
      max_connections_per_ip: new LogThrottle(options.logger, every, {
        message: `${options.name}: connection refused, max_connections_per_ip reached`,
        fields: { ...fields, max_connections_per_ip: this.maxConnectionsPerIp },
      }),
    };
  }

  /** Connections open now. */
  get open(): number {
    return this.#open;
  }

  /** Connections open now from `ip` (as `ipOf` gives it). */
  openFrom(ip: string): number {
    return this.#perIp.get(ip) ?? 0;
  }

  /** Admits a connection from `remote`, or refuses it (and logs, throttled). */
  admit(remote: Deno.Addr): Admission {
    if (this.#open >= this.maxConnections) return this.#refuse("max_connections", remote);
    const ip = ipOf(remote);
    const fromIp = ip === undefined ? 0 : this.#perIp.get(ip) ?? 0;
    if (ip !== undefined && fromIp >= this.maxConnectionsPerIp) {
      return this.#refuse("max_connections_per_ip", remote);
    }
    this.#open++;
    if (ip !== undefined) this.#perIp.set(ip, fromIp + 1);
    return { ok: true, slot: new GateSlot(this, ip) };
  }

  /** For `GateSlot`: gives back a place taken by a connection from `ip`. */
  giveBack(ip: string | undefined): void {
    this.#open--;
    if (ip === undefined) return;
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }

  /** Stops pending summary log lines (call when the listener is closed). */
  close(): void {
    this.#throttle.max_connections.flush();
    this.#throttle.max_connections_per_ip.flush();
  }

  #refuse(reason: RefusalReason, remote: Deno.Addr): Admission {
    this.refused[reason]++;
    this.#throttle[reason].hit({ peer: ipOf(remote) ?? remote.transport });
    return { ok: false, reason };
  }
}

/**
 * The IP address a per-IP limit counts `addr` under: the host of a TCP
 * address (an IPv4-mapped IPv6 address counts as the IPv4 address), or
 * `undefined` for Unix sockets and the like.
 */
export function ipOf(addr: Deno.Addr): string | undefined {
  if (addr.transport !== "tcp" && addr.transport !== "udp") return undefined;
  const host = addr.hostname.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return mapped ? mapped[1] : host;
}

function limitOf(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: must be 0 (no limit) or a positive integer, got ${value}`);
  }
  return value === 0 ? Infinity : value;
}

/** A place in a gate, as one object with a method (no closure kept per connection: idle memory). */
class GateSlot implements ConnectionSlot {
  #gate: ConnectionGate | undefined;
  #ip: string | undefined;

  constructor(gate: ConnectionGate, ip: string | undefined) {
    this.#gate = gate;
    this.#ip = ip;
  }

  release(): void {
    const gate = this.#gate;
    if (gate === undefined) return;
    this.#gate = undefined;
    gate.giveBack(this.#ip);
  }
}
