/**
 * WAMP message type codes and message shapes (Basic and Advanced Profiles).
 *
 * Messages are kept in their wire form: a plain array whose first element is
 * the type code. Parsing validates the array in place (see `parse.ts`), so a
 * decoded frame becomes a typed message without copying. The union is
 * discriminated on element 0.
 *
 * @module
 */

/** A WAMP dictionary (always a plain object). */
export type Dict = Record<string, unknown>;
/** A WAMP list of positional arguments. */
export type List = unknown[];

/** Message type codes, as in the WAMP spec. */
export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

/** Any message type code. */
export type MessageTypeCode = typeof MessageType[keyof typeof MessageType];

/** Reverse map: code → name, for logs and error texts. */
export const messageTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(MessageType).map(([k, v]) => [v, k]),
);

/** `[HELLO, Realm|uri, Details|dict]` */
export type Hello = [typeof MessageType.HELLO, string, Dict];
/** `[WELCOME, Session|id, Details|dict]` */
export type Welcome = [typeof MessageType.WELCOME, number, Dict];
/** `[ABORT, Details|dict, Reason|uri]` */
export type Abort = [typeof MessageType.ABORT, Dict, string];
/** `[CHALLENGE, AuthMethod|string, Extra|dict]` */
export type Challenge = [typeof MessageType.CHALLENGE, string, Dict];
/** `[AUTHENTICATE, Signature|string, Extra|dict]` */
export type Authenticate = [typeof MessageType.AUTHENTICATE, string, Dict];
/** `[GOODBYE, Details|dict, Reason|uri]` */
export type Goodbye = [typeof MessageType.GOODBYE, Dict, string];
/** `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments?, ArgumentsKw?]` */
export type ErrorMsg = [
  typeof MessageType.ERROR,
  number,
  number,
  Dict,
  string,
  List?,
  Dict?,
];
/** `[PUBLISH, Request|id, Options|dict, Topic|uri, Arguments?, ArgumentsKw?]` */
export type Publish = [typeof MessageType.PUBLISH, number, Dict, string, List?, Dict?];
/** `[PUBLISHED, PUBLISH.Request|id, Publication|id]` */
export type Published = [typeof MessageType.PUBLISHED, number, number];
/** `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]` */
export type Subscribe = [typeof MessageType.SUBSCRIBE, number, Dict, string];
/** `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]` */
export type Subscribed = [typeof MessageType.SUBSCRIBED, number, number];
/** `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]` */
export type Unsubscribe = [typeof MessageType.UNSUBSCRIBE, number, number];
/** `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id, Details?]` (request 0 + details when router-initiated) */
export type Unsubscribed = [typeof MessageType.UNSUBSCRIBED, number, Dict?];
/** `[EVENT, Subscription|id, Publication|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type Event = [typeof MessageType.EVENT, number, number, Dict, List?, Dict?];
/** `[CALL, Request|id, Options|dict, Procedure|uri, Arguments?, ArgumentsKw?]` */
export type Call = [typeof MessageType.CALL, number, Dict, string, List?, Dict?];
/** `[CANCEL, CALL.Request|id, Options|dict]` */
export type Cancel = [typeof MessageType.CANCEL, number, Dict];
/** `[RESULT, CALL.Request|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type Result = [typeof MessageType.RESULT, number, Dict, List?, Dict?];
/** `[REGISTER, Request|id, Options|dict, Procedure|uri]` */
export type Register = [typeof MessageType.REGISTER, number, Dict, string];
/** `[REGISTERED, REGISTER.Request|id, Registration|id]` */
export type Registered = [typeof MessageType.REGISTERED, number, number];
/** `[UNREGISTER, Request|id, REGISTERED.Registration|id]` */
export type Unregister = [typeof MessageType.UNREGISTER, number, number];
/** `[UNREGISTERED, UNREGISTER.Request|id, Details?]` (request 0 + details when router-initiated) */
export type Unregistered = [typeof MessageType.UNREGISTERED, number, Dict?];
/** `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type Invocation = [typeof MessageType.INVOCATION, number, number, Dict, List?, Dict?];
/** `[INTERRUPT, INVOCATION.Request|id, Options|dict]` */
export type Interrupt = [typeof MessageType.INTERRUPT, number, Dict];
/** `[YIELD, INVOCATION.Request|id, Options|dict, Arguments?, ArgumentsKw?]` */
export type Yield = [typeof MessageType.YIELD, number, Dict, List?, Dict?];

/** Every WAMP message, discriminated on element 0. */
export type Message =
  | Hello
  | Welcome
  | Abort
  | Challenge
  | Authenticate
  | Goodbye
  | ErrorMsg
  | Publish
  | Published
  | Subscribe
  | Subscribed
  | Unsubscribe
  | Unsubscribed
  | Event
  | Call
  | Cancel
  | Result
  | Register
  | Registered
  | Unregister
  | Unregistered
  | Invocation
  | Interrupt
  | Yield;

/** Messages a client may send to a router. */
export type ClientMessage =
  | Hello
  | Authenticate
  | Abort
  | Goodbye
  | ErrorMsg
  | Publish
  | Subscribe
  | Unsubscribe
  | Call
  | Cancel
  | Register
  | Unregister
  | Yield;

/** Messages a router may send to a client. */
export type RouterMessage =
  | Welcome
  | Abort
  | Challenge
  | Goodbye
  | ErrorMsg
  | Published
  | Subscribed
  | Unsubscribed
  | Event
  | Result
  | Registered
  | Unregistered
  | Invocation
  | Interrupt;

/**
 * Appends `args`/`kwargs` to a message the way the spec wants: omitted when
 * empty, `args` sent as `[]` when only `kwargs` is present.
 */
export function withPayload<T extends unknown[]>(
  head: T,
  args: List | undefined,
  kwargs: Dict | undefined,
): T {
  const hasKw = kwargs !== undefined && Object.keys(kwargs).length > 0;
  if (hasKw) {
    head.push(args ?? [], kwargs);
  } else if (args !== undefined && args.length > 0) {
    head.push(args);
  }
  return head;
}
