/**
 * The controller's end of a worker's frame channel: the worker's stdout
 * (frames in) and stdin (frames out) as a `Peer` of the controller's
 * management router. See `src/worker/stdio_frames.ts` for the framing.
 *
 * @module
 */

import type { RouterMessage } from "../wamp/messages.ts";
import type { Peer, PeerInfo, SessionAcceptor } from "../router/peer.ts";
import { FrameWriter, readFrames } from "../worker/stdio_frames.ts";

/** A frame channel attached to a router. */
export interface AttachedChannel {
  /** The peer the router sees. */
  readonly peer: Peer;
  /** Settles when the channel has ended (EOF, broken pipe, or `peer.close()`), with the reason. */
  readonly ended: Promise<string>;
}

/**
 * Attaches a worker's frame channel to `acceptor`: frames read from `input`
 * go to the session as received messages; messages the router sends are
 * written to `output`. Closing the peer closes `output` (the worker sees EOF
 * on its stdin and exits).
 */
export function attachFrameChannel(
  acceptor: SessionAcceptor,
  channel: {
    input: ReadableStream<Uint8Array>;
    output: WritableStream<Uint8Array>;
    info: PeerInfo;
  },
): AttachedChannel {
  let endReason: ((r: string) => void) | undefined;
  const ended = new Promise<string>((resolve) => (endReason = resolve));
  let open = true;
  let handleClosed = false;
  const writer = new FrameWriter(channel.output, (err) => {
    finish(`cannot write to the worker: ${err instanceof Error ? err.message : err}`);
  });
  const peer: Peer = {
    info: channel.info,
    send(msg: RouterMessage): void {
      if (open) writer.write(msg);
    },
    close(): void {
      if (!open) return;
      open = false;
      writer.close().then(() => finish("closed by the controller"));
    },
  };
  const handle = acceptor.attach(peer);
  function finish(reason: string): void {
    open = false;
    if (!handleClosed) {
      handleClosed = true;
      handle.closed();
    }
    endReason?.(reason);
  }
  readFrames(channel.input, (v) => {
    if (!handleClosed) handle.receive(v);
  }).then((err) => {
    if (err && !handleClosed) handle.protocolViolation(`frame channel: ${err.message}`);
    finish(err ? `frame channel broken: ${err.message}` : "the worker closed its stdout");
  });
  return { peer, ended };
}
