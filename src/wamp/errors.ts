/**
 * The two error families of xbar (GUIDE habit 4): a protocol violation aborts
 * the session; an application error goes back to the requester as ERROR.
 *
 * @module
 */

import type { Dict, List } from "./messages.ts";
import { ErrorUri } from "./uris.ts";

/** The peer broke the protocol: the session is ABORTed with `uri` and the transport closed. */
export class ProtocolViolation extends Error {
  /** The ABORT reason URI (default `wamp.error.protocol_violation`). */
  readonly uri: string;
  /**
   * @param message human-readable detail, sent as ABORT `Details.message`
   * @param uri the ABORT reason
   */
  constructor(message: string, uri: string = ErrorUri.PROTOCOL_VIOLATION) {
    super(message);
    this.name = "ProtocolViolation";
    this.uri = uri;
  }
}

/** A request failed: answered with ERROR `uri`, the session goes on. */
export class ApplicationError extends Error {
  /** The error URI. */
  readonly uri: string;
  /** Positional error payload. */
  readonly args?: List;
  /** Keyword error payload. */
  readonly kwargs?: Dict;
  /**
   * @param uri the error URI
   * @param options `message` (sent as args[0] when no args are given), `args`, `kwargs`
   */
  constructor(uri: string, options: { message?: string; args?: List; kwargs?: Dict } = {}) {
    super(options.message ?? uri);
    this.name = "ApplicationError";
    this.uri = uri;
    this.args = options.args ?? (options.message !== undefined ? [options.message] : undefined);
    this.kwargs = options.kwargs;
  }
}
