/**
 * Realms of a router worker (Crossbar "Router Realms", "Authorization",
 * "Event History", router links): name, roles with permissions or a dynamic
 * authorizer, options, store, rlinks.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import {
  ID,
  ID_TEXT,
  LOOSE_PATTERN_URI,
  PATTERN_URI,
  REALM,
  REALM_TEXT,
  STRICT_URI,
  STRICT_URI_TEXT,
} from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_REALM_OPTIONS, DEFAULT_STORE_LIMIT, generateId } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type {
  PermissionConfig,
  RealmConfig,
  RealmStatsConfig,
  RealmStoreConfig,
  RLinkConfig,
  RoleConfig,
  UriMatch,
} from "./types.ts";
import { checkConnectingTransport } from "./validate_transport.ts";

const MATCHES = ["exact", "prefix", "wildcard"] as const;
const V1_PERMISSION = "config version 1 shape: write it inside allow, e.g. allow: {publish: true}";

/** Autobahn's `convert_starred_uri`: `a.b.*` → prefix `a.b.`, `a.*.c` → wildcard `a..c`, else exact. */
export function convertStarredUri(uri: string): { uri: string; match: UriMatch } {
  const stars = uri.split("*").length - 1;
  if (stars === 0) return { uri, match: "exact" };
  if (stars === 1 && uri.endsWith("*")) return { uri: uri.slice(0, -1), match: "prefix" };
  return { uri: uri.replaceAll("*", ""), match: "wildcard" };
}

/** The permission/history URI pattern of a realm's `uri_check`. */
function patternUri(strict: boolean): RegExp {
  return strict ? PATTERN_URI : LOOSE_PATTERN_URI;
}

function uriAndMatch(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
  strict: boolean,
): { uri: string; match: UriMatch } {
  const raw = c.string([...path, "uri"], o.uri);
  const explicit = c.oneOf([...path, "match"], o.match, MATCHES);
  if (raw === undefined) return { uri: "", match: explicit ?? "exact" };
  let result: { uri: string; match: UriMatch };
  if (o.match === undefined) result = convertStarredUri(raw);
  else {
    if (raw.includes("*")) {
      c.error(
        [...path, "uri"],
        `"*" is only understood without "match" (starred URI); with match "${o.match}" write ${
          JSON.stringify(convertStarredUri(raw).uri)
        }`,
      );
    }
    result = { uri: raw, match: explicit ?? "exact" };
  }
  const starredError = o.match !== undefined && raw.includes("*");
  if (!starredError && !patternUri(strict).test(result.uri)) {
    c.error(
      [...path, "uri"],
      strict
        ? `must be a strict WAMP URI (lowercase a-z, 0-9, _ components separated by dots; the realm has uri_check: strict), got ${
          JSON.stringify(raw)
        }`
        : `must be a WAMP URI (components without whitespace, "." or "#", separated by dots), got ${
          JSON.stringify(raw)
        }`,
    );
  }
  return result;
}

function permission(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  strict: boolean,
): PermissionConfig | undefined {
  const o = c.object(path, v, {
    required: ["uri"],
    optional: ["match", "allow", "disclose", "cache"],
    hints: {
      call: V1_PERMISSION,
      register: V1_PERMISSION,
      publish: V1_PERMISSION,
      subscribe: V1_PERMISSION,
    },
  });
  if (!o) return undefined;
  const { uri, match } = uriAndMatch(c, path, o, strict);
  const out: PermissionConfig = {
    uri,
    match,
    allow: { call: false, register: false, publish: false, subscribe: false },
    disclose: { caller: false, publisher: false },
    cache: c.boolean([...path, "cache"], o.cache) ?? false,
  };
  const allow = c.object([...path, "allow"], o.allow, {
    optional: ["call", "register", "publish", "subscribe"],
  });
  if (allow) {
    for (const k of ["call", "register", "publish", "subscribe"] as const) {
      out.allow[k] = c.boolean([...path, "allow", k], allow[k]) ?? false;
    }
  }
  const disclose = c.object([...path, "disclose"], o.disclose, {
    optional: ["caller", "publisher"],
  });
  if (disclose) {
    for (const k of ["caller", "publisher"] as const) {
      out.disclose[k] = c.boolean([...path, "disclose", k], disclose[k]) ?? false;
    }
  }
  return out;
}

/** What `allow-by-default: true` grants on a role without permissions or authorizer (Crossbar's `RouterRole`). */
export function allowByDefaultPermission(): PermissionConfig {
  return {
    uri: "",
    match: "prefix",
    allow: { call: true, register: true, publish: true, subscribe: true },
    disclose: { caller: false, publisher: false },
    cache: true,
  };
}

