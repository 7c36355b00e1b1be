/**
 * WAMP-CRA (challenge-response) authentication (`auth.wampcra`).
 *
 * HELLO names the authid; CHALLENGE("wampcra", {challenge}) carries a JSON
 * string with authid, authrole, authmethod, authprovider, nonce, timestamp
 * and session; the client answers with
 * `base64(HMAC-SHA256(key, challenge))`. With a salted user the CHALLENGE
 * also carries `salt`, `iterations` and `keylen`, and the client's key is
 * `deriveKey(password, salt, iterations, keylen)` (PBKDF2-SHA256, base64).
 *
 * As in Crossbar, a user's configured `secret` IS the key: for a salted user
 * that is the derived key (so the password itself is never stored). An
 * unknown authid gets a challenge that looks like a real one and the same
 * ABORT as a wrong signature: it takes the shape of one of the configured
 * users, picked by a keyed hash of the authid (so the same authid always
 * gets the same shape and salt): that user's role, salted or not, and if
 * salted its iterations, key length and a salt of the same length and kind.
 * With salted and unsalted users mixed, a caller therefore cannot tell an
 * unknown authid from a real one by the challenge.
 *
 * `session` in the challenge is the id the session will have: the router
 * reserves it at HELLO.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { AuthStep, SessionAuthenticator } from "./authenticator.ts";
import type { AuthContext, AuthMethod } from "./auth_context.ts";
import { askAuthenticator, type DynamicAuthConfig } from "./dynamic.ts";
import {
  authenticationFailed,
  helloAuthid,
  lookup,
  noPendingChallenge,
  type Principal,
  staticPrincipal,
  welcomeStep,
} from "./principal.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";
import { bytesToBase64, randomBytes, utf8 } from "./_bytes.ts";

/** Autobahn's default PBKDF2 iterations for salted WAMP-CRA. */
export const DEFAULT_ITERATIONS = 1000;
/** Autobahn's default derived key length (bytes) for salted WAMP-CRA. */
export const DEFAULT_KEYLEN = 32;

/** One static WAMP-CRA user. */
export interface WampcraUser {
  /** The key: the shared secret, or for a salted user the derived key (see `deriveKey`). */
  secret: string;
  /** Role the user gets. */
  role?: string;
  /** Realm to join instead of the one in HELLO. */
  realm?: string;
  /** PBKDF2 salt; when present the client derives its key from its password. */
  salt?: string;
  /** PBKDF2 iterations (default 1000). */
  iterations?: number;
  /** Derived key length in bytes (default 32). */
  keylen?: number;
}

/** `auth.wampcra` of a transport. */
export type WampcraConfig =
  | {
    /** Users from the config. */
    type: "static";
    /** Users by authid. */
    users: Record<string, WampcraUser>;
  }
  | DynamicAuthConfig;

/** The method name. */
export const WAMPCRA = "wampcra";

/**
 * Derives a WAMP-CRA key from a password as Autobahn does:
 * `base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen))`.
 */
export async function deriveKey(
  secret: string,
  salt: string,
  iterations: number = DEFAULT_ITERATIONS,
  keylen: number = DEFAULT_KEYLEN,
): Promise<string> {
  const base = await crypto.subtle.importKey("raw", utf8(secret), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: utf8(salt), iterations },
    base,
    keylen * 8,
  );
  return bytesToBase64(new Uint8Array(bits));
}

/** The WAMP-CRA signature of `challenge` under `key`: `base64(HMAC-SHA256(key, challenge))`. */
export async function signWampcra(key: string, challenge: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    utf8(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8(challenge))));
}

/** How one configured user's challenge looks from outside. */
interface Shape {
  role: string;
  salted?: { iterations: number; keylen: number; saltLength: number; hex: boolean };
}

/** What a static config looks like to a stranger: used to answer unknown authids. */
interface Decoy {
  /** One shape per configured user (a user's share of decoys is its share of users). */
  shapes: Shape[];
  key: Promise<CryptoKey>;
}

/** Builds the WAMP-CRA method from its config. */
export function wampcraMethod(config: WampcraConfig): AuthMethod {
  const decoy = config.type === "static" ? makeDecoy(config.users) : undefined;
  return (ctx) => new WampcraAuthenticator(ctx, config, decoy);
}

function makeDecoy(users: Record<string, WampcraUser>): Decoy {
  const shapes = Object.values(users).map((u): Shape => {
    const shape: Shape = { role: u.role ?? "anonymous" };
    if (u.salt !== undefined) {
      shape.salted = {
        iterations: u.iterations ?? DEFAULT_ITERATIONS,
        keylen: u.keylen ?? DEFAULT_KEYLEN,
        saltLength: u.salt.length,
        hex: /^[0-9a-f]+$/i.test(u.salt),
      };
    }
    return shape;
  });
  return {
    shapes: shapes.length > 0 ? shapes : [{ role: "anonymous" }],
    key: crypto.subtle.importKey(
      "raw",
      randomBytes(32),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    ),
  };
}

