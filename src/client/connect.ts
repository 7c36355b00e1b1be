/**
 * One call from a URL to a joined session.
 *
 * @module
 */

import { connectWebSocket, type WebSocketOptions } from "./websocket_transport.ts";
import { type JoinOptions, joinSession } from "./join_session.ts";
import type { Session } from "./session.ts";

/** Options of `connect`: WebSocket options plus join options. */
export interface ConnectOptions extends WebSocketOptions, JoinOptions {}

/** Connects to `url` over WebSocket and joins `realm`. */
export async function connect(
  url: string | URL,
  realm: string,
  options: ConnectOptions = {},
): Promise<Session> {
  const transport = await connectWebSocket(url, options);
  return await joinSession(transport, realm, options);
}
