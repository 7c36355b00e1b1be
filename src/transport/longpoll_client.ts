/**
 * WAMP over HTTP long-poll, client side, on `fetch`: a `ClientTransport` for
 * `joinSession()`. Used by the transport contract suite and by clients that
 * cannot use WebSocket.
 *
 * - `open` negotiates the protocol; `send` requests go out one after the
 *   other (so the router sees them in order; with a batched protocol the
 *   messages sent in one turn share a request); one `receive` is kept
 *   pending at a time.
 * - Every received message is validated with `parseMessage`; an invalid one
 *   is a protocol violation by the router: ABORT, then close.
 * - `onclose` fires once: after `close()`, or when the server answers a
 *   request with an error (e.g. 404/410 once the transport is gone).
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { type SerializerName, serializers } from "../serializer/mod.ts";
import type { ClientTransport, ClientTransportInfo } from "../client/client_transport.ts";
import { decodeBody, encodeFrame, joinFrames, type LongPollProtocol } from "./longpoll_framing.ts";
import { contentTypeOf } from "./longpoll_framing.ts";

/** Options of `connectLongPoll`. */
export interface LongPollClientOptions {
  /** Serializer (default `json`). */
  serializer?: SerializerName;
  /** Use the batched protocol `wamp.2.<serializer>.batched` (default `false`). */
  batched?: boolean;
  /**
   * Milliseconds after which a request without an answer fails the transport.
   * Default 30000: longer than the server's `requestTimeout` (default 10 s).
   */
  requestTimeout?: number;
}

function noop(): void {}

/**
 * Opens a long-poll transport at `url` (the endpoint's base URL, e.g.
 * `http://127.0.0.1:8080/lp`). Rejects with an `Error` naming the URL when
 * `open` fails.
 */
