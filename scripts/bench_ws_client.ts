/**
 * A lean WebSocket client for load generation in `deno task bench`: the
 * client side of RFC 6455 over `Deno.connect`, writes coalesced per
 * event-loop turn, reads parsed in batches. Deno's own WebSocket client
 * costs as much CPU per message as the servers measured, so with it the
 * driver, not the server, sets the pace; this one costs a fraction.
 *
 * Not a general client: the masking key is all zero (valid on the wire, and
 * it saves the XOR; a load generator needs no protection against cache
 * poisoning), no fragmentation, no extensions, close without handshake.
 *
 * @module
 */

import type { ClientTransport, ClientTransportInfo } from "../src/client/client_transport.ts";
import type { Serializer } from "../src/serializer/serializer.ts";
import type { Message } from "../src/wamp/messages.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One lean client WebSocket. */
export class LeanWebSocket {
  /** Called with each text (string) or binary (Uint8Array) message. */
  onmessage: (data: string | Uint8Array) => void = () => {};
  #conn: Deno.Conn;
  #out: Uint8Array[] = [];
  #outLen = 0;
  #scheduled = false;
  #writing = false;
  #closed = false;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects and upgrades; resolves once the 101 arrived. */
  static async open(port: number, path: string, protocol?: string): Promise<LeanWebSocket> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    let req = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    if (protocol) req += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
    await conn.write(encoder.encode(req + "\r\n"));
    const buf = new Uint8Array(256 * 1024);
    let end = 0;
    let head = -1;
    while (head < 0) {
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("connection closed during the upgrade");
      end += n;
      head = decoder.decode(buf.subarray(0, end)).indexOf("\r\n\r\n");
    }
    const status = decoder.decode(buf.subarray(0, 12));
    if (!status.includes(" 101")) throw new Error(`upgrade refused: ${status}`);
    const ws = new LeanWebSocket(conn);
    ws.#readLoop(buf, head + 4, end);
    return ws;
  }

  /** Queues one message (text for strings). */
  send(data: string | Uint8Array): void {
    if (this.#closed) return;
    const text = typeof data === "string";
    const payload = text ? encoder.encode(data) : data;
    const n = payload.length;
    const h = n < 126 ? 6 : n < 65536 ? 8 : 14;
    const frame = new Uint8Array(h + n);
    frame[0] = 0x80 | (text ? 1 : 2);
    if (n < 126) frame[1] = 0x80 | n;
    else if (n < 65536) {
      frame[1] = 0x80 | 126;
      frame[2] = n >>> 8;
      frame[3] = n & 0xff;
    } else {
      frame[1] = 0x80 | 127;
      new DataView(frame.buffer).setUint32(6, n);
    }
    frame.set(payload, h); // zero mask: payload as is
    this.#out.push(frame);
    this.#outLen += frame.length;
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Drops the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    this.#writing = true;
    try {
      while (this.#outLen > 0 && !this.#closed) {
        const batch = new Uint8Array(this.#outLen);
        let at = 0;
        for (const f of this.#out) {
          batch.set(f, at);
          at += f.length;
        }
        this.#out = [];
        this.#outLen = 0;
        let off = 0;
        while (off < batch.length) off += await this.#conn.write(batch.subarray(off));
      }
    } catch {
      this.close();
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(buf: Uint8Array, start: number, end: number): Promise<void> {
    try {
      for (;;) {
        // Parse every whole frame.
        for (;;) {
          const live = end - start;
          if (live < 2) break;
          let len = buf[start + 1] & 0x7f;
          let h = 2;
          if (len === 126) {
            if (live < 4) break;
            len = (buf[start + 2] << 8) | buf[start + 3];
            h = 4;
          } else if (len === 127) {
            if (live < 10) break;
            len = new DataView(buf.buffer, start + 6, 4).getUint32(0);
            h = 10;
          }
          if (live < h + len) break;
          const op = buf[start] & 0x0f;
          const payload = buf.subarray(start + h, start + h + len);
          start += h + len;
          if (op === 1) this.onmessage(decoder.decode(payload));
          else if (op === 2) this.onmessage(payload.slice());
          else if (op === 8) {
            this.close();
            return;
          }
        }
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        if (end === buf.length) {
          const grown = new Uint8Array(buf.length * 2);
          grown.set(buf);
          buf = grown;
        }
        const n = await this.#conn.read(buf.subarray(end));
        if (n === null) break;
        end += n;
      }
    } catch {
      // closed
    }
    this.close();
  }
}

/** A `ClientTransport` over `LeanWebSocket` (for the bench's raw WAMP peers). */
export async function connectLean(
  port: number,
  path: string,
  serializer: Serializer,
): Promise<ClientTransport> {
  const ws = await LeanWebSocket.open(port, path, `wamp.2.${serializer.name}`);
  const info: ClientTransportInfo = { type: "websocket", serializer: serializer.name };
  const t: ClientTransport = {
    info,
    isOpen: true,
    send(msg: Message) {
      ws.send(serializer.encode(msg) as string | Uint8Array);
    },
    close() {
      ws.close();
    },
    onmessage: () => {},
    onclose: () => {},
  };
  ws.onmessage = (data) => t.onmessage(serializer.decode(data) as Message);
  return t;
}
