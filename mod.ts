/**
 * xbar's public embedding API (re-exports only): the router and its
 * transports, the WAMP client, the node config, the node controller and its
 * management API, errors and URIs.
 *
 * ```ts
 * import { connect, Router, serveWebSocket } from "./mod.ts";
 *
 * const router = new Router({ realms: [{ name: "realm1" }] });
 * const server = await serveWebSocket(router, { hostname: "127.0.0.1", port: 8080 });
 * const session = await connect("ws://127.0.0.1:8080/ws", "realm1");
 * await session.register("com.example.add2", ([a, b]) => (a as number) + (b as number));
 * ```
 *
 * @module
 */

// router
export { Router, type RouterOptions } from "./src/router/router.ts";
export type { Realm, RealmConfig } from "./src/router/realm.ts";
export type { Peer, PeerInfo, SessionAcceptor, SessionHandle } from "./src/router/peer.ts";
export type {
  Action,
  Authorizer,
  AuthzDecision,
  Permission,
  RoleConfig,
} from "./src/router/authz/authorizer.ts";
export type {
  AuthenticatorFactory,
  AuthInfo,
  AuthStep,
  SessionAuthenticator,
} from "./src/router/authn/authenticator.ts";
export {
  type TransportAuthConfig,
  transportAuthenticator,
} from "./src/router/authn/transport_auth.ts";

// transports (server side)
export {
  serveWebSocket,
  type ServeWebSocketOptions,
  type WebSocketServer,
} from "./src/transport/websocket_server.ts";
export { createWebSocketHandler } from "./src/transport/websocket.ts";
export {
  type RawSocketServer,
  serveRawSocket,
  type ServeRawSocketOptions,
} from "./src/transport/rawsocket_server.ts";
export { serveWeb, type WebOptions, type WebServer } from "./src/transport/web.ts";

// client
export {
  type CallOptions,
  CallResult,
  type CloseInfo,
  connect,
  type ConnectOptions,
  connectWebSocket,
  type EventDetails,
  InvocationDetails,
  type JoinOptions,
  joinSession,
  localPair,
  type ProcedureHandler,
  type PublishOptions,
  type RegisterOptions,
  Registration,
  Session,
  SessionClosedError,
  type SubscribeOptions,
  Subscription,
} from "./src/client/mod.ts";
export type { ClientTransport } from "./src/client/client_transport.ts";
export {
  connectRawSocket,
  type RawSocketClientOptions,
  type RawSocketTarget,
} from "./src/client/rawsocket_transport.ts";

// node config (Crossbar config version 2)
export {
  defaultConfig,
  formatConfigError,
  formatConfigErrors,
  loadConfig,
  parseConfigText,
  validateConfig,
} from "./src/config/mod.ts";
export type { ConfigError, ConfigResult, NodeConfig, WorkerConfig } from "./src/config/types.ts";

// node: controller, components, management API
export { Controller, type ControllerOptions } from "./src/node/controller.ts";
export { connectManagement } from "./src/node/management_client.ts";
export {
  MANAGEMENT_REALM,
  ManagementError,
  NodeProcedure,
  WorkerOp,
  workerUri,
} from "./src/worker/management_uris.ts";
export type { ComponentMain } from "./src/worker/component.ts";
export { XBAR_VERSION } from "./src/version.ts";

// logging
export {
  ConsoleLogger,
  type ConsoleLoggerOptions,
  type LogFormat,
} from "./src/log/console_logger.ts";
export { type Logger, type LogLevel, MemoryLogger, nullLogger } from "./src/log/logger.ts";

// errors and URIs
export { ApplicationError, ProtocolViolation } from "./src/wamp/errors.ts";
export { CloseUri, ErrorUri, XbarUri } from "./src/wamp/uris.ts";
export type { Dict, List, Message } from "./src/wamp/messages.ts";
