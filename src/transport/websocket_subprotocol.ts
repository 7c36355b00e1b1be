/**
 * WAMP WebSocket subprotocol negotiation (`wamp.2.json`, `wamp.2.msgpack`,
 * `wamp.2.cbor`).
 *
 * The spec: "The WAMP protocol MUST BE negotiated during the WebSocket opening
 * handshake between Peers using the WebSocket subprotocol negotiation
 * mechanism" (WAMP, WebSocket Transport). So:
 *
 * - The **client's order wins**: the first subprotocol in the client's
 *   `Sec-WebSocket-Protocol` offer that the endpoint supports is chosen. RFC
 *   6455 lets the server pick any offered value; Autobahn|Python (Crossbar's
 *   WebSocket layer) walks the client's list in order, and so do we, so a
 *   client that prefers msgpack gets msgpack.
 * - An offer with **no supported subprotocol** is refused (HTTP 400).
 * - **No offer at all** is refused too (the spec says MUST negotiate), unless
 *   the endpoint sets `requireSubprotocol: false`: then the connection speaks
 *   JSON without announcing a subprotocol, like Autobahn's
 *   `require_websocket_subprotocol=False`, for clients that cannot set one.
 *
 * @module
 */

import type { Serializer } from "../serializer/serializer.ts";

/** The subprotocol name of a serializer: `wamp.2.<name>`. */
export function subprotocolOf(serializer: Serializer): string {
  return `wamp.2.${serializer.name}`;
}

/** Splits a `Sec-WebSocket-Protocol` header into its values, in order (empty for null). */
export function parseSubprotocols(header: string | null): string[] {
  if (header === null) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p.length > 0);
}

/** The outcome of negotiation. */
export type SubprotocolChoice =
  /** Use `serializer`; answer with `protocol` (undefined: announce none). */
  | { ok: true; serializer: Serializer; protocol: string | undefined }
  /** Refuse the upgrade: `reason` is a human-readable explanation for the HTTP 400 body. */
  | { ok: false; reason: string };

/**
 * Chooses the serializer for a connection.
 *
 * @param offered the client's subprotocols, in its order of preference
 * @param supported the endpoint's serializers (must be non-empty)
 * @param options `requireSubprotocol` (default true): when false and the
 *   client offers nothing, JSON is used if supported, without announcing it
 */
export function chooseSubprotocol(
  offered: readonly string[],
  supported: readonly Serializer[],
  options: { requireSubprotocol?: boolean } = {},
): SubprotocolChoice {
  for (const protocol of offered) {
    const serializer = supported.find((s) => subprotocolOf(s) === protocol);
    if (serializer) return { ok: true, serializer, protocol };
  }
  const ours = supported.map(subprotocolOf).join(", ");
  if (offered.length === 0) {
    const json = supported.find((s) => s.name === "json");
    if (options.requireSubprotocol === false && json) {
      return { ok: true, serializer: json, protocol: undefined };
    }
    return {
      ok: false,
      reason: `no WebSocket subprotocol offered; this WAMP endpoint speaks ${ours}`,
    };
  }
  let theirs = offered.join(", ");
  if (theirs.length > 200) theirs = `${theirs.slice(0, 200)}...`;
  return {
    ok: false,
    reason: `none of the offered WebSocket subprotocols (${theirs}) is supported; ` +
      `this WAMP endpoint speaks ${ours}`,
  };
}
