/**
 * The client side of the management API, for `xbar status`, `xbar stop` and
 * tools: a WAMP session on the node's management realm over its Unix socket.
 *
 * ```ts
 * const s = await connectManagement("/srv/node/.crossbar/node.sock");
 * const { args: [status] } = await s.call("xbar.get_status");
 * await s.leave();
 * ```
 *
 * @module
 */

import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { joinSession } from "../client/join_session.ts";
import type { Session } from "../client/session.ts";
import { MANAGEMENT_REALM } from "../worker/management_uris.ts";

/** Joins the management realm of the node whose socket is `socketPath`. Rejects when nothing answers there. */
export async function connectManagement(
  socketPath: string,
  options: { timeoutMs?: number } = {},
): Promise<Session> {
  const transport = await connectRawSocket({ transport: "unix", path: socketPath }, {
    serializer: "json",
    handshakeTimeoutMs: options.timeoutMs ?? 5000,
  });
  return await joinSession(transport, MANAGEMENT_REALM, { agent: "xbar-cli", leaveTimeout: 1000 });
}
