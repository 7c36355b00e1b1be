/**
 * Answering a request with ERROR.
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import type { Party } from "./party.ts";

/**
 * Sends `[ERROR, type, request, {}, uri, args?, kwargs?]`; a `message` string becomes
 * args[0] when no args are given.
 */
export function sendError(
  session: Party,
  requestType: number,
  request: number,
  uri: string,
  message?: string,
  payload: { args?: List; kwargs?: Dict } = {},
): void {
  const args = payload.args ?? (message !== undefined ? [message] : undefined);
  const msg: unknown[] = [MessageType.ERROR, requestType, request, {}, uri];
  if (payload.kwargs !== undefined) msg.push(args ?? [], payload.kwargs);
  else if (args !== undefined) msg.push(args);
  session.send(msg as never);
}
