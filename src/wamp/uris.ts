/**
 * Every standard WAMP error and close URI, in one place. Code never spells
 * these inline (GUIDE habit 4).
 *
 * @module
 */

/** Standard `wamp.error.*` URIs (spec: Predefined URIs). */
export const ErrorUri = {
  // Interaction
  INVALID_URI: "wamp.error.invalid_uri",
  NO_SUCH_PROCEDURE: "wamp.error.no_such_procedure",
  PROCEDURE_ALREADY_EXISTS: "wamp.error.procedure_already_exists",
  NO_SUCH_REGISTRATION: "wamp.error.no_such_registration",
  NO_SUCH_SUBSCRIPTION: "wamp.error.no_such_subscription",
  INVALID_ARGUMENT: "wamp.error.invalid_argument",
  RUNTIME_ERROR: "wamp.error.runtime_error",
  // Session close / protocol
  PROTOCOL_VIOLATION: "wamp.error.protocol_violation",
  // Authentication / authorization
  NOT_AUTHORIZED: "wamp.error.not_authorized",
  AUTHORIZATION_FAILED: "wamp.error.authorization_failed",
  AUTHENTICATION_FAILED: "wamp.error.authentication_failed",
  NO_AUTH_METHOD: "wamp.error.no_auth_method",
  NO_SUCH_REALM: "wamp.error.no_such_realm",
  NO_SUCH_ROLE: "wamp.error.no_such_role",
  NO_SUCH_PRINCIPAL: "wamp.error.no_such_principal",
  // Advanced
  CANCELED: "wamp.error.canceled",
  TIMEOUT: "wamp.error.timeout",
  OPTION_NOT_ALLOWED: "wamp.error.option_not_allowed",
  OPTION_DISALLOWED_DISCLOSE_ME: "wamp.error.option_disallowed.disclose_me",
  NO_ELIGIBLE_CALLEE: "wamp.error.no_eligible_callee",
  NO_SUCH_SESSION: "wamp.error.no_such_session",
  PAYLOAD_SIZE_EXCEEDED: "wamp.error.payload_size_exceeded",
  FEATURE_NOT_SUPPORTED: "wamp.error.feature_not_supported",
  UNAVAILABLE: "wamp.error.unavailable",
} as const;

/** Standard `wamp.close.*` reasons for GOODBYE and ABORT. */
export const CloseUri = {
  NORMAL: "wamp.close.normal",
  CLOSE_REALM: "wamp.close.close_realm",
  GOODBYE_AND_OUT: "wamp.close.goodbye_and_out",
  SYSTEM_SHUTDOWN: "wamp.close.system_shutdown",
  KILLED: "wamp.close.killed",
} as const;

/** xbar's own close reasons, for cases the spec has no URI for. */
export const XbarUri = {
  /** The session's outbound queue exceeded its bound: the peer reads too slowly. */
  SLOW_CONSUMER: "xbar.close.slow_consumer",
  /** The transport went away without GOODBYE. */
  TRANSPORT_LOST: "xbar.close.transport_lost",
  /** The session did not complete its opening handshake in time. */
  HANDSHAKE_TIMEOUT: "xbar.close.handshake_timeout",
} as const;

/** Meta event topics that more than one module names. */
export const MetaTopic = {
  /** Per-session message statistics (Crossbar's realm `stats`): `[session_info, stats]`. */
  SESSION_ON_STATS: "wamp.session.on_stats",
} as const;
