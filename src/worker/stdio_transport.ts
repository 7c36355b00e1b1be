/**
 * The worker's end of its frame channel to the controller, as a WAMP
 * `ClientTransport`: the worker joins the controller's management realm over
 * its own stdin/stdout (see `stdio_frames.ts`).
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { ErrorUri } from "../wamp/uris.ts";
import type { ClientTransport, ClientTransportInfo } from "../client/client_transport.ts";
import { FrameWriter, readFrames } from "./stdio_frames.ts";

function noop(): void {}

/**
 * A `ClientTransport` over a pair of byte streams carrying frames: reads
 * from `input` (the worker's stdin), writes to `output` (its stdout).
 * `onclose` fires once when `input` ends (the controller closed the pipe or
 * died), when a write fails, or after `close()`.
 */
export function frameChannelTransport(
  input: ReadableStream<Uint8Array>,
  output: WritableStream<Uint8Array>,
): ClientTransport {
  return new FrameChannelTransport(input, output);
}

/** The worker's transport over its own stdin and stdout. */
export function stdioTransport(): ClientTransport {
  return new FrameChannelTransport(Deno.stdin.readable, Deno.stdout.writable);
}

class FrameChannelTransport implements ClientTransport {
  readonly info: ClientTransportInfo = { type: "stdio", serializer: "json" };
  onmessage: (msg: Message) => void = noop;
  onclose: (reason?: string) => void = noop;
  #writer: FrameWriter;
  #open = true;
  #closed = false;

  constructor(input: ReadableStream<Uint8Array>, output: WritableStream<Uint8Array>) {
    this.#writer = new FrameWriter(output, (err) => {
      this.#end(`cannot write to the controller: ${err instanceof Error ? err.message : err}`);
    });
    readFrames(input, (v) => this.#receive(v)).then((err) => {
      this.#end(err ? `frame channel broken: ${err.message}` : "the controller closed the channel");
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  send(msg: Message): void {
    if (!this.#open) return;
    this.#writer.write(msg);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#writer.close().then(() => this.#end("closed by the worker"));
  }

  #receive(value: unknown): void {
    if (this.#closed) return;
    let msg: Message;
    try {
      msg = parseMessage(value);
    } catch (err) {
      const text = `invalid message from the controller: ${
        err instanceof Error ? err.message : err
      }`;
      this.send([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]);
      this.close();
      return;
    }
    this.onmessage(msg);
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.#open = false;
    this.#closed = true;
    this.onclose(reason);
  }
}