function role(c: Checker, path: ConfigPath, v: unknown, strict: boolean): RoleConfig | undefined {
  const o = c.object(path, v, {
    required: ["name"],
    optional: ["permissions", "authorizer", "allow-by-default"],
  });
  if (!o) return undefined;
  const out: RoleConfig = {
    name: c.string([...path, "name"], o.name, { nonEmpty: true }) ?? "",
    permissions: [],
  };
  if (o.permissions !== undefined && o.authorizer !== undefined) {
    c.error(path, `give either "permissions" or "authorizer", not both`);
  }
  const authorizer = c.string([...path, "authorizer"], o.authorizer, {
    pattern: STRICT_URI,
    patternName: STRICT_URI_TEXT,
  });
  if (authorizer !== undefined) out.authorizer = authorizer;
  const list = c.list([...path, "permissions"], o.permissions);
  list?.forEach((item, i) => {
    const perm = permission(c, [...path, "permissions", i], item, strict);
    if (perm) out.permissions.push(perm);
  });
  // Crossbar: a role with neither permissions nor authorizer allows every
  // action when `allow-by-default` is true, and denies every action otherwise;
  // with permissions or an authorizer the flag is not consulted.
  const abd = c.boolean([...path, "allow-by-default"], o["allow-by-default"]);
  if (abd === true) {
    if (o.permissions !== undefined || o.authorizer !== undefined) {
      c.warn(
        [...path, "allow-by-default"],
        `has no effect on a role with "${
          o.permissions !== undefined ? "permissions" : "authorizer"
        }" (as in Crossbar): ${
          o.permissions !== undefined ? "the permissions decide" : "the authorizer decides"
        }`,
        "key",
      );
    } else out.permissions.push(allowByDefaultPermission());
  }
  return out;
}

function store(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  strict: boolean,
): RealmStoreConfig | undefined {
  const t = readType(c, path, v, "store type", ["memory"] as const, {
    cfxdb: "persistent realm stores",
    lmdb: "persistent realm stores",
  });
  if (!t) return undefined;
  const o = c.object(path, t.o, {
    required: ["type"],
    optional: ["limit", "event-history"],
    unsupported: { "call-queue": "queued calls" },
  })!;
  const limit = c.integer([...path, "limit"], o.limit, { min: 1 }) ?? DEFAULT_STORE_LIMIT;
  const out: RealmStoreConfig = { type: "memory", limit, event_history: [] };
  const list = c.list([...path, "event-history"], o["event-history"]);
  list?.forEach((item, i) => {
    const ip = [...path, "event-history", i];
    const io = c.object(ip, item, { required: ["uri"], optional: ["match", "limit"] });
    if (!io) return;
    const um = io.match === undefined
      ? { uri: c.string([...ip, "uri"], io.uri) ?? "", match: "exact" as UriMatch }
      : uriAndMatch(c, ip, io, strict);
    if (io.match === undefined && !patternUri(strict).test(um.uri)) {
      c.error([...ip, "uri"], `must be a WAMP URI, got ${JSON.stringify(um.uri)}`);
    }
    out.event_history.push({
      ...um,
      limit: c.integer([...ip, "limit"], io.limit, { min: 1 }) ?? limit,
    });
  });
  return out;
}

function rlink(c: Checker, path: ConfigPath, v: unknown): RLinkConfig | undefined {
  const o = c.object(path, v, {
    required: ["realm", "transport"],
    optional: [
      "id",
      "authid",
      "exclude_authid",
      "forward_local_events",
      "forward_remote_events",
      "forward_local_invocations",
      "forward_remote_invocations",
      "heartbeat_interval",
    ],
  });
  if (!o) return undefined;
  const p = (k: string) => [...path, k];
  const transport = checkConnectingTransport(c, p("transport"), o.transport);
  const out: RLinkConfig = {
    id: c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT }) ?? "",
    realm: c.string(p("realm"), o.realm, { pattern: REALM, patternName: REALM_TEXT }) ?? "",
    transport: transport ??
      {
        type: "rawsocket",
        endpoint: { type: "unix", path: "", timeout: 0 },
        serializer: "cbor",
        options: { max_message_size: 0 },
      },
    exclude_authid: c.stringList(p("exclude_authid"), o.exclude_authid, { nonEmpty: true }) ?? [],
    forward_local_events: c.boolean(p("forward_local_events"), o.forward_local_events) ?? true,
    forward_remote_events: c.boolean(p("forward_remote_events"), o.forward_remote_events) ?? true,
    forward_local_invocations:
      c.boolean(p("forward_local_invocations"), o.forward_local_invocations) ?? true,
    forward_remote_invocations:
      c.boolean(p("forward_remote_invocations"), o.forward_remote_invocations) ?? true,
    heartbeat_interval:
      c.integer(p("heartbeat_interval"), o.heartbeat_interval, { min: 100, max: 600000 }) ??
        5000,
  };
  const authid = c.string(p("authid"), o.authid, { nonEmpty: true });
  if (authid !== undefined) out.authid = authid;
  return out;
}

/**
 * Crossbar's realm `stats` (docs/Session-Statistics.rst; defaults as
 * Crossbar's code, `router/session.py`, which asserts at least one trigger).
 */
