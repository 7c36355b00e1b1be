/**
 * Roles and features: what xbar announces in WELCOME, and what a client
 * announced in HELLO.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";

/** The router roles and advanced features xbar announces in WELCOME.Details.roles. */
export const ROUTER_ROLES: Dict = Object.freeze({
  broker: {
    features: {
      publisher_identification: true,
      publisher_exclusion: true,
      subscriber_blackwhite_listing: true,
      pattern_based_subscription: true,
      event_retention: true,
      event_history: true,
      subscription_meta_api: true,
      session_meta_api: true,
      testament_meta_api: true,
    },
  },
  dealer: {
    features: {
      caller_identification: true,
      call_canceling: true,
      call_timeout: true,
      progressive_call_results: true,
      progressive_call_invocations: true,
      pattern_based_registration: true,
      shared_registration: true,
      registration_meta_api: true,
      session_meta_api: true,
      testament_meta_api: true,
    },
  },
});

/** The client features the router needs to know about, read once from HELLO.Details.roles. */
export interface ClientFeatures {
  /** Callee accepts progressive YIELDs (progressive_call_results). */
  calleeProgressiveResults: boolean;
  /** Callee accepts INVOCATIONs with progress=true (progressive_call_invocations). */
  calleeProgressiveInvocations: boolean;
  /** Callee understands INTERRUPT (call_canceling). */
  calleeCanceling: boolean;
  /** Callee handles INVOCATION.Details.timeout itself (call_timeout). */
  calleeTimeout: boolean;
  /** Callee accepts router-initiated UNREGISTERED (registration_revocation). */
  calleeRevocation?: boolean;
}

function feature(roles: unknown, role: string, name: string): boolean {
  if (typeof roles !== "object" || roles === null) return false;
  const r = (roles as Dict)[role];
  if (typeof r !== "object" || r === null) return false;
  const f = (r as Dict).features;
  if (typeof f !== "object" || f === null) return false;
  return (f as Dict)[name] === true;
}

/** Reads the features the router cares about from HELLO.Details.roles. */
export function readClientFeatures(roles: unknown): ClientFeatures {
  const bits = (feature(roles, "callee", "progressive_call_results") ? 1 : 0) |
    (feature(roles, "callee", "progressive_call_invocations") ? 2 : 0) |
    (feature(roles, "callee", "call_canceling") ? 4 : 0) |
    (feature(roles, "callee", "call_timeout") ? 8 : 0) |
    (feature(roles, "callee", "registration_revocation") ? 16 : 0);
  // One shared (frozen) object per combination: sessions keep no copy of their own.
  return SHARED_FEATURES[bits] ??= Object.freeze({
    calleeProgressiveResults: (bits & 1) !== 0,
    calleeProgressiveInvocations: (bits & 2) !== 0,
    calleeCanceling: (bits & 4) !== 0,
    calleeTimeout: (bits & 8) !== 0,
    calleeRevocation: (bits & 16) !== 0,
  });
}

const SHARED_FEATURES: ClientFeatures[] = [];

/** True when HELLO.Details.roles names at least one known client role. */
export function hasClientRole(roles: unknown): boolean {
  if (typeof roles !== "object" || roles === null || Array.isArray(roles)) return false;
  const r = roles as Dict;
  return "caller" in r || "callee" in r || "publisher" in r || "subscriber" in r;
}
