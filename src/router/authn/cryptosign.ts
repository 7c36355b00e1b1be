/**
 * WAMP-Cryptosign authentication (`auth.cryptosign`): Ed25519 keys.
 *
 * HELLO.Details.authextra.pubkey carries the client's public key (64 hex
 * characters); the router answers CHALLENGE("cryptosign", {challenge}) with
 * 32 random bytes in hex; the client answers with
 * `hex(signature(64 bytes) || challenge(32 bytes))`, which is checked with
 * WebCrypto. Static principals list `authorized_keys`; a client that names
 * no authid is identified by its key (it must belong to exactly one
 * principal). TLS channel binding is not offered: a client asking for it
 * gets a challenge without `channel_binding` (the spec allows that) and must
 * sign the plain challenge. Unknown keys or authids get a challenge like any
 * other and the same ABORT as a bad signature.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { AuthStep, SessionAuthenticator } from "./authenticator.ts";
import type { AuthContext, AuthMethod } from "./auth_context.ts";
import { askAuthenticator, type DynamicAuthConfig } from "./dynamic.ts";
import {
  authenticationFailed,
  helloAuthextra,
  helloAuthid,
  lookup,
  noPendingChallenge,
  type Principal,
  staticPrincipal,
  welcomeStep,
} from "./principal.ts";
import { constantTimeBytesEqual } from "./timing_safe_equal.ts";
import { bytesToHex, hexToBytes, randomBytes } from "./_bytes.ts";

/** One static cryptosign principal. */
export interface CryptosignPrincipal {
  /** Ed25519 public keys (64 hex characters each) that may authenticate as this authid. */
  authorized_keys: string[];
  /** Role the principal gets. */
  role?: string;
  /** Realm to join instead of the one in HELLO. */
  realm?: string;
}

/** `auth.cryptosign` of a transport. */
export type CryptosignConfig =
  | {
    /** Principals from the config. */
    type: "static";
    /** Principals by authid. */
    principals: Record<string, CryptosignPrincipal>;
  }
  | DynamicAuthConfig;

/** The method name. */
export const CRYPTOSIGN = "cryptosign";

const PUBKEY = /^[0-9a-fA-F]{64}$/;
const CHALLENGE_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** Builds the cryptosign method from its config. */
export function cryptosignMethod(config: CryptosignConfig): AuthMethod {
  let byKey: Map<string, string[]> | undefined;
  if (config.type === "static") {
    byKey = new Map();
    for (const [authid, p] of Object.entries(config.principals)) {
      for (const k of p.authorized_keys) {
        const key = k.toLowerCase();
        const ids = byKey.get(key) ?? [];
        ids.push(authid);
        byKey.set(key, ids);
      }
    }
  }
  return (ctx) => new CryptosignAuthenticator(ctx, config, byKey);
}

/** Checks an Ed25519 signature of `message` with a raw 32-byte public key. */
export async function verifyEd25519(
  publicKey: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false; // not a valid Ed25519 point
  }
}

class CryptosignAuthenticator implements SessionAuthenticator {
  #ctx: AuthContext;
  #config: CryptosignConfig;
  #byKey: Map<string, string[]> | undefined;
  #pending = false;
  #challenge = new Uint8Array(0);
  #pubkey = new Uint8Array(32);
  #principal: Principal | undefined;
  #provider = "static";

  constructor(
    ctx: AuthContext,
    config: CryptosignConfig,
    byKey: Map<string, string[]> | undefined,
  ) {
    this.#ctx = ctx;
    this.#config = config;
    this.#byKey = byKey;
  }

  async hello(realm: string, details: Dict): Promise<AuthStep> {
    const extra = helloAuthextra(details);
    const pubkey = typeof extra.pubkey === "string" && PUBKEY.test(extra.pubkey)
      ? extra.pubkey.toLowerCase()
      : undefined;
    if (pubkey === undefined) {
      this.#fail("HELLO.Details.authextra.pubkey missing or not 64 hex characters");
      return authenticationFailed();
    }
    if (extra.channel_binding !== undefined && extra.channel_binding !== null) {
      this.#ctx.logger.log("info", "cryptosign channel binding requested but not offered", {
        channelBinding: String(extra.channel_binding),
        peer: this.#ctx.peer.peer,
      });
    }
    const authid = helloAuthid(details);
    const config = this.#config;
    if (config.type === "dynamic") {
      this.#provider = "dynamic";
      const r = await askAuthenticator(
        this.#ctx,
        config,
        {
          method: CRYPTOSIGN,
          realm,
          hello: details,
          authid,
          principalAuthid: authid ?? pubkey,
          expected: "{pubkey, role, authid?, realm?, extra?}",
        },
        (raw) =>
          typeof raw.pubkey === "string" && PUBKEY.test(raw.pubkey)
            ? raw.pubkey.toLowerCase()
            : undefined,
      );
      if ("step" in r) return r.step;
      // A key other than the one the client announced can never verify: fail at AUTHENTICATE.
      return this.#challengeStep(r.key === pubkey ? r.principal : undefined, pubkey);
    }
    return this.#challengeStep(this.#staticPrincipal(config.principals, authid, pubkey), pubkey);
  }

  async authenticate(signature: string): Promise<AuthStep> {
    if (!this.#pending) return noPendingChallenge();
    this.#pending = false;
    const bytes = hexToBytes(signature);
    if (!bytes || bytes.length !== SIGNATURE_BYTES + CHALLENGE_BYTES) {
      this.#fail("signature is not 96 bytes in hex");
      return authenticationFailed();
    }
    const sig = bytes.slice(0, SIGNATURE_BYTES);
    const signed = bytes.slice(SIGNATURE_BYTES);
    const ok = constantTimeBytesEqual(signed, this.#challenge) &&
      await verifyEd25519(this.#pubkey, sig, this.#challenge);
    if (!ok || !this.#principal) {
      this.#fail(this.#principal ? "bad signature" : "unknown key or authid");
      return authenticationFailed();
    }
    return welcomeStep(this.#principal, CRYPTOSIGN, this.#provider);
  }

  #staticPrincipal(
    principals: Record<string, CryptosignPrincipal>,
    authid: string | undefined,
    pubkey: string,
  ): Principal | undefined {
    let id = authid;
    if (id === undefined) {
      const ids = this.#byKey!.get(pubkey) ?? [];
      if (ids.length !== 1) return undefined; // unknown, or ambiguous
      id = ids[0];
    }
    const p = lookup(principals, id);
    if (!p || !p.authorized_keys.some((k) => k.toLowerCase() === pubkey)) return undefined;
    return staticPrincipal(id, p);
  }

  #challengeStep(principal: Principal | undefined, pubkey: string): AuthStep {
    this.#principal = principal;
    this.#pubkey = hexToBytes(pubkey)!;
    this.#challenge = randomBytes(CHALLENGE_BYTES);
    this.#pending = true;
    return {
      kind: "challenge",
      method: CRYPTOSIGN,
      extra: { challenge: bytesToHex(this.#challenge) },
    };
  }

  #fail(reason: string): void {
    this.#ctx.logger.log("info", "authentication failed", {
      method: CRYPTOSIGN,
      reason,
      peer: this.#ctx.peer.peer,
    });
  }
}
