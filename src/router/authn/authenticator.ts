/**
 * The authentication contract. A transport's auth config yields one
 * `SessionAuthenticator` per opening handshake; the session drives it with
 * HELLO and AUTHENTICATE and acts on each step (WELCOME, CHALLENGE or ABORT).
 * Steps may be async (dynamic authenticators call a WAMP procedure); the
 * session keeps message order while one is pending.
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { PeerInfo } from "../peer.ts";
import { ErrorUri } from "../../wamp/uris.ts";

/** Who a session is, once authenticated. */
export interface AuthInfo {
  /** Authentication id (user name, key id, or generated for anonymous). */
  authid: string;
  /** Role the session acts under (must exist on the realm). */
  authrole: string;
  /** Method used (anonymous, ticket, wampcra, cryptosign, ...). */
  authmethod: string;
  /** Who vouched: "static", "dynamic", ... */
  authprovider: string;
  /** Extra data returned to the client in WELCOME.Details.authextra. */
  authextra?: Dict;
  /** Realm to join, when the authenticator chose it (else the HELLO realm). */
  realm?: string;
}

/** One step of an opening handshake. */
export type AuthStep =
  | { kind: "welcome"; info: AuthInfo }
  | { kind: "challenge"; method: string; extra: Dict }
  | { kind: "abort"; uri: string; message: string };

/** Drives one opening handshake. */
export interface SessionAuthenticator {
  /**
   * Answers HELLO. `details` is HELLO.Details (authmethods, authid, authextra,
   * ...); `session` is the id the session gets if it joins (WAMP-CRA puts it in
   * its challenge).
   */
  hello(realm: string, details: Dict, session: number): AuthStep | Promise<AuthStep>;
  /** Answers AUTHENTICATE (only after a challenge). */
  authenticate(signature: string, extra: Dict): AuthStep | Promise<AuthStep>;
}

/** Makes a SessionAuthenticator for each new connection (per transport). */
export type AuthenticatorFactory = (peer: PeerInfo) => SessionAuthenticator;

/** Random authid for anonymous sessions, Crossbar style (e.g. `K7QY-3HJ2-...`). */
export function randomAuthid(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && i % 4 === 0) s += "-";
    s += alphabet[bytes[i] % alphabet.length];
  }
  return s;
}

/**
 * Lets everyone in as `role` with a generated authid, whatever methods they offer
 * (the embedded default; `anonymous` in the node config).
 */
export function anonymousAuthenticator(role = "anonymous"): AuthenticatorFactory {
  const step = (): AuthStep => ({
    kind: "welcome",
    info: {
      authid: randomAuthid(),
      authrole: role,
      authmethod: "anonymous",
      authprovider: "static",
    },
  });
  return () => ({
    hello: step,
    authenticate: () => ({
      kind: "abort",
      uri: ErrorUri.PROTOCOL_VIOLATION,
      message: "AUTHENTICATE without a pending challenge",
    }),
  });
}
