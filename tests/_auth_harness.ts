/**
 * Harness for the authentication/authorization end-to-end tests: a router
 * whose WebSocket transport (127.0.0.1, port 0) authenticates with
 * `transportAuthenticator`, in-process components on an internal transport,
 * and runners for the third-party client scripts (tests/node/auth_client.mjs
 * under Node, tests/python/auth_client.py under Debian's python3).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Router } from "../src/router/router.ts";
import type { RealmConfig } from "../src/router/realm.ts";
import type { AuthenticatorFactory } from "../src/router/authn/authenticator.ts";
import {
  type TransportAuthConfig,
  transportAuthenticator,
} from "../src/router/authn/transport_auth.ts";
import { serveWebSocket } from "../src/transport/websocket_server.ts";
import { MemoryLogger } from "../src/log/logger.ts";
import { localPair } from "../src/client/local_transport.ts";
import { joinSession } from "../src/client/join_session.ts";
import type { Session } from "../src/client/session.ts";
import { DEBIAN_PYTHON, runJsonScript, type ScriptResult } from "./_harness.ts";

export type { ScriptResult };

/** The id of the authenticated WebSocket transport. */
export const WS_TRANSPORT = "ws";
/** The id of the in-process transport components use (they join as HELLO.authrole asks). */
export const INTERNAL_TRANSPORT = "internal";

/** Components on the internal transport get the authid/authrole they ask for. */
const trustedComponents: AuthenticatorFactory = () => ({
  hello: (_realm, d) => ({
    kind: "welcome",
    info: {
      authid: String(d.authid ?? "component"),
      authrole: String(d.authrole ?? "backend"),
      authmethod: "anonymous",
      authprovider: "internal",
    },
  }),
  authenticate: () => ({
    kind: "abort",
    uri: "wamp.error.protocol_violation",
    message: "no challenge pending",
  }),
});

/** A running router with an authenticated WebSocket transport. */
export interface AuthNode {
  /** The router. */
  router: Router;
  /** Everything it logged. */
  logger: MemoryLogger;
  /** ws:// URL of the listener. */
  url: string;
  /** Joins `realm` in-process as `authrole` (for components: backends, authenticators). */
  component(realm: string, authrole: string, authid?: string): Promise<Session>;
  /** Ends components, sessions and the listener. */
  close(): Promise<void>;
}

/** Starts a router with `realms` whose WebSocket transport uses `auth`. */
export async function startAuthNode(
  realms: RealmConfig[],
  auth: TransportAuthConfig,
): Promise<AuthNode> {
  const logger = new MemoryLogger();
  const router = new Router({ realms, logger, handshakeTimeoutMs: 10000 });
  router.setAuthenticator(WS_TRANSPORT, transportAuthenticator(auth, { router }));
  router.setAuthenticator(INTERNAL_TRANSPORT, trustedComponents);
  const server = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    transportId: WS_TRANSPORT,
    shutdownGraceMs: 500,
  });
  const components: Session[] = [];
  return {
    router,
    logger,
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    async component(realm, authrole, authid) {
      const s = await joinSession(
        localPair(router, { info: { transportId: INTERNAL_TRANSPORT } }),
        realm,
        { authrole, authid },
      );
      components.push(s);
      return s;
    },
    async close() {
      for (const s of components) if (s.isOpen) await s.leave();
      router.shutdown();
      await server.shutdown();
    },
  };
}

/** Runs tests/node/auth_client.mjs (AutobahnJS) with `spec`. */
export function runAutobahnJsAuth(spec: unknown, timeoutMs = 20000): Promise<ScriptResult> {
  const dir = fileURLToPath(new URL("./node/", import.meta.url));
  return runJsonScript("node", ["auth_client.mjs", JSON.stringify(spec)], dir, timeoutMs);
}

/** Runs tests/python/auth_client.py (Autobahn|Python) with `spec`. */
export function runAutobahnPythonAuth(spec: unknown, timeoutMs = 20000): Promise<ScriptResult> {
  const dir = fileURLToPath(new URL("./python/", import.meta.url));
  return runJsonScript(DEBIAN_PYTHON, ["auth_client.py", JSON.stringify(spec)], dir, timeoutMs);
}
