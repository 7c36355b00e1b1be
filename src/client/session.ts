/**
 * A joined WAMP session: caller, callee, publisher and subscriber in one
 * object, over any `ClientTransport`. Create it with `joinSession()`.
 *
 * Every request either settles or rejects: when the session ends (GOODBYE,
 * ABORT, lost transport, or a protocol violation by the router) every
 * outstanding request rejects with `SessionClosedError`, running procedure
 * handlers see their `signal` abort, and `onleave` fires once.
 *
 * @module
 */

import type { Dict, ErrorMsg, List, Message, Welcome } from "../wamp/messages.ts";
import { MessageType, messageTypeName } from "../wamp/messages.ts";
import { IdSequence } from "../wamp/ids.ts";
import { CloseUri, ErrorUri, XbarUri } from "../wamp/uris.ts";
import type { CallResult } from "./call_result.ts";
import { Caller, type CallOptions, type ProgressiveCall } from "./caller.ts";
import { Callee } from "./callee.ts";
import type { ClientTransport } from "./client_transport.ts";
import { Deferred } from "./_deferred.ts";
import { Publisher, type PublishOptions } from "./publisher.ts";
import type { ProcedureHandler, RegisterOptions, Registration } from "./registration.ts";
import { routerFeatures } from "./roles.ts";
import { SessionClosedError } from "./session_closed_error.ts";
import { Subscriber } from "./subscriber.ts";
import type { EventHandler, SubscribeOptions, Subscription } from "./subscription.ts";

/** Options of a session (also accepted by `joinSession`). */
export interface SessionOptions {
  /**
   * Receives exceptions thrown by event handlers, progress handlers and
   * `onleave`. Default: `console.error`.
   */
  onerror?: (err: unknown) => void;
  /** Milliseconds `leave()` waits for the router's GOODBYE before closing anyway. Default 5000. */
  leaveTimeout?: number;
}

/** How a session ended. */
export interface CloseInfo {
  /** GOODBYE/ABORT reason URI, or `xbar.close.transport_lost`. */
  reason: string;
  /** GOODBYE/ABORT details (`message` holds a human-readable text when known). */
  details: Dict;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

function noop(): void {}

function defaultOnError(err: unknown): void {
  console.error("xbar client: uncaught error in a handler:", err);
}

/** A joined WAMP session. */
export class Session {
  /** Session id from WELCOME. */
  readonly id: number;
  /** The realm joined. */
  readonly realm: string;
  /** WELCOME.Details (authid, authrole, roles of the router, ...). */
  readonly details: Dict;
  /** The transport the session runs on. */
  readonly transport: ClientTransport;
  /** Settles once, when the session has ended, with its reason. Never rejects. */
  readonly closed: Promise<CloseInfo>;
  /** Called once when the session ends, with the reason URI and details. */
  onleave: (reason: string, details: Dict) => void = noop;

  #state = OPEN;
  #caller: Caller;
  #callee: Callee;
  #publisher: Publisher;
  #subscriber: Subscriber;
  #closedDeferred = new Deferred<CloseInfo>();
  #closeError: SessionClosedError | undefined = undefined;
  #onerror: (err: unknown) => void;
  #leaveTimeout: number;
  #leaveTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * Internal: made by `joinSession()` on WELCOME. Takes over the transport's
   * `onmessage` and `onclose`.
   */
  constructor(
    transport: ClientTransport,
    realm: string,
    welcome: Welcome,
    options: SessionOptions = {},
  ) {
    this.transport = transport;
    this.realm = realm;
    this.id = welcome[1];
    this.details = welcome[2];
    this.closed = this.#closedDeferred.promise;
    this.#onerror = options.onerror ?? defaultOnError;
    this.#leaveTimeout = options.leaveTimeout ?? 5000;
    const ids = new IdSequence();
    this.#caller = new Caller(
      transport,
      ids,
      routerFeatures(this.details, "dealer"),
      this.#onerror,
    );
    this.#callee = new Callee(transport, ids);
    this.#publisher = new Publisher(transport, ids);
    this.#subscriber = new Subscriber(transport, ids, this.#onerror);
    transport.onmessage = this.#dispatch;
    transport.onclose = (reason?: string) => {
      this.#end(XbarUri.TRANSPORT_LOST, { message: reason ?? "transport closed" });
    };
  }

