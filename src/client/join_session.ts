/**
 * The opening handshake: HELLO → (CHALLENGE → AUTHENTICATE)* → WELCOME or
 * ABORT.
 *
 * @module
 */

import { ApplicationError, ProtocolViolation } from "../wamp/errors.ts";
import { type Dict, type Message, MessageType, messageTypeName } from "../wamp/messages.ts";
import { ErrorUri, XbarUri } from "../wamp/uris.ts";
import type { ClientTransport } from "./client_transport.ts";
import { clientRoles } from "./roles.ts";
import { Session, type SessionOptions } from "./session.ts";
import { SessionClosedError } from "./session_closed_error.ts";

/** Answers a CHALLENGE: returns the AUTHENTICATE signature. */
export type ChallengeHandler = (method: string, extra: Dict) => string | Promise<string>;

/** Options of `joinSession`. */
export interface JoinOptions extends SessionOptions {
  /** `HELLO.Details.authmethods`, e.g. `["ticket"]`, `["wampcra"]`, `["cryptosign"]`. Default: none (anonymous). */
  authmethods?: string[];
  /** `HELLO.Details.authid`. */
  authid?: string;
  /** `HELLO.Details.authrole` (a role requested from the router). */
  authrole?: string;
  /** `HELLO.Details.authextra` (e.g. the cryptosign `pubkey`). */
  authextra?: Dict;
  /** Answers CHALLENGE messages. Without it, a CHALLENGE fails the join. */
  onchallenge?: ChallengeHandler;
  /** `HELLO.Details.roles`. Default: `clientRoles()` (everything this client implements). */
  roles?: Dict;
  /** `HELLO.Details.agent`. Default `xbar-client`. */
  agent?: string;
  /** More `HELLO.Details` entries, sent as given. */
  details?: Dict;
}

function noop(): void {}

/** `HELLO.Details` for `options`. */
export function helloDetails(options: JoinOptions): Dict {
  const d: Dict = { agent: options.agent ?? "xbar-client", roles: options.roles ?? clientRoles() };
  if (options.authmethods !== undefined) d.authmethods = options.authmethods;
  if (options.authid !== undefined) d.authid = options.authid;
  if (options.authrole !== undefined) d.authrole = options.authrole;
  if (options.authextra !== undefined) d.authextra = options.authextra;
  if (options.details !== undefined) Object.assign(d, options.details);
  return d;
}

/**
 * Joins `realm` over `transport`. Resolves with the open `Session` on
 * WELCOME. Rejects with `ApplicationError` (the ABORT reason as `uri`, the
 * ABORT details as `kwargs`) when the router refuses, with
 * `SessionClosedError` when the transport closes first, with the
 * `onchallenge` handler's error when it throws, and with `ProtocolViolation`
 * when the router sends something else. The transport is closed on failure.
 */
export function joinSession(
  transport: ClientTransport,
  realm: string,
  options: JoinOptions = {},
): Promise<Session> {
  if (!transport.isOpen) {
    return Promise.reject(
      new SessionClosedError(XbarUri.TRANSPORT_LOST, {
        message: "the transport is already closed",
      }),
    );
  }
  return new Promise<Session>((resolve, reject) => {
    let done = false;
    const fail = (err: unknown, abort?: [string, string]) => {
      if (done) return;
      done = true;
      if (abort !== undefined) transport.send([MessageType.ABORT, { message: abort[1] }, abort[0]]);
      transport.onmessage = noop;
      transport.onclose = noop;
      transport.close();
      reject(err);
    };
    const answer = async (method: string, extra: Dict) => {
      if (options.onchallenge === undefined) {
        const text = `no onchallenge handler to answer a ${method} challenge`;
        fail(new ApplicationError(ErrorUri.AUTHENTICATION_FAILED, { message: text }), [
          ErrorUri.AUTHENTICATION_FAILED,
          text,
        ]);
        return;
      }
      let signature: string;
      try {
        signature = await options.onchallenge(method, extra);
      } catch (err) {
        const text = `the ${method} challenge handler failed: ${
          err instanceof Error ? err.message : err
        }`;
        fail(err, [ErrorUri.AUTHENTICATION_FAILED, text]);
        return;
      }
      if (!done) transport.send([MessageType.AUTHENTICATE, signature, {}]);
    };
    transport.onclose = (reason?: string) => {
      fail(
        new SessionClosedError(XbarUri.TRANSPORT_LOST, {
          message: reason ?? "the transport closed during the opening handshake",
        }),
      );
    };
    transport.onmessage = (msg: Message) => {
      if (done) return;
      switch (msg[0]) {
        case MessageType.WELCOME:
          done = true;
          resolve(new Session(transport, realm, msg, options));
          return;
        case MessageType.ABORT: {
          const details = msg[1];
          const text = typeof details.message === "string"
            ? `${msg[2]}: ${details.message}`
            : msg[2];
          fail(new ApplicationError(msg[2], { message: text, kwargs: details }));
          return;
        }
        case MessageType.CHALLENGE:
          answer(msg[1], msg[2]);
          return;
        default: {
          const text = `unexpected ${
            messageTypeName[msg[0]] ?? msg[0]
          } message during the opening handshake`;
          fail(new ProtocolViolation(text), [ErrorUri.PROTOCOL_VIOLATION, text]);
        }
      }
    };
    transport.send([MessageType.HELLO, realm, helloDetails(options)]);
  });
}
