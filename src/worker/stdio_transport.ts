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
  options: FrameChannelOptions = {},
): ClientTransport {
  return new FrameChannelTransport(input, output, options);
}

/** Options of `frameChannelTransport` and `stdioTransport`. */
export interface FrameChannelOptions {
  /**
   * The first frame is not a WAMP message but the worker's boot config
   * (`--boot stdin`): it goes here, once; with undefined when the channel
   * ends before it.
   */
  first?: (value: unknown) => void;
}

/** The worker's transport over its own stdin and stdout. */
export function stdioTransport(options: FrameChannelOptions = {}): ClientTransport {
  return new FrameChannelTransport(Deno.stdin.readable, Deno.stdout.writable, options);
}

class FrameChannelTransport implements ClientTransport {
  readonly info: ClientTransportInfo = { type: "stdio", serializer: "json" };
  onmessage: (msg: Message) => void = noop;
  onclose: (reason?: string) => void = noop;
  #writer: FrameWriter;
  #open = true;
  #closed = false;
  #first: ((value: unknown) => void) | undefined;

  constructor(
    input: ReadableStream<Uint8Array>,
    output: WritableStream<Uint8Array>,
    options: FrameChannelOptions,
  ) {
    this.#first = options.first;
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
    const first = this.#first;
    if (first) {
      this.#first = undefined;
      first(value);
      return;
    }
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
    const first = this.#first;
    this.#first = undefined;
    first?.(undefined);
    this.onclose(reason);
  }
}
