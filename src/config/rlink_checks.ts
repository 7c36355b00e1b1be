/**
 * Rules for a router worker's `rlinks` that span sections: the worker must
 * be able to check the peer's key (mutual authentication: a static
 * cryptosign principal with role `rlink` on one of its transports lists the
 * keys it trusts).
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import type { RouterWorkerConfig } from "./types.ts";
import { RLINK_ROLE, rlinkTrustedKeys } from "./rlink_trust.ts";

/** Checks the rlinks of router worker `wi` (`realmIndex`: each realm's index in the file). */
export function checkRlinks(
  c: Checker,
  w: RouterWorkerConfig,
  wi: number,
  realmIndex: number[],
): void {
  const trusted = rlinkTrustedKeys(w);
  w.realms.forEach((realm, ri) => {
    realm.rlinks.forEach((l, li) => {
      const lp = ["workers", wi, "realms", realmIndex[ri], "rlinks", li];
      if (trusted.length === 0) {
        c.error(
          lp,
          `rlink "${l.id}": this router worker cannot check the peer's key: list the peer node's public key ` +
            `in "authorized_keys" of a static cryptosign principal with role "${RLINK_ROLE}" on one of its ` +
            `transports (as in Crossbar's rlink setup; it also lets the peer link back)`,
        );
      }
    });
  });
}
