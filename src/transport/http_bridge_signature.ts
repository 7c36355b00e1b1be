/**
 * Signed HTTP bridge requests, as Crossbar defines them (HTTP Bridge Caller /
 * Publisher, "Signed Requests"): query parameters `key`, `timestamp`
 * (UTC ISO 8601, e.g. `2011-10-14T16:59:51.123Z`), `seq` and `nonce`
 * (integers) and `signature`, the URL-safe base64 of
 * `HMAC-SHA256(secret, key | timestamp | seq | nonce | body)` (plain
 * concatenation of the query values' bytes and the raw body).
 *
 * @module
 */

/** The outcome of `verifySignature`: ok (with the nonce and timestamp), or the HTTP status and why. */
export type SignatureCheck =
  | { ok: true; nonce: string; timestamp: number }
  | { ok: false; status: 400 | 401; reason: string };

const encoder = new TextEncoder();

/** Settings of signed requests. */
export interface SignatureSettings {
  /** The key clients name in the `key` query parameter. */
  key: string;
  /** The shared secret. */
  secret: string;
  /** Largest allowed difference between `timestamp` and now, in seconds; 0 = any. */
  timestampDeltaLimit: number;
}

/** Checks the signature of a request with query `params` and raw `body` against `settings`. */
export async function verifySignature(
  params: URLSearchParams,
  body: Uint8Array,
  settings: SignatureSettings,
  now: number = Date.now(),
): Promise<SignatureCheck> {
  const values: Record<string, string> = {};
  for (const name of ["key", "timestamp", "seq", "nonce", "signature"]) {
    const v = params.get(name);
    if (v === null) {
      return {
        ok: false,
        status: 400,
        reason: `signed request required: query parameter "${name}" missing`,
      };
    }
    values[name] = v;
  }
  if (values.key !== settings.key) {
    return {
      ok: false,
      status: 401,
      reason: `unknown key "${values.key.slice(0, 64)}" in signed request`,
    };
  }
  const ts = parseTimestamp(values.timestamp);
  if (ts === undefined) {
    return {
      ok: false,
      status: 400,
      reason: `invalid timestamp "${
        values.timestamp.slice(0, 64)
      }" (must be UTC ISO 8601, e.g. "2011-10-14T16:59:51.123Z")`,
    };
  }
  if (
    settings.timestampDeltaLimit > 0 && Math.abs(now - ts) / 1000 > settings.timestampDeltaLimit
  ) {
    return {
      ok: false,
      status: 400,
      reason:
        `timestamp "${values.timestamp}" is more than ${settings.timestampDeltaLimit} seconds off the server's clock`,
    };
  }
  for (const name of ["seq", "nonce"]) {
    if (!/^\d{1,16}$/.test(values[name])) {
      return {
        ok: false,
        status: 400,
        reason: `invalid ${name} "${values[name].slice(0, 64)}" (must be an integer)`,
      };
    }
  }
  const expected = await sign(
    settings.secret,
    values.key,
    values.timestamp,
    values.seq,
    values.nonce,
    body,
  );
  if (!constantTimeEqual(normalize(values.signature), normalize(expected))) {
    return { ok: false, status: 401, reason: "invalid request signature" };
  }
  return { ok: true, nonce: values.nonce, timestamp: ts };
}

/**
 * Computes the signature of a request: URL-safe base64 (with padding, as
 * Python's `urlsafe_b64encode`) of `HMAC-SHA256(secret, key|timestamp|seq|nonce|body)`.
 */
export async function sign(
  secret: string,
  key: string,
  timestamp: string,
  seq: string,
  nonce: string,
  body: Uint8Array,
): Promise<string> {
  const head = encoder.encode(key + timestamp + seq + nonce);
  const data = new Uint8Array(head.byteLength + body.byteLength);
  data.set(head);
  data.set(body, head.byteLength);
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, data));
  let s = "";
  for (const b of mac) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_");
}

/** Milliseconds since the epoch of a UTC ISO 8601 timestamp ending in `Z`, or undefined. */
function parseTimestamp(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(s)) return undefined;
  const ms = Date.parse(s.replace(/(\.\d{3})\d+Z$/, "$1Z"));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Signatures compare without padding and in the URL-safe alphabet. */
function normalize(sig: string): string {
  return sig.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  }
  return diff === 0;
}
