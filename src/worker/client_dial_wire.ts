/**
 * A client transport in raw mode as the `DialWire` a router link is dialed
 * over (`LinkManager.dial`): every decoded frame goes to the link as it is
 * (the handshake's WAMP messages, then link frames), sends are never thrown
 * out of (`LinkWire.send` never throws), and the transport's queued bytes
 * tell the link when it is congested.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import type { DialWire } from "../router/link/link_manager.ts";

/**
 * Puts `transport` in raw mode and wraps it as a `DialWire`. A frame the
 * transport refuses to send (over the peer's size limit, not encodable)
 * closes the connection: the link drops its state and answers what was in
 * flight, rather than losing one frame of a stream that must stay in order.
 *
 * @throws Error when the transport cannot carry raw frames
 */
export function clientDialWire(transport: ClientTransport): DialWire {
  if (!("onraw" in transport)) {
    throw new Error(`the ${transport.info.type} client transport cannot carry router link frames`);
  }
  let failure: string | undefined;
  const wire: DialWire = {
    onvalue: () => {},
    onclose: () => {},
    send(frame: unknown[]): void {
      try {
        transport.send(frame as unknown as Message);
      } catch (err) {
        failure = `cannot send a router link frame: ${err instanceof Error ? err.message : err}`;
        transport.close();
      }
    },
    close(): void {
      transport.close();
    },
    queuedBytes(): number {
      return transport.queuedBytes ?? 0;
    },
  };
  transport.onraw = (value) => wire.onvalue(value);
  transport.onclose = (reason) => wire.onclose(failure ?? reason ?? "connection closed");
  return wire;
}
