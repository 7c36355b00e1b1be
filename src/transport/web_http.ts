/**
 * Small HTTP helpers shared by the Web transport's services (long-poll, HTTP
 * bridges, static files): reading a request body with a size limit, plain
 * text and JSON answers, and the CORS / no-cache headers Crossbar sends on
 * its WAMP HTTP endpoints.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import { corsHeadersFor, type OriginPolicy } from "./origin_policy.ts";

/** The outcome of `readBody`. */
export type BodyResult =
  /** The whole body. */
  | { ok: true; bytes: Uint8Array }
  /** The body could not be read: answer `status` (413, 400) with `reason`. */
  | { ok: false; status: number; reason: string };

/**
 * Reads the body of `req`, refusing more than `limit` bytes without reading
 * them all: a `Content-Length` over the limit is refused before reading, and
 * a body without one (chunked) is read only until it passes the limit.
 */
export async function readBody(req: Request, limit: number): Promise<BodyResult> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    const n = Number(declared);
    if (!/^\d+$/.test(declared.trim()) || !Number.isSafeInteger(n)) {
      return { ok: false, status: 400, reason: `invalid Content-Length header: ${declared}` };
    }
    if (n > limit) {
      await discard(req);
      return {
        ok: false,
        status: 413,
        reason: `request body of ${n} bytes exceeds the limit of ${limit} bytes`,
      };
    }
  }
  if (req.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return {
          ok: false,
          status: 413,
          reason: `request body of more than ${limit} bytes exceeds the limit of ${limit} bytes`,
        };
      }
      chunks.push(value);
    }
  } catch (err) {
    return { ok: false, status: 400, reason: `could not read the request body: ${errorText(err)}` };
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}

/** Cancels the body of `req`, if any, so the connection can be reused or closed. */
export async function discard(req: Request): Promise<void> {
  if (req.body === null || req.bodyUsed) return;
  try {
    await req.body.cancel();
  } catch {
    // the body is gone either way
  }
}

/** A `text/plain` answer; the body ends with a newline. */
export function textResponse(
  status: number,
  text: string,
  headers: HeadersInit = {},
): Response {
  const h = new Headers(headers);
  h.set("content-type", "text/plain; charset=utf-8");
  return new Response(text.endsWith("\n") ? text : `${text}\n`, { status, headers: h });
}

/** An `application/json` answer with `body` (already encoded JSON text). */
export function jsonResponse(status: number, body: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  return new Response(body, { status, headers: h });
}

const policies = new WeakMap<Request, OriginPolicy>();

/**
 * Makes `policy` the origin policy of `req`: the `corsHeaders(req)` of
 * everything that answers it follow the policy. An endpoint calls it once,
 * when the request arrives.
 */
export function useOriginPolicy(req: Request, policy: OriginPolicy): void {
  policies.set(req, policy);
}

/**
 * The headers of the WAMP HTTP endpoints (long-poll, HTTP bridges): CORS as
 * the request's origin policy allows (see `origin_policy.ts`: the origin
 * named, credentials only for explicitly allowed origins; by default any
 * origin without credentials), and no caching.
 */
export function corsHeaders(req: Request): Headers {
  return corsHeadersFor(req, policies.get(req));
}

/** Answers a CORS preflight (`OPTIONS`) for an endpoint accepting `methods`. */
export function preflightResponse(req: Request, methods: string): Response {
  const h = corsHeaders(req);
  h.set("allow", methods);
  h.set("access-control-allow-methods", methods);
  return new Response(null, { status: 204, headers: h });
}

/** `405 Method Not Allowed` naming the allowed methods. */
export function methodNotAllowed(req: Request, methods: string, headers?: Headers): Response {
  const h = headers ?? new Headers();
  h.set("allow", methods);
  return textResponse(405, `method ${req.method} not allowed here; use ${methods}`, h);
}
