/**
 * permessage-deflate (RFC 7692) for the server side of our WebSocket
 * framing: offer negotiation and per-message compression with `node:zlib`.
 *
 * By default both directions run without context takeover: the response
 * carries `server_no_context_takeover` and `client_no_context_takeover`, so
 * each message is inflated on its own with a synchronous call bounded by
 * `maxOutputLength` (a decompression bomb stops at `maxMessageSize` and
 * costs no more), and no connection keeps a zlib window between messages
 * (memory per idle connection stays what it is without compression).
 *
 * The client may be allowed context takeover (`clientContextTakeover`:
 * Crossbar's `request_no_context_takeover: false`; the response then leaves
 * out `client_no_context_takeover` unless the client offered it): each
 * connection keeps the last window (2^client_max_window_bits octets) of the
 * plaintext of the compressed messages it received, and inflates the next
 * one against it as a preset dictionary, which is the LZ77 window the
 * client's compressor refers back into (RFC 7692 7.2.3; a message received
 * uncompressed does not enter it). That runs on fflate's streaming
 * inflater (Deno's `node:zlib` ignores a preset dictionary in raw mode), fed
 * in slices of 1 KiB so that the output is checked against `maxSize`
 * every ~1 MiB at the most. The server always compresses each message on
 * its own (`server_no_context_takeover` is always answered, which RFC 7692
 * allows whatever the client offered).
 * Measured on the project machine (47-octet WAMP CALL): ~52k deflates/s
 * and ~82k inflates/s per core; a 50 MiB zero bomb is refused after 1 MiB
 * of output in ~5 ms.
 *
 * Messages shorter than `threshold` octets are sent uncompressed (RSV1
 * clear), as the RFC allows.
 *
 * @module
 */

import type * as Zlib from "node:zlib";
import type * as Fflate from "fflate";
import { WebSocketFrameError } from "./websocket_frame_reader.ts";
import { importLater } from "../import_later.ts";
import { concatBytes } from "./concat_bytes.ts";

// node:zlib costs ~40 ms to load: only endpoints with compression load it.
let zlib: typeof Zlib | undefined;
// fflate: only endpoints that allow the client context takeover.
let fflate: typeof Fflate | undefined;

/**
 * Loads `node:zlib` (once), and fflate when `settings` allow the client
 * context takeover; call before `negotiateDeflate`/`createDeflate`.
 */
export async function prepareDeflate(settings: DeflateSettings = {}): Promise<void> {
  zlib ??= await import("node:zlib");
  if (settings.clientContextTakeover) fflate ??= await importLater<typeof Fflate>("fflate");
}

/** Settings of permessage-deflate for an endpoint (Crossbar's `compression.deflate`). */
export interface DeflateSettings {
  /** Window bits we compress with and announce as `server_max_window_bits` (9-15). Default 15 (not announced). */
  maxWindowBits?: number;
  /** zlib memory level for compression (1-9). Default 8. */
  memoryLevel?: number;
  /** zlib compression level (0-9). Default 1 (fastest). */
  level?: number;
  /** Messages shorter than this many octets are not compressed. Default 64. */
  threshold?: number;
  /**
   * Window bits asked of the client (`client_max_window_bits` in the
   * answer, when the client's offer allows it: Crossbar's
   * `request_max_window_bits`). Default: not asked.
   */
  clientMaxWindowBits?: number;
  /**
   * The client may compress against its previous messages (the response
   * leaves out `client_no_context_takeover`): Crossbar's
   * `request_no_context_takeover: false`. Default false.
   */
  clientContextTakeover?: boolean;
}

/** Compression of one connection. */
export interface PerMessageDeflate {
  /** Inflates one message (with its 0x00 0x00 0xFF 0xFF tail) into at most `maxSize` octets. */
  inflate(data: Uint8Array, maxSize: number): Uint8Array;
  /** Deflates one message, or undefined to send it uncompressed. */
  deflate(data: Uint8Array): Uint8Array | undefined;
}

/** An accepted offer: the response header value and the connection's compressor. */
export interface DeflateAgreement {
  /** `Sec-WebSocket-Extensions` value for the 101 response. */
  response: string;
  /** The compressor. */
  codec: PerMessageDeflate;
}

/**
 * Picks the first acceptable permessage-deflate offer from a
 * `Sec-WebSocket-Extensions` header; undefined when there is none (the
 * connection runs uncompressed).
 */
export function negotiateDeflate(
  header: string | null,
  settings: DeflateSettings,
): DeflateAgreement | undefined {
  if (header === null) return undefined;
  for (const offer of splitOffers(header)) {
    const [name, ...params] = offer.split(";").map((s) => s.trim());
    if (name.toLowerCase() !== "permessage-deflate") continue;
    const agreed = acceptOffer(params, settings);
    if (agreed !== undefined) return agreed;
  }
  return undefined;
}