export async function connectLongPoll(
  url: string | URL,
  options: LongPollClientOptions = {},
): Promise<LongPollClientTransport> {
  const base = String(url).replace(/\/+$/, "");
  const serializer = serializers[options.serializer ?? "json"];
  await serializer.load();
  const name = `wamp.2.${serializer.name}${options.batched ? ".batched" : ""}`;
  const timeout = options.requestTimeout ?? 30000;
  let res: Response;
  try {
    res = await fetch(`${base}/open`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ protocols: [name] }),
      signal: AbortSignal.timeout(timeout),
    });
  } catch (err) {
    throw new Error(`connectLongPoll(${base}): ${err instanceof Error ? err.message : err}`);
  }
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`connectLongPoll(${base}): open answered ${res.status}: ${text.trim()}`);
  }
  let answer: { transport?: unknown; protocol?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(
      `connectLongPoll(${base}): open answered something that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (typeof answer.transport !== "string" || answer.protocol !== name) {
    throw new Error(`connectLongPoll(${base}): unexpected open answer ${text.slice(0, 200)}`);
  }
  const protocol: LongPollProtocol = {
    name,
    serializer,
    batched: options.batched ?? false,
    contentType: contentTypeOf(serializer),
  };
  return new LongPollClientTransport(`${base}/${answer.transport}`, protocol, timeout);
}

/** A long-poll client transport (see the module doc). */
export class LongPollClientTransport implements ClientTransport {
  /** Facts about the connection. */
  readonly info: ClientTransportInfo;
  /** Called with every message from the router. */
  onmessage: (msg: Message) => void = noop;
  /** Called once when the transport is gone. */
  onclose: (reason?: string) => void = noop;
  /** Resolves once the transport is closed and none of its HTTP requests is in flight. */
  readonly done: Promise<void>;
  #polling: Promise<void>;
  #resolveDone!: () => void;
  #url: string;
  #protocol: LongPollProtocol;
  #timeout: number;
  #closed = false;
  #stop = new AbortController();
  #outbox: Uint8Array[] = [];
  #outboxBytes = 0;
  #sending: Promise<void> | undefined;
  #receiving = true;

  /** Internal: made by `connectLongPoll` for the transport at `url` (`<base>/<id>`). */
  constructor(url: string, protocol: LongPollProtocol, timeout: number) {
    this.#url = url;
    this.#protocol = protocol;
    this.#timeout = timeout;
    this.info = {
      type: "longpoll",
      serializer: protocol.serializer.name,
      url,
      protocol: protocol.name,
    };
    this.done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#polling = this.#poll();
  }

  /** True until the transport starts closing. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Bytes queued for `send` requests and not yet answered by the server. */
  get queuedBytes(): number {
    return this.#outboxBytes;
  }

  /** Queues `msg` for the next `send` request. Throws only when it cannot be encoded. */
  send(msg: Message): void {
    if (this.#closed) return;
    const frame = encodeFrame(this.#protocol, msg);
    this.#outbox.push(frame);
    this.#outboxBytes += frame.length;
    this.#sending ??= Promise.resolve().then(() => this.#pump());
  }

  /**
   * Stops polling after the `receive` in flight: from now on this client
   * reads nothing (a client that stops reading, for slow-consumer tests).
   */
  stopReceiving(): void {
    this.#receiving = false;
  }

  /** Sends what is queued, then closes the transport on the server. Idempotent. */
  close(): void {
    this.#end("closed by client", true);
  }

  async #pump(): Promise<void> {
    while (this.#outbox.length > 0 && !this.#closed) {
      const body = this.#protocol.batched
        ? joinFrames(this.#outbox.splice(0))
        : this.#outbox.shift()!;
      try {
        const res = await this.#post("send", body);
        const text = await res.text();
        this.#outboxBytes -= body.length;
        if (res.status !== 204) {
          this.#end(`send answered ${res.status}${text.trim() ? `: ${text.trim()}` : ""}`, false);
          break;
        }
      } catch (err) {
        this.#end(`send failed: ${err instanceof Error ? err.message : err}`, false);
        break;
      }
    }
    this.#sending = undefined;
  }

  async #poll(): Promise<void> {
    while (!this.#closed && this.#receiving) {
      let res: Response;
      let body: Uint8Array;
      try {
        res = await this.#post("receive");
        body = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        this.#end(`receive failed: ${err instanceof Error ? err.message : err}`, false);
        return;
      }
      if (this.#closed) return;
      if (res.status === 204) continue;
      if (res.status !== 200) {
        const text = new TextDecoder().decode(body).trim();
        this.#end(`receive answered ${res.status}${text ? `: ${text}` : ""}`, false);
        return;
      }
      let messages: Message[];
      try {
        messages = decodeBody(this.#protocol, body).map(parseMessage);
      } catch (err) {
        const text = `invalid message from the router: ${err instanceof Error ? err.message : err}`;
        this.send([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]);
        await Promise.resolve();
        this.#end(`protocol violation (${text})`, true);
        return;
      }
      for (const m of messages) {
        if (this.#closed) return;
        this.onmessage(m);
      }
    }
  }

  #post(op: string, body?: Uint8Array): Promise<Response> {
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#timeout)]);
    return fetch(`${this.#url}/${op}`, {
      method: "POST",
      headers: body ? { "content-type": this.#protocol.contentType } : undefined,
      body: body as Uint8Array<ArrayBuffer> | undefined,
      signal,
    });
  }

  #end(reason: string, tellServer: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    const sending = this.#sending ?? Promise.resolve();
    const finish = () => {
      this.#stop.abort();
      this.onclose(reason);
      Promise.all([sending, this.#polling]).catch(() => {}).then(() => this.#resolveDone());
    };
    if (!tellServer) {
      finish();
      return;
    }
    // Flush what is queued (e.g. a final ABORT or GOODBYE), then close on the server.
    (async () => {
      try {
        await sending;
        const pending = this.#outbox.splice(0);
        const bodies = this.#protocol.batched && pending.length > 0
          ? [joinFrames(pending)]
          : pending;
        for (const body of bodies) {
          const res = await fetch(`${this.#url}/send`, {
            method: "POST",
            body: body as Uint8Array<ArrayBuffer>,
            signal: AbortSignal.timeout(this.#timeout),
          });
          await res.body?.cancel();
        }
        const res = await fetch(`${this.#url}/close`, {
          method: "POST",
          signal: AbortSignal.timeout(this.#timeout),
        });
        await res.body?.cancel();
      } catch {
        // the server forgets the transport after its session timeout anyway
      }
    })().finally(finish);
  }
}
