/**
 * Serving one plain HTTP/1.1 (or 1.0) request on a connection whose request
 * head `http_front.ts` has read: the `Request` for the handler (its body
 * read off the connection as the handler pulls it, chunked or
 * `Content-Length`), and the handler's `Response` written back with a
 * `Content-Length`: a declared one is streamed (static files), any other
 * body is read whole (the bodies of our services are strings and bytes) and
 * sent in one write with the head. The one exception is a stream of
 * server-sent events (`Content-Type: text/event-stream`, the status page's
 * updates): sent as it comes, chunked (HTTP/1.0: until the connection
 * closes), and the connection ends with it.
 *
 * Strict where HTTP/1.1 request smuggling lives: a request with both
 * `Transfer-Encoding` and `Content-Length`, a transfer coding other than
 * `chunked`, a malformed `Content-Length`, or malformed chunk framing is
 * answered 400 and the connection closed. A body the handler did not read to
 * its end closes the connection after the response (no draining).
 *
 * Time limits (`bodyMs`, `writeMs`): the request body must arrive within
 * `bodyMs` of the head; each write of the response must complete within
 * `writeMs` (a client that stops reading is dropped). A timeout closes the
 * connection.
 *
 * @module
 */

import type { ConnReader } from "./conn_reader.ts";
import type { RequestHead } from "./http_request_head.ts";

/** A request handler (as `Deno.serve` takes it). */
export type Http1Handler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
) => Response | Promise<Response>;

/** What serving one request needs. */
export interface Http1Context {
  /** The connection. */
  conn: Deno.Conn;
  /** Its reader (the head is consumed already). */
  reader: ConnReader;
  /** The peer's address. */
  remoteAddr: Deno.Addr;
  /** True over TLS (the request URL is `https:`). */
  secure: boolean;
  /** The handler. */
  handler: Http1Handler;
  /** Milliseconds for the request body after the head; 0 = none. */
  bodyMs: number;
  /** Milliseconds each response write may take; 0 = none. */
  writeMs: number;
  /** True when the connection must close after this response (shutdown). */
  closing: () => boolean;
  /** Answer for a handler that threw. */
  onError: (err: unknown) => Response;
  /** Called when a time limit closes the connection, with the phase ("request body", "response"). */
  onTimeout: (phase: string) => void;
}

/** How the body of a request is framed. */
type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "bad"; reason: string };

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The framing `head` declares for its body. */
function framingOf(head: RequestHead): Framing {
  const te = head.headers.get("transfer-encoding");
  const cl = head.headers.get("content-length");
  if (te !== null) {
    if (cl !== null) return { kind: "bad", reason: "both Transfer-Encoding and Content-Length" };
    if (head.version !== "HTTP/1.1") {
      return { kind: "bad", reason: "Transfer-Encoding in an HTTP/1.0 request" };
    }
    if (te.trim().toLowerCase() !== "chunked") {
      return { kind: "bad", reason: `unsupported Transfer-Encoding: ${te.slice(0, 60)}` };
    }
    return { kind: "chunked" };
  }
  if (cl !== null) {
    const v = cl.trim();
    if (!/^\d{1,15}$/.test(v)) return { kind: "bad", reason: "invalid Content-Length" };
    const length = Number(v);
    return length === 0 ? { kind: "none" } : { kind: "length", length };
  }
  return { kind: "none" };
}

/** True when the client asked to close after this request (or speaks 1.0 without keep-alive). */
function wantsClose(head: RequestHead): boolean {
  const tokens = (head.headers.get("connection") ?? "").toLowerCase().split(",").map((t) =>
    t.trim()
  );
  if (tokens.includes("close")) return true;
  return head.version !== "HTTP/1.1" && !tokens.includes("keep-alive");
}

/** The outcome of serving one request: may the connection carry another? */
export type Http1Outcome = "keep-alive" | "close";

/**
 * Serves the request of `head` (its head already consumed from
 * `ctx.reader`). Resolves when the response is written (or the connection
 * failed); never rejects.
 */
