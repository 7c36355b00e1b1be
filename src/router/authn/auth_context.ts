/**
 * What every authentication method gets for one handshake, and the shape of
 * a method: built once from its transport config, then asked for a fresh
 * `SessionAuthenticator` per handshake.
 *
 * @module
 */

import type { Logger } from "../../log/logger.ts";
import type { PeerInfo } from "../peer.ts";
import type { Router } from "../router.ts";
import type { SessionAuthenticator } from "./authenticator.ts";

/** What a method needs to reach the router and log. */
export interface AuthContext {
  /** The router (dynamic methods call into its realms); absent: dynamic methods fail. */
  router?: Router;
  /** The connection being authenticated. */
  peer: PeerInfo;
  /** Where authentication events go (never with secrets). */
  logger: Logger;
  /** Milliseconds a dynamic authenticator call may take. */
  timeoutMs: number;
}

/** One configured method: makes the authenticator for one handshake. */
export type AuthMethod = (ctx: AuthContext) => SessionAuthenticator;
