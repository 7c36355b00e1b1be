/**
 * Comparisons of secrets that take the same time whatever the inputs share.
 *
 * @module
 */

import { randomBytes, utf8 } from "./_bytes.ts";

let keyPromise: Promise<CryptoKey> | undefined;

function key(): Promise<CryptoKey> {
  keyPromise ??= crypto.subtle.importKey(
    "raw",
    randomBytes(32),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return keyPromise;
}

/**
 * Compares two byte arrays of equal length by XOR-ing every byte (no early
 * exit). Arrays of different lengths are unequal (the length is not secret).
 */
export function constantTimeBytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * True when `a` equals `b`, compared in constant time: both are first
 * replaced by their HMAC-SHA256 under a random per-process key, so neither
 * the position of the first difference nor the length of the secret shows
 * in the timing.
 */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const k = await key();
  const [ha, hb] = await Promise.all([
    crypto.subtle.sign("HMAC", k, utf8(a)),
    crypto.subtle.sign("HMAC", k, utf8(b)),
  ]);
  return constantTimeBytesEqual(new Uint8Array(ha), new Uint8Array(hb));
}
