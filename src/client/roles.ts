/**
 * The roles and advanced features this client announces in HELLO, and how it
 * reads the router's announcement in WELCOME.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";

/**
 * `HELLO.Details.roles` for this client: a fresh object each time.
 *
 * Both spellings of call cancelling are announced (`call_canceling` is the
 * spec's feature name; the Progressive Call Invocations section spells it
 * `call_cancelling`). The callee does not announce `call_timeout`: it does
 * not enforce INVOCATION timeouts itself, so the dealer must.
 */
export function clientRoles(): Dict {
  return {
    caller: {
      features: {
        call_canceling: true,
        call_cancelling: true,
        call_timeout: true,
        caller_identification: true,
        progressive_call_results: true,
        progressive_call_invocations: true,
      },
    },
    callee: {
      features: {
        call_canceling: true,
        call_cancelling: true,
        caller_identification: true,
        pattern_based_registration: true,
        shared_registration: true,
        progressive_call_results: true,
        progressive_call_invocations: true,
        registration_revocation: true,
      },
    },
    publisher: {
      features: {
        publisher_exclusion: true,
        publisher_identification: true,
        subscriber_blackwhite_listing: true,
      },
    },
    subscriber: {
      features: {
        pattern_based_subscription: true,
        publisher_identification: true,
        subscription_revocation: true,
      },
    },
  };
}

/** `WELCOME.Details.roles.<role>.features` of the router, or `{}` when absent. */
export function routerFeatures(welcomeDetails: Dict, role: "dealer" | "broker"): Dict {
  const roles = welcomeDetails.roles;
  if (roles === null || typeof roles !== "object") return {};
  const r = (roles as Dict)[role];
  if (r === null || typeof r !== "object") return {};
  const f = (r as Dict).features;
  return f !== null && typeof f === "object" ? f as Dict : {};
}