function stats(c: Checker, path: ConfigPath, v: unknown): RealmStatsConfig | undefined {
  const o = c.object(path, v, {
    optional: [
      "rated_message_size",
      "trigger_after_rated_messages",
      "trigger_after_duration",
      "trigger_on_join",
      "trigger_on_leave",
    ],
  });
  if (!o) return undefined;
  const p = (k: string) => [...path, k];
  let rated = c.integer(p("rated_message_size"), o.rated_message_size, { min: 1, max: 2 ** 30 });
  if (rated !== undefined && (rated & (rated - 1)) !== 0) {
    c.error(p("rated_message_size"), `must be a power of two (e.g. 256, 512), got ${rated}`);
    rated = undefined;
  }
  const out: RealmStatsConfig = {
    rated_message_size: rated ?? 512,
    trigger_after_rated_messages:
      c.integer(p("trigger_after_rated_messages"), o.trigger_after_rated_messages, {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        range: "0 (off) or more",
      }) ?? 0,
    trigger_after_duration: c.integer(p("trigger_after_duration"), o.trigger_after_duration, {
      min: 0,
      max: 2 ** 31,
      range: "0 (off) or a number of seconds",
    }) ?? 0,
    trigger_on_join: c.boolean(p("trigger_on_join"), o.trigger_on_join) ?? false,
    trigger_on_leave: c.boolean(p("trigger_on_leave"), o.trigger_on_leave) ?? true,
  };
  const badRated = o.trigger_after_rated_messages !== undefined &&
    out.trigger_after_rated_messages === 0 && o.trigger_after_rated_messages !== 0;
  const badDuration = o.trigger_after_duration !== undefined && out.trigger_after_duration === 0 &&
    o.trigger_after_duration !== 0;
  if (
    out.trigger_after_rated_messages === 0 && out.trigger_after_duration === 0 && !badRated &&
    !badDuration
  ) {
    c.error(
      path,
      "needs trigger_after_rated_messages or trigger_after_duration above 0 (as Crossbar requires)",
    );
  }
  return out;
}

/** Reads one realm (rlinks without an id get `rlink001`, ...). */
export function checkRealm(c: Checker, path: ConfigPath, v: unknown): RealmConfig | undefined {
  const o = c.object(path, v, {
    required: ["name"],
    optional: ["roles", "options", "store", "rlinks", "trace", "stats"],
  });
  if (!o) return undefined;
  const p = (k: string) => [...path, k];
  const out: RealmConfig = {
    name: c.string(p("name"), o.name, { pattern: REALM, patternName: REALM_TEXT }) ?? "",
    roles: [],
    options: { ...DEFAULT_REALM_OPTIONS },
    rlinks: [],
  };
  const opts = c.object(p("options"), o.options, {
    optional: ["enable_meta_api", "uri_check"],
    fixed: {
      bridge_meta_api: { value: false, reason: "xbar has no management-side meta API bridge" },
    },
    unsupported: {
      event_dispatching_chunk_size:
        "an event is sent to all subscribers at once (encoded once per serializer), not in chunks",
    },
  });
  if (opts) {
    const op = (k: string) => [...path, "options", k];
    out.options.enable_meta_api = c.boolean(op("enable_meta_api"), opts.enable_meta_api) ??
      out.options.enable_meta_api;
    out.options.uri_check =
      c.oneOf(op("uri_check"), opts.uri_check, ["strict", "loose"] as const) ??
        out.options.uri_check;
  }
  const strict = out.options.uri_check === "strict";
  const trace = c.boolean(p("trace"), o.trace);
  if (trace !== undefined) out.trace = trace;
  if (o.stats !== undefined) {
    const st = stats(c, p("stats"), o.stats);
    if (st) out.stats = st;
    if (st && !out.options.enable_meta_api) {
      c.warn(
        p("stats"),
        "has no effect: wamp.session.on_stats is a meta event, and options.enable_meta_api is false",
        "key",
      );
    }
  }
  const seenRoles = new Map<string, number>();
  c.list(p("roles"), o.roles)?.forEach((item, i) => {
    const r = role(c, [...path, "roles", i], item, strict);
    if (!r) return;
    const first = seenRoles.get(r.name);
    if (r.name !== "" && first !== undefined) {
      c.error([...path, "roles", i, "name"], `duplicate role "${r.name}" (also roles[${first}])`);
    } else seenRoles.set(r.name, i);
    out.roles.push(r);
  });
  if (o.store !== undefined) {
    const s = store(c, p("store"), o.store, strict);
    if (s) out.store = s;
  }
  const taken = new Map<string, number>();
  c.list(p("rlinks"), o.rlinks)?.forEach((item, i) => {
    const l = rlink(c, [...path, "rlinks", i], item);
    if (!l) return;
    const first = taken.get(l.id);
    if (l.id !== "" && first !== undefined) {
      c.error([...path, "rlinks", i, "id"], `duplicate rlink id "${l.id}" (also rlinks[${first}])`);
    } else if (l.id !== "") taken.set(l.id, i);
    out.rlinks.push(l);
  });
  const ids = new Set(taken.keys());
  for (const l of out.rlinks) if (l.id === "") l.id = generateId("rlink", ids);
  return out;
}
