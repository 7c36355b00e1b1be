/**
 * WAMP over WebSocket, client side, on the runtime's global `WebSocket`.
 *
 * The subprotocol (`wamp.2.json`, `wamp.2.msgpack`, `wamp.2.cbor`) picks the
 * serializer. Every frame is decoded and validated with `parseMessage`; a
 * frame that fails either is a protocol violation by the router: the client
 * sends ABORT `wamp.error.protocol_violation` and closes.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { ErrorUri } from "../wamp/uris.ts";
import {
  type Serializer,
  serializerForSubprotocol,
  type SerializerName,
  serializers,
  subprotocolOf,
} from "../serializer/mod.ts";
import type { ClientTransport, ClientTransportInfo } from "./client_transport.ts";

/** Options of `connectWebSocket`. */
export interface WebSocketOptions {
  /** Serializer to offer (default `json`): subprotocol `wamp.2.<serializer>`. */
  serializer?: SerializerName;
  /**
   * Subprotocols to offer instead, in order of preference, e.g.
   * `["wamp.2.cbor", "wamp.2.json"]`; the one the server picks decides the
   * serializer.
   */
  protocols?: string[];
}

function noop(): void {}

function errorText(ev: Event): string {
  const message = (ev as ErrorEvent).message;
  return typeof message === "string" && message !== "" ? `: ${message}` : "";
}

/**
 * Opens a WebSocket to `url` offering WAMP subprotocols and resolves with the
 * connected transport. Rejects with an `Error` naming the URL when the
 * connection fails, or when the server accepts no subprotocol or one that
 * was not offered.
 */
export async function connectWebSocket(
  url: string | URL,
  options: WebSocketOptions = {},
): Promise<ClientTransport> {
  const offered = options.protocols ?? [subprotocolOf(serializers[options.serializer ?? "json"])];
  const where = String(url);
  // Every serializer the server may pick is ready before its first message.
  await Promise.all(offered.map((p) => serializerForSubprotocol(p)?.load()));
  return await new Promise<ClientTransport>((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, offered);
    } catch (err) {
      reject(new Error(`connectWebSocket(${where}): ${err instanceof Error ? err.message : err}`));
      return;
    }
    ws.binaryType = "arraybuffer";
    let failure = "";
    ws.onerror = (ev) => {
      failure = errorText(ev);
    };
    ws.onclose = (ev) => {
      reject(
        new Error(
          `connectWebSocket(${where}): connection failed${failure}` +
            (ev.code !== 1006 || ev.reason
              ? ` (close code ${ev.code}${ev.reason ? `, ${ev.reason}` : ""})`
              : ""),
        ),
      );
    };
    ws.onopen = () => {
      const picked = ws.protocol;
      const serializer = offered.includes(picked) ? serializerForSubprotocol(picked) : undefined;
      if (serializer === undefined) {
        ws.onclose = noop;
        ws.onerror = noop;
        ws.close(1000, "no WAMP subprotocol"); // 1002 is not allowed from script
        reject(
          new Error(
            `connectWebSocket(${where}): the server ${
              picked === "" ? "selected no subprotocol" : `selected subprotocol "${picked}"`
            }; offered ${offered.join(", ")}`,
          ),
        );
        return;
      }
      resolve(new WebSocketClientTransport(ws, serializer, where, picked));
    };
  });
}

class WebSocketClientTransport implements ClientTransport {
  readonly info: ClientTransportInfo;
  onmessage: (msg: Message) => void = noop;
  onraw: ((value: unknown) => void) | undefined = undefined;
  onclose: (reason?: string) => void = noop;
  #ws: WebSocket;
  #serializer: Serializer;
  #closing = false;
  #reason = "";

  constructor(ws: WebSocket, serializer: Serializer, url: string, protocol: string) {
    this.#ws = ws;
    this.#serializer = serializer;
    this.info = { type: "websocket", serializer: serializer.name, url, protocol };
    ws.onmessage = (ev: MessageEvent) => this.#receive(ev.data);
    ws.onerror = (ev) => {
      if (this.#reason === "") this.#reason = `WebSocket error${errorText(ev)}`;
    };
    ws.onclose = (ev: CloseEvent) => {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      this.#closing = true;
      const detail = `WebSocket closed (code ${ev.code}${ev.reason ? `, ${ev.reason}` : ""})`;
      this.onclose(this.#reason !== "" ? `${this.#reason}; ${detail}` : detail);
    };
  }

  get queuedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === WebSocket.OPEN;
  }

  send(msg: Message): void {
    if (this.#closing || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(this.#serializer.encode(msg));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.close(1000);
  }

  #receive(data: unknown): void {
    if (this.#closing) return;
    let msg: Message;
    try {
      const frame = typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer);
      const value = this.#serializer.decode(frame);
      if (this.onraw) {
        this.onraw(value);
        return;
      }
      msg = parseMessage(value);
    } catch (err) {
      const text = `invalid message from the router: ${err instanceof Error ? err.message : err}`;
      this.#reason = `protocol violation (${text})`;
      this.send([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]);
      this.close();
      return;
    }
    this.onmessage(msg);
  }
}
