/**
 * A client transport in raw mode as the `DialWire` a router link is dialed
 * over (`LinkManager.dial`): every decoded frame goes to the link as it is
 * (the handshake's WAMP messages, then link frames), and the transport's
 * queued bytes tell the link when it is congested. A frame the transport
 * refuses (over the peer's size limit: `RangeError`; not encodable) throws
 * out of `send`, as `LinkWire.send` allows: the link answers for it.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import type { DialWire } from "../router/link/link_manager.ts";

/**
 * Puts `transport` in raw mode and wraps it as a `DialWire`.
 *
 * @throws Error when the transport cannot carry raw frames
 */
export function clientDialWire(transport: ClientTransport): DialWire {
  if (!("onraw" in transport)) {
    throw new Error(`the ${transport.info.type} client transport cannot carry router link frames`);
  }
  const wire: DialWire = {
    onvalue: () => {},
    onclose: () => {},
    send: (frame) => transport.send(frame as unknown as Message),
    close: () => transport.close(),
    queuedBytes: () => transport.queuedBytes ?? 0,
  };
  transport.onraw = (value) => wire.onvalue(value);
  transport.onclose = (reason) => wire.onclose(reason ?? "connection closed");
  return wire;
}