export async function serveHttp1Request(
  head: RequestHead,
  ctx: Http1Context,
): Promise<Http1Outcome> {
  const framing = framingOf(head);
  if (framing.kind === "bad") {
    await writeSimple(ctx, 400, `${framing.reason}\n`);
    return "close";
  }
  const host = head.headers.get("host");
  if (host === null && head.version === "HTTP/1.1") {
    await writeSimple(ctx, 400, "missing Host header\n");
    return "close";
  }
  let url: URL;
  try {
    url = /^https?:\/\//i.test(head.target)
      ? new URL(head.target)
      : head.target.startsWith("/")
      ? new URL(`${ctx.secure ? "https" : "http"}://${host ?? "localhost"}${head.target}`)
      : (() => {
        throw new Error("request target");
      })();
  } catch {
    await writeSimple(ctx, 400, "invalid request target or Host header\n");
    return "close";
  }

  const body = framing.kind === "none" ? undefined : new BodyReader(ctx, framing, head);
  const canHaveBody = head.method !== "GET" && head.method !== "HEAD";
  let req: Request;
  try {
    req = new Request(url, {
      method: head.method,
      headers: head.headers,
      body: body !== undefined && canHaveBody ? body.stream() : undefined,
      duplex: "half",
    } as RequestInit);
  } catch (err) {
    body?.stop();
    await writeSimple(ctx, 400, `invalid request: ${err instanceof Error ? err.message : err}\n`);
    return "close";
  }
  // `req.signal` aborts when the client goes away. Made on first use: a
  // Request built with a signal costs about as much as the rest of the request.
  let abort: AbortController | undefined;
  Object.defineProperty(req, "signal", {
    get: () => (abort ??= new AbortController()).signal,
  });

  // While the handler works, watch for the client going away (once the body is in).
  let watching = true;
  const watch = (async () => {
    if (body !== undefined) await body.finished;
    while (watching && !ctx.reader.eof && ctx.reader.available < 64 * 1024) {
      if (!await ctx.reader.fill()) break;
    }
    if (watching && ctx.reader.eof) abort?.abort(new Deno.errors.ConnectionReset("client gone"));
  })();

  const completed = Promise.withResolvers<void>();
  completed.promise.catch(() => {});
  let res: Response;
  try {
    res = await ctx.handler(req, { remoteAddr: ctx.remoteAddr, completed: completed.promise });
    if (!(res instanceof Response)) throw new TypeError("the handler did not return a Response");
  } catch (err) {
    res = ctx.onError(err);
  }
  const bodyDone = body === undefined || body.complete;
  const close = wantsClose(head) || !bodyDone || ctx.closing() || ctx.reader.eof;
  const written = await writeResponse(ctx, res, head, close);
  watching = false;
  body?.stop();
  if (written.ok) completed.resolve();
  else completed.reject(new Deno.errors.Interrupted("the response could not be sent"));
  // A read the watch started may still be in flight: the next head read joins it.
  void watch;
  return !written.ok || written.close ? "close" : "keep-alive";
}

/** The body of one request, read off the connection as it is pulled. */
class BodyReader {
  /** True once the whole body was read. */
  complete = false;
  /** Resolves when the body is complete or failed. */
  readonly finished: Promise<void>;
  #ctx: Http1Context;
  #framing: { kind: "length"; length: number } | { kind: "chunked" };
  #left: number;
  #chunkState: "size" | "data" | "data-end" | "trailers" = "size";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #continue: boolean;
  #done: () => void;
  #stopped = false;