  /** True until the session starts leaving or ends. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /**
   * Calls `procedure`. Resolves with its result; rejects with
   * `ApplicationError` on ERROR (its `uri`, `args`, `kwargs`), or with
   * `SessionClosedError` when the session ends first.
   */
  call(procedure: string, args?: List, kwargs?: Dict, options?: CallOptions): Promise<CallResult> {
    if (this.#state !== OPEN) return Promise.reject(this.#closeErr());
    return this.#caller.call(procedure, args, kwargs, options);
  }

  /**
   * Starts a call sent in chunks (progressive call invocations): send chunks
   * with `send()`, the last with `end()`. Throws `ApplicationError`
   * `wamp.error.feature_not_supported` when the router does not announce the
   * feature, `SessionClosedError` when the session is not open.
   */
  callProgressive(procedure: string, options?: CallOptions): ProgressiveCall {
    if (this.#state !== OPEN) throw this.#closeErr();
    return this.#caller.progressive(procedure, options);
  }

  /** Registers `handler` for `procedure`; resolves on REGISTERED, rejects with `ApplicationError` on ERROR. */
  register(
    procedure: string,
    handler: ProcedureHandler,
    options?: RegisterOptions,
  ): Promise<Registration> {
    if (this.#state !== OPEN) return Promise.reject(this.#closeErr());
    return this.#callee.register(procedure, handler, options);
  }

  /** Subscribes `handler` to `topic`; resolves on SUBSCRIBED, rejects with `ApplicationError` on ERROR. */
  subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.#state !== OPEN) return Promise.reject(this.#closeErr());
    return this.#subscriber.subscribe(topic, handler, options);
  }

  /**
   * Publishes to `topic`. With `acknowledge: true` resolves with the
   * publication id (rejects with `ApplicationError` on ERROR); otherwise
   * resolves with `undefined` once sent.
   */
  publish(
    topic: string,
    args?: List,
    kwargs?: Dict,
    options?: PublishOptions,
  ): Promise<number | undefined> {
    if (this.#state !== OPEN) return Promise.reject(this.#closeErr());
    return this.#publisher.publish(topic, args, kwargs, options);
  }

  /**
   * Leaves the realm: sends GOODBYE with `reason` (default
   * `wamp.close.normal`), waits for the router's GOODBYE (at most
   * `leaveTimeout`), then closes the transport. Outstanding requests reject
   * at once. Resolves with how the session ended.
   */
  leave(reason: string = CloseUri.NORMAL, message?: string): Promise<CloseInfo> {
    if (this.#state !== OPEN) return this.closed;
    this.#state = CLOSING;
    this.#stopRoles(
      new SessionClosedError(reason, { message: message ?? "the session is leaving" }),
    );
    this.transport.send([MessageType.GOODBYE, message !== undefined ? { message } : {}, reason]);
    this.#leaveTimer = setTimeout(() => {
      this.#leaveTimer = undefined;
      this.#end(reason, { message: "no GOODBYE reply from the router" });
    }, this.#leaveTimeout);
    return this.closed;
  }

  /** Ends the session at once: sends ABORT with `reason` and closes the transport. */
  abort(reason: string, message?: string): void {
    if (this.#state === CLOSED) return;
    const details: Dict = message !== undefined ? { message } : {};
    this.transport.send([MessageType.ABORT, details, reason]);
    this.#end(reason, details);
  }

  #closeErr(): SessionClosedError {
    return this.#closeError ?? new SessionClosedError(CloseUri.NORMAL);
  }

  #dispatch = (msg: Message): void => {
    if (this.#state !== OPEN) {
      if (
        this.#state === CLOSING && (msg[0] === MessageType.GOODBYE || msg[0] === MessageType.ABORT)
      ) {
        this.#end(msg[2], msg[1]);
      }
      return;
    }
    switch (msg[0]) {
      case MessageType.RESULT:
        this.#caller.onResult(msg);
        return;
      case MessageType.INVOCATION:
        this.#callee.onInvocation(msg);
        return;
      case MessageType.EVENT:
        this.#subscriber.onEvent(msg);
        return;
      case MessageType.PUBLISHED:
        this.#publisher.onPublished(msg);
        return;
      case MessageType.ERROR:
        this.#onError(msg);
        return;
      case MessageType.INTERRUPT:
        this.#callee.onInterrupt(msg);
        return;
      case MessageType.REGISTERED:
        this.#callee.onRegistered(msg);
        return;
      case MessageType.UNREGISTERED:
        this.#callee.onUnregistered(msg);
        return;
      case MessageType.SUBSCRIBED:
        this.#subscriber.onSubscribed(msg);
        return;
      case MessageType.UNSUBSCRIBED:
        this.#subscriber.onUnsubscribed(msg);
        return;
      case MessageType.GOODBYE:
        this.transport.send([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
        this.#end(msg[2], msg[1]);
        return;
      case MessageType.ABORT:
        this.#end(msg[2], msg[1]);
        return;
      case MessageType.HELLO:
      case MessageType.WELCOME:
      case MessageType.CHALLENGE:
      case MessageType.AUTHENTICATE:
      case MessageType.PUBLISH:
      case MessageType.SUBSCRIBE:
      case MessageType.UNSUBSCRIBE:
      case MessageType.CALL:
      case MessageType.CANCEL:
      case MessageType.REGISTER:
      case MessageType.UNREGISTER:
      case MessageType.YIELD:
        this.#violation(`unexpected ${messageTypeName[msg[0]]} message in an open session`);
        return;
      default: {
        const never: never = msg;
        this.#violation(`unknown message ${JSON.stringify(never)}`);
      }
    }
  };

  #onError(msg: ErrorMsg): void {
    switch (msg[1]) {
      case MessageType.CALL:
        this.#caller.onError(msg);
        return;
      case MessageType.REGISTER:
      case MessageType.UNREGISTER:
        this.#callee.onError(msg);
        return;
      case MessageType.SUBSCRIBE:
      case MessageType.UNSUBSCRIBE:
        this.#subscriber.onError(msg);
        return;
      case MessageType.PUBLISH:
        this.#publisher.onError(msg);
        return;
      default:
        this.#violation(`ERROR for a request of type ${msg[1]}, which this client never sends`);
    }
  }

  #violation(text: string): void {
    this.abort(ErrorUri.PROTOCOL_VIOLATION, text);
  }

  #stopRoles(err: SessionClosedError): void {
    if (this.#closeError !== undefined) return;
    this.#closeError = err;
    this.#caller.closeAll(err);
    this.#callee.closeAll(err);
    this.#publisher.closeAll(err);
    this.#subscriber.closeAll(err);
  }

  #end(reason: string, details: Dict): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (this.#leaveTimer !== undefined) {
      clearTimeout(this.#leaveTimer);
      this.#leaveTimer = undefined;
    }
    this.#stopRoles(new SessionClosedError(reason, details));
    this.transport.onmessage = noop;
    this.transport.onclose = noop;
    this.transport.close();
    try {
      this.onleave(reason, details);
    } catch (err) {
      this.#onerror(err);
    }
    this.#closedDeferred.resolve({ reason, details });
  }
}
