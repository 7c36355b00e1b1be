/**
 * Installs a realm's roles from Crossbar-style role config: a role with
 * `authorizer` gets a `DynamicAuthorizer`, any other its static
 * `permissions`.
 *
 * @module
 */

import type { Realm } from "../realm.ts";
import { type Permission, StaticAuthorizer } from "./authorizer.ts";
import { DynamicAuthorizer, type DynamicAuthorizerOptions } from "./dynamic_authorizer.ts";

/** A role as configured: static permissions or a dynamic authorizer procedure. */
export interface RoleSpec {
  /** Role name. */
  name: string;
  /** Static permissions (ignored when `authorizer` is set). */
  permissions?: Permission[];
  /** URI of a dynamic authorizer procedure on the same realm. */
  authorizer?: string;
}

/**
 * Sets the authorizer of every role in `roles` on `realm` (replacing what the
 * role had). Note: once a realm has roles, sessions may join only under a
 * role it has.
 */
export function configureRoles(
  realm: Realm,
  roles: RoleSpec[],
  options: DynamicAuthorizerOptions = {},
): void {
  for (const r of roles) {
    realm.setAuthorizer(
      r.name,
      r.authorizer !== undefined
        ? new DynamicAuthorizer(realm, r.authorizer, options)
        : new StaticAuthorizer(r.permissions ?? []),
    );
  }
}