  constructor(
    ctx: Http1Context,
    framing: { kind: "length"; length: number } | { kind: "chunked" },
    head: RequestHead,
  ) {
    this.#ctx = ctx;
    this.#framing = framing;
    this.#left = framing.kind === "length" ? framing.length : 0;
    this.#continue = head.version === "HTTP/1.1" &&
      (head.headers.get("expect") ?? "").toLowerCase() === "100-continue";
    const { promise, resolve } = Promise.withResolvers<void>();
    this.finished = promise;
    this.#done = resolve;
    if (ctx.bodyMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.complete) return;
        ctx.onTimeout("request body");
        this.stop();
        try {
          ctx.conn.close();
        } catch {
          // already closed
        }
      }, ctx.bodyMs);
    }
  }

  /** The body as a stream for the `Request`. */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const chunk = await this.#next();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        } catch (err) {
          this.stop();
          controller.error(err);
        }
      },
      cancel: () => this.stop(),
    }, { highWaterMark: 0 });
  }

  /** Stops the body (its timer); an incomplete body stays incomplete. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#done();
  }

  #finish(): null {
    this.complete = true;
    this.stop();
    return null;
  }

  async #next(): Promise<Uint8Array | null> {
    if (this.complete) return null;
    if (this.#stopped) throw new Deno.errors.Interrupted("request body abandoned");
    if (this.#continue) {
      this.#continue = false;
      await writeAllWithin(this.#ctx, enc.encode("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    const r = this.#ctx.reader;
    if (this.#framing.kind === "length") {
      if (r.available === 0 && !await r.fill()) throw incomplete();
      const chunk = r.take(this.#left);
      this.#left -= chunk.length;
      if (this.#left === 0) this.#finish();
      return chunk;
    }
    for (;;) {
      switch (this.#chunkState) {
        case "size": {
          const line = await this.#line();
          const size = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
          if (size === null) throw new SyntaxError("malformed chunk size");
          this.#left = parseInt(size[1], 16);
          this.#chunkState = this.#left === 0 ? "trailers" : "data";
          break;
        }
        case "data": {
          if (r.available === 0 && !await r.fill()) throw incomplete();
          const chunk = r.take(this.#left);
          this.#left -= chunk.length;
          if (this.#left === 0) this.#chunkState = "data-end";
          return chunk;
        }
        case "data-end": {
          if ((await this.#line()) !== "") throw new SyntaxError("malformed chunk end");
          this.#chunkState = "size";
          break;
        }
        case "trailers": {
          // Trailer fields are read and dropped, up to the empty line.
          if ((await this.#line()) === "") return this.#finish();
          break;
        }
      }
    }
  }

  /** One CRLF-terminated line (at most 4 KiB), without the CRLF. */
  async #line(): Promise<string> {
    const r = this.#ctx.reader;
    for (;;) {
      const v = r.view();
      const lf = v.indexOf(10);
      if (lf >= 0) {
        if (lf === 0 || v[lf - 1] !== 13) throw new SyntaxError("chunk line without CRLF");
        const line = latin1.decode(v.subarray(0, lf - 1));
        r.consume(lf + 1);
        return line;
      }
      if (v.length > 4096) throw new SyntaxError("chunk line too long");
      if (!await r.fill()) throw incomplete();
    }
  }
}

function incomplete(): Error {
  return new Deno.errors.UnexpectedEof("the request body ended early");
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** Headers we write ourselves (framing and connection management). */
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);

let dateCache = { second: -1, text: "" };
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateCache.second) dateCache = { second, text: new Date().toUTCString() };
  return dateCache.text;
}

