/**
 * Which web origins may use a WAMP endpoint from a browser (Crossbar's
 * WebSocket options `allowed_origins` and `allow_null_origin`), applied to
 * WebSocket upgrades, long-poll and the HTTP bridges, and the CORS headers
 * that follow from it.
 *
 * Checking (as Autobahn does): a request without an `Origin` header (not a
 * browser) is let in; `Origin: null` only with `allowNullOrigin`; any other
 * origin must match one of `allowedOrigins`, patterns in which `*` stands
 * for any characters (`https://*.example.com`, `http://localhost:*`).
 *
 * CORS: an allowed origin is named in `Access-Control-Allow-Origin`; it gets
 * `Access-Control-Allow-Credentials: true` (cookies, as AutobahnJS's
 * long-poll sends them) only when it matched an explicit pattern, never the
 * catch-all `*`: with the default (`["*"]`) any site may talk to the
 * endpoint, but never with the visitor's credentials.
 *
 * @module
 */

/** Options of an `OriginPolicy`. */
export interface OriginOptions {
  /** Origin patterns allowed (`*` = any characters). Default `["*"]`. */
  allowedOrigins?: readonly string[];
  /** Let in requests with `Origin: null` (sandboxed pages, `file:` URLs). Default true. */
  allowNullOrigin?: boolean;
}

/** What `OriginPolicy.check` decided. */
export type OriginCheck =
  | {
    /** The request may proceed. */
    ok: true;
    /** The origin to name in CORS headers (`*` for none or the catch-all). */
    allowOrigin: string;
    /** Send `Access-Control-Allow-Credentials: true`. */
    credentials: boolean;
  }
  | {
    /** The request is refused. */
    ok: false;
    /** Why, for the answer and the log. */
    reason: string;
  };

/** Decides which origins may use an endpoint. */
export class OriginPolicy {
  /** True when every origin is allowed (the default). */
  readonly anyOrigin: boolean;
  #patterns: RegExp[];
  #allowNull: boolean;

  /** Throws `RangeError` for an invalid pattern list. */
  constructor(options: OriginOptions = {}) {
    const list = options.allowedOrigins ?? ["*"];
    if (!Array.isArray(list) || list.some((p) => typeof p !== "string" || p === "")) {
      throw new RangeError(
        `allowedOrigins: must be a list of origin patterns, got ${JSON.stringify(list)}`,
      );
    }
    this.anyOrigin = list.includes("*");
    this.#patterns = list.filter((p) => p !== "*").map(patternOf);
    this.#allowNull = options.allowNullOrigin ?? true;
  }

  /** Checks the `Origin` header value of a request (`null` when there is none). */
  check(origin: string | null): OriginCheck {
    if (origin === null) return { ok: true, allowOrigin: "*", credentials: false };
    if (origin === "null") {
      return this.#allowNull
        ? { ok: true, allowOrigin: "null", credentials: false }
        : { ok: false, reason: "origin null not allowed (allow_null_origin is false)" };
    }
    const o = origin.toLowerCase();
    if (this.#patterns.some((p) => p.test(o))) {
      return { ok: true, allowOrigin: origin, credentials: true };
    }
    if (this.anyOrigin) return { ok: true, allowOrigin: origin, credentials: false };
    return { ok: false, reason: `origin ${JSON.stringify(origin.slice(0, 200))} not allowed` };
  }
}

function patternOf(p: string): RegExp {
  const escaped = p.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** The policy that lets every origin in, without credentials. */
export const ANY_ORIGIN: OriginPolicy = new OriginPolicy();

/**
 * The headers of the WAMP HTTP endpoints (long-poll, HTTP bridges): CORS as
 * `policy` allows the request's origin (nothing for a refused origin), and
 * no caching.
 */
export function corsHeadersFor(req: Request, policy: OriginPolicy = ANY_ORIGIN): Headers {
  const h = new Headers();
  h.set("cache-control", "no-store, no-cache, must-revalidate, max-age=0");
  const origin = req.headers.get("origin");
  const verdict = policy.check(origin);
  if (!verdict.ok) return h;
  h.set("access-control-allow-origin", verdict.allowOrigin);
  if (verdict.credentials) h.set("access-control-allow-credentials", "true");
  const asked = req.headers.get("access-control-request-headers");
  if (asked !== null) h.set("access-control-allow-headers", asked);
  if (origin !== null) h.set("vary", "origin");
  return h;
}
