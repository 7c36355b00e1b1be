/**
 * A small WAMP client for tests, benchmarks, container components and
 * router-to-router links.
 *
 * ```ts
 * const session = await connect("ws://127.0.0.1:8080/ws", "realm1");
 * await session.register("com.example.add", ([a, b]) => (a as number) + (b as number));
 * const { args } = await session.call("com.example.add", [2, 3]); // [5]
 * await session.leave();
 * ```
 *
 * @module
 */

export type { ClientTransport, ClientTransportInfo } from "./client_transport.ts";
export { localPair, type LocalPairOptions } from "./local_transport.ts";
export { connectWebSocket, type WebSocketOptions } from "./websocket_transport.ts";
export { connect, type ConnectOptions } from "./connect.ts";
export {
  type ChallengeHandler,
  helloDetails,
  type JoinOptions,
  joinSession,
} from "./join_session.ts";
export { type CloseInfo, Session, type SessionOptions } from "./session.ts";
export { SessionClosedError } from "./session_closed_error.ts";
export { CallResult } from "./call_result.ts";
export {
  type CallOptions,
  type CancelMode,
  type ChunkOptions,
  type ProgressHandler,
  ProgressiveCall,
} from "./caller.ts";
export { InvocationDetails } from "./invocation_details.ts";
export { type ProcedureHandler, type RegisterOptions, Registration } from "./registration.ts";
export {
  type EventDetails,
  type EventHandler,
  type SubscribeOptions,
  Subscription,
} from "./subscription.ts";
export type { PublishOptions } from "./publisher.ts";
export { clientRoles } from "./roles.ts";
export { ApplicationError } from "../wamp/errors.ts";
export type { Dict, List, Message } from "../wamp/messages.ts";
export type { Peer, PeerInfo, SessionAcceptor, SessionHandle } from "../router/peer.ts";
export type { SerializerName } from "../serializer/serializer.ts";
