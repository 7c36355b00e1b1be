/**
 * WAMP over RawSocket, client side: TCP (optionally TLS) or a Unix domain
 * socket, with the same write coalescing as the router (every message sent
 * in one turn of the event loop leaves in one write).
 *
 * ```ts
 * const transport = await connectRawSocket(
 *   { transport: "tcp", hostname: "127.0.0.1", port: 8081 },
 *   { serializer: "msgpack" },
 * );
 * const session = await joinSession(transport, "realm1");
 * ```
 *
 * Rules it keeps (besides the `ClientTransport` contract):
 * - The router's announced limit is respected: `send()` throws a
 *   `RangeError` for a message over it (so the call or publish fails), and
 *   a frame over OUR limit, a reserved frame type, or a message that is not
 *   valid WAMP closes the connection (ABORT `wamp.error.protocol_violation`
 *   first for invalid WAMP).
 * - PING is answered with PONG; PONG is ignored.
 * - The outbound queue is bounded (`maxOutboundBytes`): a router that stops
 *   reading closes the transport with a reason instead of growing memory.
 *
 * @module
 */

import type { Message } from "../wamp/messages.ts";
import { MessageType } from "../wamp/messages.ts";
import { parseMessage } from "../wamp/parse.ts";
import { ErrorUri } from "../wamp/uris.ts";
import { type Serializer, type SerializerName, serializers } from "../serializer/mod.ts";
import { RawSocketFrameReader } from "../transport/rawsocket_frame_reader.ts";
import { RawSocketWriter } from "../transport/rawsocket_writer.ts";
import {
  encodeHandshake,
  FRAME_HEADER_LENGTH,
  FrameType,
  HANDSHAKE_LENGTH,
  MAX_LENGTH_EXPONENT,
  maxMessageSizeOf,
  parseHandshakeReply,
} from "../transport/rawsocket_protocol.ts";
import type { ClientTransport, ClientTransportInfo } from "./client_transport.ts";

/** Where to connect: a TCP host and port, or a Unix socket path. */
export type RawSocketTarget =
  | {
    /** TCP (TLS when `options.tls` is set). */
    transport: "tcp";
    /** Host name or address. */
    hostname: string;
    /** Port. */
    port: number;
  }
  | {
    /** Unix domain socket. */
    transport: "unix";
    /** Socket path. */
    path: string;
  };

/** TLS settings of a RawSocket client. */
export interface RawSocketTlsOptions {
  /**
   * Extra trusted CA certificates (PEM), e.g. a self-signed server
   * certificate. Default: the system roots. The server certificate is
   * verified against the target's `hostname`.
   */
  caCerts?: string[];
}

/** Options of `connectRawSocket`. */
export interface RawSocketClientOptions {
  /** Serializer to request. Default `json`. */
  serializer?: SerializerName;
  /**
   * Exponent nibble announced to the router: we accept messages up to
   * `2^(9+n)` bytes. 0-15; default 15 (16 MiB).
   */
  maxLengthExponent?: number;
  /** Connect over TLS (TCP only): `true` for the system roots, or settings. Default: plain. */
  tls?: boolean | RawSocketTlsOptions;
  /** Milliseconds allowed for connecting and the router's handshake reply. Default 10000. */
  handshakeTimeoutMs?: number;
  /** Bound of the outbound queue in bytes; over it the transport closes. Default 64 MiB. */
  maxOutboundBytes?: number;
  /** Milliseconds `close()` waits for queued messages to be written. Default 1000. */
  closeTimeoutMs?: number;
}

/** The router answered the RawSocket handshake with an error (or something that is not a reply). */
export class RawSocketHandshakeError extends Error {
  /** The router's error code (1 serializer unsupported, 2 length unacceptable, 3 reserved bits, 4 connection limit), when it sent one. */
  readonly code: number | undefined;
  /**
   * @param message what happened, naming the target
   * @param code the router's error code, when it sent one
   */
  constructor(message: string, code?: number) {
    super(message);
    this.name = "RawSocketHandshakeError";
    this.code = code;
  }
}

function noop(): void {}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Connects to a WAMP router over RawSocket and completes the RawSocket
 * handshake. Resolves with the connected transport; rejects with an `Error`
 * naming the target when the connection fails or times out, or with a
 * `RawSocketHandshakeError` when the router refuses the handshake.
 *
 * @throws RangeError for an unknown serializer or an exponent outside 0-15
 */
