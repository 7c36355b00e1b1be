/**
 * The head of an HTTP/1.1 request, read straight off a connection (for
 * WebSocket upgrades we answer ourselves), and small HTTP/1.1 responses
 * written the same way.
 *
 * Only what an upgrade needs: request line, header fields (names
 * case-insensitive, repeated fields joined with ", "), strict about
 * syntax (CR LF line ends, no obsolete line folding, token header names),
 * bounded in size.
 *
 * @module
 */

/** Largest request head accepted: 16 KiB (larger: 431). */
export const MAX_REQUEST_HEAD = 16 * 1024;

/** A parsed request head. */
export interface RequestHead {
  /** Method, e.g. `GET`. */
  method: string;
  /** Request target as sent, e.g. `/ws?x=1`. */
  target: string;
  /** The path of the target (without query). */
  path: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** Header fields. */
  headers: Headers;
  /** Length of the head in octets, including the final empty line. */
  length: number;
}

/** What `parseRequestHead` found. */
export type HeadResult =
  | { kind: "head"; head: RequestHead }
  | { kind: "incomplete" }
  | { kind: "error"; status: 400 | 431 | 505; reason: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const latin1 = new TextDecoder("latin1");

/** Index just past the `\r\n\r\n` ending the head in `buf[0..end)`, or -1. */
export function headEnd(buf: Uint8Array, end: number, from = 0): number {
  for (let i = Math.max(3, from); i < end; i++) {
    if (
      buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13
    ) return i + 1;
  }
  return -1;
}

/** Parses the request head at the start of `buf[0..end)`. */
export function parseRequestHead(buf: Uint8Array, end: number): HeadResult {
  const stop = headEnd(buf, Math.min(end, MAX_REQUEST_HEAD));
  if (stop < 0) {
    return end >= MAX_REQUEST_HEAD
      ? { kind: "error", status: 431, reason: "request head too large" }
      : { kind: "incomplete" };
  }
  const lines = latin1.decode(buf.subarray(0, stop - 4)).split("\r\n");
  const request = lines[0].split(" ");
  if (request.length !== 3 || !TOKEN.test(request[0]) || request[1] === "") {
    return { kind: "error", status: 400, reason: "malformed request line" };
  }
  const [method, target, version] = request;
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    return { kind: "error", status: 505, reason: `unsupported HTTP version ${version}` };
  }
  const headers = new Headers();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) return { kind: "error", status: 400, reason: "malformed header field" };
    const value = line.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) {
      return { kind: "error", status: 400, reason: "malformed header value" };
    }
    try {
      headers.append(name, value);
    } catch {
      return { kind: "error", status: 400, reason: "malformed header value" };
    }
  }
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  return { kind: "head", head: { method, target, path, version, headers, length: stop } };
}

const REASONS: Record<number, string> = {
  101: "Switching Protocols",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/**
 * An HTTP/1.1 response as bytes. With a body (text), `connection: close`
 * and a content length are added: we close after an error answer.
 */
export function httpResponse(
  status: number,
  headers: Record<string, string>,
  body?: string,
): Uint8Array {
  let out = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n`;
  const bytes = body === undefined ? undefined : new TextEncoder().encode(body);
  const all: Record<string, string> = { ...headers };
  if (bytes !== undefined) {
    all["content-type"] ??= "text/plain; charset=utf-8";
    all["content-length"] = String(bytes.length);
    all["connection"] = "close";
  }
  for (const [k, v] of Object.entries(all)) out += `${k}: ${v}\r\n`;
  out += "\r\n";
  const head = new TextEncoder().encode(out);
  if (bytes === undefined) return head;
  const res = new Uint8Array(head.length + bytes.length);
  res.set(head);
  res.set(bytes, head.length);
  return res;
}
