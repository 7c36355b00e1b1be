/**
 * The client side of WAMP-Cryptosign: an Ed25519 key from a 32-byte seed
 * that announces its public key and answers challenges. Used by xbar's own
 * clients (rlinks, components) and tests.
 *
 * @module
 */

import { bytesToHex, hexToBytes } from "./_bytes.ts";

/** PKCS#8 DER prefix of a raw 32-byte Ed25519 seed. */
const PKCS8_PREFIX = hexToBytes("302e020100300506032b657004220420")!;

/** An Ed25519 signing key for WAMP-Cryptosign. */
export interface CryptosignKey {
  /** Public key, 64 lower-case hex characters (HELLO.Details.authextra.pubkey). */
  publicKey: string;
  /** AUTHENTICATE.Signature for CHALLENGE.Extra.challenge: hex(signature || challenge). */
  signChallenge(challengeHex: string): Promise<string>;
}

/** Makes a key from a 32-byte seed given as 64 hex characters. Throws on a malformed seed. */
export async function cryptosignKey(seedHex: string): Promise<CryptosignKey> {
  const seed = hexToBytes(seedHex);
  if (!seed || seed.length !== 32) throw new Error("seed must be 32 bytes as 64 hex characters");
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const publicKey = bytesToHex(
    Uint8Array.from(atob(jwk.x!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
  );
  return {
    publicKey,
    async signChallenge(challengeHex: string): Promise<string> {
      const challenge = hexToBytes(challengeHex);
      if (!challenge || challenge.length !== 32) {
        throw new Error("challenge must be 32 bytes in hex");
      }
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, challenge));
      return bytesToHex(sig) + bytesToHex(challenge);
    },
  };
}
