/**
 * Who a router is on its links: its id, and its node's Ed25519 key (the key
 * that authenticates it with WAMP-Cryptosign when it dials, and that signs
 * its WELCOME when it is dialed, so both ends check each other).
 *
 * @module
 */

import { bytesToHex, hexToBytes, randomBytes, utf8 } from "../authn/_bytes.ts";
import { verifyEd25519 } from "../authn/cryptosign.ts";

/** A router's identity on its links. */
export interface LinkIdentity {
  /** Unique among the routers of a cluster (e.g. `<node id>/<worker id>`). */
  readonly routerId: string;
  /** The node's Ed25519 public key, 64 hex characters. */
  readonly publicKey: string;
  /** Signs `data` with the node's private key. */
  sign(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";

/** An identity whose key is the 32-byte Ed25519 seed `privateKey` (hex), with `publicKey` (hex). */
export async function linkIdentity(
  routerId: string,
  key: { publicKey: string; privateKey: string },
): Promise<LinkIdentity> {
  const pkcs8 = hexToBytes(PKCS8_ED25519_PREFIX + key.privateKey);
  if (!pkcs8 || pkcs8.length !== 48) throw new Error("node private key must be 64 hex characters");
  const priv = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  return {
    routerId,
    publicKey: key.publicKey.toLowerCase(),
    sign: async (data) => new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, priv, data)),
  };
}

/** A fresh key pair as hex (tests, and routers without a node key). */
export async function generateLinkKey(): Promise<{ publicKey: string; privateKey: string }> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { publicKey: bytesToHex(pub), privateKey: bytesToHex(pkcs8.slice(pkcs8.length - 32)) };
}

/** A random nonce (32 bytes, hex). */
export function linkNonce(): string {
  return bytesToHex(randomBytes(32));
}

/** What the accepting router signs: binds the realm, both routers and the dialer's nonce. */
export function welcomeProof(p: {
  realm: string;
  dialer: string;
  nonce: string;
  acceptor: string;
  incarnation: string;
}): Uint8Array<ArrayBuffer> {
  return utf8(`xbar-link/1\n${p.realm}\n${p.dialer}\n${p.nonce}\n${p.acceptor}\n${p.incarnation}`);
}

/** True when `signature` (hex) is `publicKey`'s (hex) signature of `data`. */
export async function verifySignature(
  publicKey: string,
  signature: string,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const key = hexToBytes(publicKey);
  const sig = hexToBytes(signature);
  if (!key || key.length !== 32 || !sig || sig.length !== 64) return false;
  return await verifyEd25519(key, sig, data);
}

/** The AUTHENTICATE signature WAMP-Cryptosign asks for: hex(signature || challenge). */
export async function cryptosignAnswer(
  identity: LinkIdentity,
  challengeHex: string,
): Promise<string> {
  const challenge = hexToBytes(challengeHex);
  if (!challenge) throw new Error("cryptosign challenge is not hex");
  const sig = await identity.sign(challenge);
  return bytesToHex(sig) + bytesToHex(challenge);
}
