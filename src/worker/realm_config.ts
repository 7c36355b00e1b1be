/**
 * A realm from the node config (Crossbar's shape) as the router takes it.
 *
 * @module
 */

import type { RealmConfig as NodeRealmConfig } from "../config/types.ts";
import type { RealmConfig } from "../router/realm.ts";
import type { RoleSpec } from "../router/authz/configure_roles.ts";

/** The router's realm config for `realm`, plus the roles to configure after adding it (all of them). */
export function routerRealmConfig(
  realm: NodeRealmConfig,
): { realm: RealmConfig; roles: RoleSpec[] } {
  const roles: RoleSpec[] = realm.roles.map((r) => ({
    name: r.name,
    permissions: r.permissions.map((p) => ({
      uri: p.uri,
      match: p.match,
      allow: { ...p.allow },
      disclose: { ...p.disclose },
    })),
    ...(r.authorizer !== undefined ? { authorizer: r.authorizer } : {}),
  }));
  const limit = realm.store?.limit;
  return {
    realm: {
      name: realm.name,
      roles: roles.filter((r) => r.authorizer === undefined).map((r) => ({
        name: r.name,
        permissions: r.permissions,
      })),
      eventHistory: (realm.store?.event_history ?? []).map((h) => ({
        uri: h.uri,
        match: h.match,
        limit: h.limit ?? limit ?? 100,
      })),
      uriCheck: realm.options.uri_check,
      ...(realm.trace ? { trace: true } : {}),
      enableMetaApi: realm.options.enable_meta_api,
      ...(realm.stats
        ? {
          stats: {
            ratedMessageSize: realm.stats.rated_message_size,
            triggerAfterRatedMessages: realm.stats.trigger_after_rated_messages,
            triggerAfterDuration: realm.stats.trigger_after_duration,
            triggerOnJoin: realm.stats.trigger_on_join,
            triggerOnLeave: realm.stats.trigger_on_leave,
          },
        }
        : {}),
    },
    roles: roles.filter((r) => r.authorizer !== undefined),
  };
}