/** The decoy for `authid`: the same shape and salt on every attempt, unrelated to any real salt. */
async function decoyFor(decoy: Decoy, authid: string): Promise<WampcraUser & { role: string }> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await decoy.key, utf8(authid)));
  const pick = ((mac[0] << 24) | (mac[1] << 16) | (mac[2] << 8) | mac[3]) >>> 0;
  const shape = decoy.shapes[pick % decoy.shapes.length];
  const fake: WampcraUser & { role: string } = {
    secret: bytesToBase64(randomBytes(32)),
    role: shape.role,
  };
  if (shape.salted) {
    const { saltLength, hex } = shape.salted;
    let s = hex
      ? [...mac.subarray(4)].map((b) => b.toString(16).padStart(2, "0")).join("")
      : bytesToBase64(mac.subarray(4)).replace(/[+/=]/g, "");
    while (s.length < saltLength) s += s;
    fake.salt = s.slice(0, Math.max(1, saltLength));
    fake.iterations = shape.salted.iterations;
    fake.keylen = shape.salted.keylen;
  }
  return fake;
}

class WampcraAuthenticator implements SessionAuthenticator {
  #ctx: AuthContext;
  #config: WampcraConfig;
  #decoy: Decoy | undefined;
  #pending = false;
  #session = 0;
  #expected = "";
  #principal: Principal | undefined;
  #provider = "static";

  constructor(ctx: AuthContext, config: WampcraConfig, decoy: Decoy | undefined) {
    this.#ctx = ctx;
    this.#config = config;
    this.#decoy = decoy;
  }

  async hello(realm: string, details: Dict, session: number): Promise<AuthStep> {
    this.#session = session;
    const authid = helloAuthid(details);
    const config = this.#config;
    if (config.type === "dynamic") return await this.#dynamic(config, realm, details, authid);
    if (authid === undefined) return authenticationFailed();
    const user = lookup(config.users, authid);
    if (!user) return await this.#decoyChallenge(authid);
    return await this.#challenge(staticPrincipal(authid, user), user);
  }

  async authenticate(signature: string): Promise<AuthStep> {
    if (!this.#pending) return noPendingChallenge();
    this.#pending = false;
    const ok = await timingSafeEqual(signature, this.#expected);
    this.#expected = "";
    if (!ok || !this.#principal) {
      this.#ctx.logger.log("info", "authentication failed", {
        method: WAMPCRA,
        reason: this.#principal ? "wrong signature" : "unknown authid",
        peer: this.#ctx.peer.peer,
      });
      return authenticationFailed();
    }
    return welcomeStep(this.#principal, WAMPCRA, this.#provider);
  }

  async #challenge(principal: Principal, key: WampcraUser): Promise<AuthStep> {
    const challenge = JSON.stringify({
      authid: principal.authid,
      authrole: principal.role ?? null,
      authmethod: WAMPCRA,
      authprovider: this.#provider,
      nonce: bytesToBase64(randomBytes(48)),
      timestamp: new Date().toISOString(),
      session: this.#session,
    });
    this.#expected = await signWampcra(key.secret, challenge);
    this.#principal = principal;
    this.#pending = true;
    const extra: Dict = { challenge };
    if (key.salt !== undefined) {
      extra.salt = key.salt;
      extra.iterations = key.iterations ?? DEFAULT_ITERATIONS;
      extra.keylen = key.keylen ?? DEFAULT_KEYLEN;
    }
    return { kind: "challenge", method: WAMPCRA, extra };
  }

  async #decoyChallenge(authid: string): Promise<AuthStep> {
    const fake = await decoyFor(this.#decoy!, authid);
    const step = await this.#challenge({ authid, role: fake.role }, fake);
    this.#principal = undefined;
    return step;
  }

  async #dynamic(
    config: DynamicAuthConfig,
    realm: string,
    details: Dict,
    authid: string | undefined,
  ): Promise<AuthStep> {
    this.#provider = "dynamic";
    const r = await askAuthenticator(this.#ctx, config, {
      method: WAMPCRA,
      realm,
      hello: details,
      authid,
      expected: "{secret, role, salt?, iterations?, keylen?}",
    }, readKey);
    if ("step" in r) return r.step;
    return await this.#challenge(r.principal, r.key);
  }
}

function readKey(raw: Dict): WampcraUser | undefined {
  if (typeof raw.secret !== "string" || raw.secret === "") return undefined;
  const key: WampcraUser = { secret: raw.secret };
  if (raw.salt !== undefined && raw.salt !== null) {
    if (typeof raw.salt !== "string") return undefined;
    key.salt = raw.salt;
    if (raw.iterations !== undefined) {
      if (!Number.isInteger(raw.iterations) || (raw.iterations as number) < 1) return undefined;
      key.iterations = raw.iterations as number;
    }
    if (raw.keylen !== undefined) {
      if (!Number.isInteger(raw.keylen) || (raw.keylen as number) < 1) return undefined;
      key.keylen = raw.keylen as number;
    }
  }
  return key;
}