/** Writes `res` for the request of `head`; `close` forces `Connection: close`. */
async function writeResponse(
  ctx: Http1Context,
  res: Response,
  head: RequestHead,
  close: boolean,
): Promise<{ ok: boolean; close: boolean }> {
  let status = res.status;
  if (status < 200 || status > 599) status = 500; // Response.error() and the like
  const noBody = head.method === "HEAD" || status === 204 || status === 304;
  const declared = res.headers.get("content-length");
  const declaredLength = declared !== null && /^\d{1,15}$/.test(declared.trim())
    ? Number(declared.trim())
    : undefined;
  let lines = `HTTP/1.1 ${status} ${REASONS[status] ?? (res.statusText || "Status")}\r\n`;
  res.headers.forEach((value, name) => {
    if (!HOP.has(name) && name !== "set-cookie") lines += `${name}: ${value}\r\n`;
  });
  for (const c of res.headers.getSetCookie()) lines += `set-cookie: ${c}\r\n`;
  lines += `date: ${httpDate()}\r\n`;

  try {
    if (noBody) {
      if (declaredLength !== undefined) lines += `content-length: ${declaredLength}\r\n`;
      else if (head.method === "HEAD") lines += "content-length: 0\r\n";
      lines += closeLine(head, close);
      if (res.body !== null) res.body.cancel().catch(() => {});
      await writeAllWithin(ctx, enc.encode(lines));
      return { ok: true, close };
    }
    if (declaredLength === undefined && res.body !== null && isEventStream(res)) {
      return await writeEventStream(ctx, head, lines, res.body);
    }
    if (declaredLength === undefined) {
      // Length unknown (the bodies our services make: strings, bytes): read it
      // whole without a stream, send it with its length in one write.
      const bytes = new Uint8Array(await res.arrayBuffer());
      lines += `content-length: ${bytes.length}\r\n${closeLine(head, close)}`;
      await writeAllWithin(ctx, concat(enc.encode(lines), bytes));
      return { ok: true, close };
    }
    // A declared length (static files): stream the body.
    lines += `content-length: ${declaredLength}\r\n${closeLine(head, close)}`;
    await writeAllWithin(ctx, enc.encode(lines));
    if (res.body === null) {
      return { ok: declaredLength === 0, close: declaredLength !== 0 || close };
    }
    const reader = res.body.getReader();
    let left = declaredLength;
    try {
      while (left > 0) {
        const { done, value } = await reader.read();
        if (done) break;
        const part = value.length > left ? value.subarray(0, left) : value;
        await writeAllWithin(ctx, part);
        left -= part.length;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
    // A body shorter than its Content-Length cannot keep the connection.
    return left === 0 ? { ok: true, close } : { ok: false, close: true };
  } catch {
    return { ok: false, close: true };
  }
}

function isEventStream(res: Response): boolean {
  const type = res.headers.get("content-type");
  return type !== null && type.split(";")[0].trim().toLowerCase() === "text/event-stream";
}

/**
 * Writes a server-sent event stream as its chunks come (each write within
 * `writeMs`); ends the connection with it. A failed write cancels the stream.
 */
async function writeEventStream(
  ctx: Http1Context,
  head: RequestHead,
  lines: string,
  body: ReadableStream<Uint8Array>,
): Promise<{ ok: boolean; close: boolean }> {
  const chunked = head.version === "HTTP/1.1";
  await writeAllWithin(
    ctx,
    enc.encode(
      `${lines}${chunked ? "transfer-encoding: chunked\r\n" : ""}connection: close\r\n\r\n`,
    ),
  );
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      await writeAllWithin(
        ctx,
        chunked
          ? concat(concat(enc.encode(`${value.length.toString(16)}\r\n`), value), CRLF)
          : value,
      );
    }
    if (chunked) await writeAllWithin(ctx, enc.encode("0\r\n\r\n"));
    return { ok: true, close: true };
  } finally {
    reader.cancel().catch(() => {});
  }
}

const CRLF = new Uint8Array([13, 10]);

/** The `Connection` line (HTTP/1.0 keeps the connection only when told) and the head's end. */
function closeLine(head: RequestHead, close: boolean): string {
  if (close) return "connection: close\r\n\r\n";
  return head.version === "HTTP/1.1" ? "\r\n" : "connection: keep-alive\r\n\r\n";
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Writes all of `bytes`; rejects when a write fails. A write that takes
 * longer than `writeMs` closes the connection (so the write fails).
 */
async function writeAllWithin(ctx: Http1Context, bytes: Uint8Array): Promise<void> {
  const timer = ctx.writeMs > 0
    ? setTimeout(() => {
      ctx.onTimeout("response");
      try {
        ctx.conn.close();
      } catch {
        // already closed
      }
    }, ctx.writeMs)
    : undefined;
  try {
    let at = 0;
    while (at < bytes.length) at += await ctx.conn.write(bytes.subarray(at));
  } finally {
    clearTimeout(timer);
  }
}

/** A short text answer that closes the connection. */
async function writeSimple(ctx: Http1Context, status: number, text: string): Promise<void> {
  const body = enc.encode(text);
  const head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    `content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n` +
    `connection: close\r\ndate: ${httpDate()}\r\n\r\n`;
  try {
    await writeAllWithin(ctx, concat(enc.encode(head), body));
  } catch {
    // the client is gone
  }
}