export async function connectRawSocket(
  target: RawSocketTarget,
  options: RawSocketClientOptions = {},
): Promise<ClientTransport> {
  const serializer = serializers[options.serializer ?? "json"];
  if (serializer === undefined) {
    throw new RangeError(
      `serializer: must be json, msgpack or cbor, got ${JSON.stringify(options.serializer)}`,
    );
  }
  const exponent = options.maxLengthExponent ?? MAX_LENGTH_EXPONENT;
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > MAX_LENGTH_EXPONENT) {
    throw new RangeError(`maxLengthExponent: must be an integer 0-15, got ${exponent}`);
  }
  await serializer.load();
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const tls = target.transport === "tcp" ? options.tls : undefined;
  const where = target.transport === "unix"
    ? `unix:${target.path}`
    : `${tls ? "rss" : "rs"}://${
      target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname
    }:${target.port}`;

  const abort = new AbortController();
  let conn: Deno.Conn | undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
    try {
      conn?.close();
    } catch {
      // already closed
    }
  }, timeoutMs);
  const reader = new RawSocketFrameReader({ maxLength: maxMessageSizeOf(exponent) });
  try {
    try {
      if (target.transport === "unix") {
        conn = await Deno.connect({ transport: "unix", path: target.path });
      } else if (tls) {
        const t = tls === true ? {} : tls;
        conn = await Deno.connectTls({
          hostname: target.hostname,
          port: target.port,
          ...(t.caCerts ? { caCerts: t.caCerts } : {}),
        });
      } else {
        const tcp = await Deno.connect({
          transport: "tcp",
          hostname: target.hostname,
          port: target.port,
          signal: abort.signal,
        });
        tcp.setNoDelay(true);
        conn = tcp;
      }
      if (timedOut) throw new Error("timed out");
      await writeAll(conn, encodeHandshake(exponent, serializer.rawsocketId));
      while (reader.buffered < HANDSHAKE_LENGTH) {
        const n = await conn.read(reader.space());
        if (n === null) {
          throw new Error("the router closed the connection during the RawSocket handshake");
        }
        reader.filled(n);
      }
    } catch (err) {
      const why = timedOut ? `no RawSocket handshake reply within ${timeoutMs} ms` : errorText(err);
      throw new Error(`connectRawSocket(${where}): ${why}`);
    }
    const reply = parseHandshakeReply(reader.take(HANDSHAKE_LENGTH)!, serializer.rawsocketId);
    if (!reply.ok) {
      throw new RawSocketHandshakeError(`connectRawSocket(${where}): ${reply.reason}`, reply.code);
    }
    const transport = new RawSocketClientTransport(conn, reader, serializer, {
      url: where,
      routerMax: maxMessageSizeOf(reply.exponent),
      maxOutboundBytes: options.maxOutboundBytes ?? 64 * 1024 * 1024,
      closeTimeoutMs: options.closeTimeoutMs ?? 1000,
    });
    conn = undefined; // owned by the transport now
    return transport;
  } finally {
    clearTimeout(timer);
    if (conn !== undefined) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

interface TransportSettings {
  url: string;
  routerMax: number;
  maxOutboundBytes: number;
  closeTimeoutMs: number;
}

class RawSocketClientTransport implements ClientTransport {
  readonly info: ClientTransportInfo;
  onmessage: (msg: Message) => void = noop;
  onraw: ((value: unknown) => void) | undefined = undefined;
  onclose: (reason?: string) => void = noop;
  #conn: Deno.Conn;
  #reader: RawSocketFrameReader;
  #writer: RawSocketWriter;
  #serializer: Serializer;
  #settings: TransportSettings;
  #state: "open" | "closing" | "closed" = "open";
  #forced = false;
  #reason = "";
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  get queuedBytes(): number {
    return this.#writer.queuedBytes;
  }

  get isOpen(): boolean {
    return this.#state === "open";
  }

  constructor(
    conn: Deno.Conn,
    reader: RawSocketFrameReader,
    serializer: Serializer,
    settings: TransportSettings,
  ) {
    this.#conn = conn;
    this.#reader = reader;
    this.#serializer = serializer;
    this.#settings = settings;
    this.info = { type: "rawsocket", serializer: serializer.name, url: settings.url };
    this.#writer = new RawSocketWriter(conn, {
      onError: (err) => {
        this.#fail(`RawSocket write failed: ${errorText(err)}`);
      },
    });
    // The read loop first handles what arrived with the handshake reply (a router sends nothing before HELLO).
    void this.#run();
  }

  send(msg: Message): void {
    if (this.#state !== "open") return;
    const data = this.#serializer.encode(msg);
    const writer = this.#writer;
    const queued = writer.queuedBytes;
    const max = this.#settings.routerMax;
    let size: number;
    if (typeof data === "string") {
      if (data.length > max) throw this.#tooBig(data.length, "at least ");
      const mark = writer.mark();
      size = writer.appendTextFrame(FrameType.WAMP, data);
      if (size > max) {
        writer.rollback(mark);
        throw this.#tooBig(size, "");
      }
      if (queued > 0 && queued + FRAME_HEADER_LENGTH + size > this.#settings.maxOutboundBytes) {
        writer.rollback(mark);
        this.#overflow(queued + FRAME_HEADER_LENGTH + size);
      }
      return;
    }
    size = data.length;
    if (size > max) throw this.#tooBig(size, "");
    if (queued > 0 && queued + FRAME_HEADER_LENGTH + size > this.#settings.maxOutboundBytes) {
      this.#overflow(queued + FRAME_HEADER_LENGTH + size);
      return;
    }
    writer.appendFrame(FrameType.WAMP, data);
  }

  close(): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    if (this.#reason === "") this.#reason = "RawSocket closed by the client";
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      this.#forceClose();
    }, this.#settings.closeTimeoutMs);
    this.#writer.drained().then(() => this.#forceClose());
  }

  async #run(): Promise<void> {
    const reader = this.#reader;
    try {
      for (;;) {
        if (this.#state === "open") this.#processFrames();
        if (this.#state !== "open") reader.discard();
        if (this.#forced) return;
        let n: number | null;
        try {
          n = await this.#conn.read(reader.space());
        } catch (err) {
          if (!this.#forced && this.#reason === "") {
            this.#reason = `RawSocket connection lost: ${errorText(err)}`;
          }
          return;
        }
        if (n === null) {
          if (this.#reason === "") {
            this.#reason = reader.buffered > 0
              ? "RawSocket closed by the router in the middle of a frame"
              : "RawSocket closed by the router";
          }
          return;
        }
        reader.filled(n);
      }
    } finally {
      this.#finish();
    }
  }

  #processFrames(): void {
    const reader = this.#reader;
    for (;;) {
      let frame;
      try {
        frame = reader.next();
      } catch (err) {
        this.#fail(`RawSocket protocol violation by the router: ${errorText(err)}`);
        return;
      }
      if (frame === undefined) return;
      switch (frame.type) {
        case FrameType.WAMP: {
          if (this.onraw) {
            try {
              this.onraw(this.#serializer.decode(frame.payload));
            } catch (err) {
              this.#fail(`frame handler failed: ${errorText(err)}`);
              return;
            }
            if (this.#state !== "open") return;
            break;
          }
          let msg: Message;
          try {
            msg = parseMessage(this.#serializer.decode(frame.payload));
          } catch (err) {
            const text = `invalid message from the router: ${errorText(err)}`;
            this.#reason = `protocol violation (${text})`;
            this.send([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]);
            this.close();
            return;
          }
          try {
            this.onmessage(msg);
          } catch (err) {
            this.#fail(`message handler failed: ${errorText(err)}`);
            return;
          }
          if (this.#state !== "open") return;
          break;
        }
        case FrameType.PING: {
          const queued = this.#writer.queuedBytes;
          if (frame.payload.length > this.#settings.routerMax) {
            this.#fail(
              `RawSocket PING of ${frame.payload.length} bytes exceeds the router's limit; cannot answer it`,
            );
            return;
          }
          if (
            queued > 0 &&
            queued + FRAME_HEADER_LENGTH + frame.payload.length > this.#settings.maxOutboundBytes
          ) {
            this.#overflow(queued + FRAME_HEADER_LENGTH + frame.payload.length);
            return;
          }
          this.#writer.appendFrame(FrameType.PONG, frame.payload);
          break;
        }
        case FrameType.PONG:
          break;
      }
    }
  }

  #tooBig(bytes: number, qualifier: string): RangeError {
    return new RangeError(
      `message of ${qualifier}${bytes} bytes exceeds the router's RawSocket limit of ${this.#settings.routerMax} bytes`,
    );
  }

  #overflow(bytes: number): void {
    this.#fail(
      `RawSocket outbound queue overflow: ${bytes} bytes queued, limit ${this.#settings.maxOutboundBytes} (the router does not read)`,
    );
  }

  /** Ends the connection now with `reason` (onclose follows from the read loop). */
  #fail(reason: string): void {
    if (this.#reason === "" || this.#state === "open") this.#reason = reason;
    this.#state = "closing";
    this.#forceClose();
  }

  #forceClose(): void {
    if (this.#forced) return;
    this.#forced = true;
    this.#writer.stop();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  #finish(): void {
    if (this.#state === "closed") return;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#forceClose();
    this.#state = "closed";
    const onclose = this.onclose;
    this.onmessage = noop;
    this.onclose = noop;
    onclose(this.#reason || "RawSocket closed");
  }
}