function splitOffers(header: string): string[] {
  // Parameter values may be quoted; commas inside quotes do not split.
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function acceptOffer(params: string[], settings: DeflateSettings): DeflateAgreement | undefined {
  const seen = new Set<string>();
  let serverBits: number | undefined;
  let clientOffer: number | "any" | undefined;
  for (const p of params) {
    if (p === "") continue;
    const eq = p.indexOf("=");
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const raw = eq < 0 ? undefined : p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (seen.has(key)) return undefined; // a parameter twice: decline this offer
    seen.add(key);
    switch (key) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (raw !== undefined) return undefined;
        break;
      case "server_max_window_bits": {
        const n = Number(raw);
        if (raw === undefined || !/^\d+$/.test(raw) || n < 8 || n > 15) return undefined;
        if (n === 8) return undefined; // zlib cannot deflate with an 8-bit window
        serverBits = n;
        break;
      }
      case "client_max_window_bits":
        if (raw !== undefined && (!/^\d+$/.test(raw) || Number(raw) < 8 || Number(raw) > 15)) {
          return undefined;
        }
        clientOffer = raw === undefined ? "any" : Number(raw);
        break;
      default:
        return undefined; // unknown parameter: decline this offer
    }
  }
  const configured = settings.maxWindowBits ?? 15;
  const bits = Math.min(serverBits ?? 15, configured);
  const clientTakeover = settings.clientContextTakeover === true &&
    !seen.has("client_no_context_takeover");
  let response = "permessage-deflate; server_no_context_takeover";
  if (!clientTakeover) response += "; client_no_context_takeover";
  if (bits < 15 || serverBits !== undefined) response += `; server_max_window_bits=${bits}`;
  // The client may be asked for a smaller window only when it offered the parameter.
  // The window kept for the client: 15 bits unless the answer limits it (a smaller
  // window the client only offered may not be the one it uses).
  let clientBits = 15;
  if (settings.clientMaxWindowBits !== undefined && clientOffer !== undefined) {
    const asked = clientOffer === "any"
      ? settings.clientMaxWindowBits
      : Math.min(settings.clientMaxWindowBits, clientOffer);
    if (asked >= 9) {
      response += `; client_max_window_bits=${asked}`;
      clientBits = asked;
    }
  }
  return {
    response,
    codec: createDeflate({
      ...settings,
      maxWindowBits: bits,
      clientContextTakeover: clientTakeover,
      clientMaxWindowBits: clientBits,
    }),
  };
}

/**
 * A compressor/decompressor; with `clientContextTakeover` its inflater
 * keeps the client's window (`clientMaxWindowBits`, 15 when not limited).
 */
export function createDeflate(settings: DeflateSettings): PerMessageDeflate {
  if (zlib === undefined) throw new Error("createDeflate(): call prepareDeflate() first");
  if (settings.clientContextTakeover && fflate === undefined) {
    throw new Error("createDeflate(): call prepareDeflate(settings) first");
  }
  const z = zlib;
  const deflateOptions: Zlib.ZlibOptions = {
    level: settings.level ?? 1,
    memLevel: settings.memoryLevel ?? 8,
    windowBits: settings.maxWindowBits ?? 15,
    finishFlush: z.constants.Z_SYNC_FLUSH,
  };
  const threshold = settings.threshold ?? 64;
  const windowSize = settings.clientContextTakeover ? 1 << (settings.clientMaxWindowBits ?? 15) : 0;
  let window: Uint8Array = new Uint8Array(0);
  return {
    inflate(data: Uint8Array, maxSize: number): Uint8Array {
      if (windowSize > 0) {
        const out = inflateAgainst(fflate!, data, window, maxSize);
        window = slide(window, out, windowSize);
        return out;
      }
      try {
        return z.inflateRawSync(data, {
          finishFlush: z.constants.Z_SYNC_FLUSH,
          maxOutputLength: Math.max(1, maxSize),
        });
      } catch (err) {
        if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
          throw new WebSocketFrameError(
            1009,
            `compressed message inflates beyond the limit of ${maxSize} bytes`,
          );
        }
        throw new WebSocketFrameError(
          1007,
          `cannot inflate a compressed message: ${err instanceof Error ? err.message : err}`,
        );
      }
    },
    deflate(data: Uint8Array): Uint8Array | undefined {
      if (data.length < threshold) return undefined;
      const out = z.deflateRawSync(data, deflateOptions);
      // Drop the 0x00 0x00 0xFF 0xFF tail of the sync flush (RFC 7692 7.2.1).
      return out.subarray(0, out.length - 4);
    },
  };
}

/** The last `size` octets of `window` followed by `data`. */
function slide(window: Uint8Array, data: Uint8Array, size: number): Uint8Array {
  if (data.length >= size) return data.slice(data.length - size);
  const keep = Math.min(window.length, size - data.length);
  const out = new Uint8Array(keep + data.length);
  out.set(window.subarray(window.length - keep));
  out.set(data, keep);
  return out;
}

const SYNC_TAIL = new Uint8Array([0, 0, 0xff, 0xff]);
const SLICE = 1024;

/**
 * Inflates one message (the sync-flush tail added) with `dictionary` as the
 * window before it; fed in slices, stopped once the output passes `maxSize`.
 */
function inflateAgainst(
  f: typeof Fflate,
  data: Uint8Array,
  dictionary: Uint8Array,
  maxSize: number,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new f.Inflate(dictionary.length > 0 ? { dictionary } : {}, (chunk) => {
    total += chunk.length;
    if (total > maxSize) {
      throw new WebSocketFrameError(
        1009,
        `compressed message inflates beyond the limit of ${maxSize} bytes`,
      );
    }
    chunks.push(chunk);
  });
  const input = new Uint8Array(data.length + 4);
  input.set(data);
  input.set(SYNC_TAIL, data.length);
  try {
    for (let at = 0; at < input.length; at += SLICE) {
      inflater.push(input.subarray(at, at + SLICE));
    }
  } catch (err) {
    if (err instanceof WebSocketFrameError) throw err;
    throw new WebSocketFrameError(
      1007,
      `cannot inflate a compressed message: ${err instanceof Error ? err.message : err}`,
    );
  }
  return concatBytes(chunks);
}
