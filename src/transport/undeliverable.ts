/**
 * What a transport does with a router message it cannot deliver to its peer:
 * one that is larger than the transport's message limit, or that the peer's
 * serializer cannot encode (e.g. a BigInt for a JSON peer).
 *
 * The `Peer.send()` contract gives the transport no way to hand the message
 * back, and silently dropping it would leave a caller waiting forever. So the
 * transport answers in the router's place where WAMP defines an answer, and
 * otherwise ends the connection, which the router cleans up like any other
 * lost peer:
 *
 * | undeliverable message | plan |
 * |---|---|
 * | RESULT (to a caller) | `reply`: send `ERROR(CALL, id, {}, uri, [text])` instead |
 * | ERROR (to a requester) | `reply`: the same ERROR header with `uri` and no payload |
 * | INVOCATION (to a callee) | `inject`: feed `ERROR(INVOCATION, id, {}, uri, [text])` to the router as if the callee had answered, so the caller gets the error |
 * | EVENT (to a subscriber) | `drop`: the subscriber misses this one event (logged) |
 * | a router-link frame (code 100 and up, see `src/router/link/`) | `router`: hand it to `SessionHandle.undeliverable()`, which answers (a call) or drops (an event); close when the router has none |
 * | anything else (small router-made messages) | `close`: end the connection |
 *
 * A progressive RESULT is replaced like a final one: the caller sees the call
 * fail; later progress for that request id is ignored or rejected by the client.
 *
 * @module
 */

import type { ClientMessage, ErrorMsg, RouterMessage } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";

/** The transport's course of action for one undeliverable message. */
export type UndeliverablePlan =
  /** Send `message` to the same peer instead of the original. */
  | { kind: "reply"; message: RouterMessage }
  /**
   * Give `message` to the router (`SessionHandle.receive`) as if the peer had
   * sent it. Do it asynchronously (e.g. `queueMicrotask`), never from inside
   * `Peer.send()`, so the router is not re-entered during a routing decision.
   */
  | { kind: "inject"; message: ClientMessage }
  /** Drop the message (and log it). */
  | { kind: "drop" }
  /**
   * Only the router can answer (a router-link frame): call
   * `SessionHandle.undeliverable()` asynchronously; close when it has none.
   */
  | { kind: "router" }
  /** Close the connection. */
  | { kind: "close" };

/** Router-link frames (src/router/link/link_frames.ts) use codes from here on, above WAMP's. */
const LINK_FRAME_CODES = 100;

/**
 * Decides what to do with `msg`, which cannot be delivered.
 *
 * @param msg the message that could not be encoded or was too large
 * @param uri the error URI for the replacement ERROR, e.g.
 *   `wamp.error.payload_size_exceeded` for an oversize message
 * @param text a human-readable reason, sent as the replacement ERROR's `args[0]`
 */
export function planUndeliverable(
  msg: RouterMessage,
  uri: string,
  text: string,
): UndeliverablePlan {
  if (typeof msg[0] === "number" && msg[0] >= LINK_FRAME_CODES) return { kind: "router" };
  switch (msg[0]) {
    case MessageType.RESULT: {
      const reply: ErrorMsg = [MessageType.ERROR, MessageType.CALL, msg[1], {}, uri, [text]];
      return { kind: "reply", message: reply };
    }
    case MessageType.ERROR: {
      const reply: ErrorMsg = [MessageType.ERROR, msg[1], msg[2], {}, uri, [text]];
      return { kind: "reply", message: reply };
    }
    case MessageType.INVOCATION: {
      const answer: ErrorMsg = [MessageType.ERROR, MessageType.INVOCATION, msg[1], {}, uri, [text]];
      return { kind: "inject", message: answer };
    }
    case MessageType.EVENT:
      return { kind: "drop" };
    case MessageType.WELCOME:
    case MessageType.ABORT:
    case MessageType.CHALLENGE:
    case MessageType.GOODBYE:
    case MessageType.PUBLISHED:
    case MessageType.SUBSCRIBED:
    case MessageType.UNSUBSCRIBED:
    case MessageType.REGISTERED:
    case MessageType.UNREGISTERED:
    case MessageType.INTERRUPT:
      return { kind: "close" };
    default: {
      const never: never = msg;
      void never;
      return { kind: "close" };
    }
  }
}
