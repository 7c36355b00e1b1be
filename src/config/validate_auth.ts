/**
 * Transport authentication (`auth` of websocket/rawsocket transports and
 * websocket web services): anonymous, ticket, wampcra, cryptosign; each
 * `static` (principals in the config) or `dynamic` (an authenticator
 * procedure).
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { HEX32, REALM, REALM_TEXT, STRICT_URI, STRICT_URI_TEXT } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_WAMPCRA_ITERATIONS, DEFAULT_WAMPCRA_KEYLEN, defaultAuth } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { AuthConfig, DynamicAuthMethodConfig } from "./types.ts";
import { UNSUPPORTED_AUTH_METHODS } from "./unsupported.ts";

const AUTH_TYPES = ["static", "dynamic"] as const;
const UNSUPPORTED_AUTH_TYPES = {
  function: 'Python authenticator functions; use type "dynamic" with an authenticator procedure',
};

function dynamicMethod(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
): DynamicAuthMethodConfig {
  c.object(path, o, {
    required: ["type", "authenticator"],
    optional: ["authenticator-realm", "authenticator-role", "default-role"],
  });
  const out: DynamicAuthMethodConfig = {
    type: "dynamic",
    authenticator: c.string([...path, "authenticator"], o.authenticator, {
      pattern: STRICT_URI,
      patternName: STRICT_URI_TEXT,
    }) ?? "",
  };
  const realm = c.string([...path, "authenticator-realm"], o["authenticator-realm"], {
    pattern: REALM,
    patternName: REALM_TEXT,
  });
  if (realm !== undefined) out["authenticator-realm"] = realm;
  for (const k of ["authenticator-role", "default-role"] as const) {
    const v = c.string([...path, k], o[k], { nonEmpty: true });
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function principals(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  read: (path: ConfigPath, o: Record<string, unknown>) => void,
  spec: { required: string[]; optional: string[] },
): void {
  const map = c.freeMap(path, v);
  if (!map) return;
  for (const [authid, item] of Object.entries(map)) {
    const o = c.object([...path, authid], item, spec);
    if (o) read([...path, authid], o);
  }
}

/** Reads `auth`; absent auth is anonymous with role `anonymous`. */
export function checkAuth(c: Checker, path: ConfigPath, v: unknown): AuthConfig {
  if (v === undefined) return defaultAuth();
  const o = c.object(path, v, {
    optional: ["anonymous", "ticket", "wampcra", "cryptosign"],
    unsupported: UNSUPPORTED_AUTH_METHODS,
  });
  const auth: AuthConfig = {};
  if (!o) return auth;
  if (Object.keys(o).length === 0) {
    c.error(
      path,
      `must configure at least one method ("anonymous", "ticket", "wampcra", "cryptosign")`,
    );
  }
  const p = (...k: string[]) => [...path, ...k];

  if (o.anonymous !== undefined) {
    const t = readType(
      c,
      p("anonymous"),
      o.anonymous,
      "authentication type",
      AUTH_TYPES,
      UNSUPPORTED_AUTH_TYPES,
    );
    if (t?.type === "static") {
      c.object(p("anonymous"), t.o, { required: ["type"], optional: ["role", "authid", "realm"] });
      const a: Extract<NonNullable<AuthConfig["anonymous"]>, { type: "static" }> = {
        type: "static",
        role: c.string(p("anonymous", "role"), t.o.role, { nonEmpty: true }) ?? "anonymous",
      };
      const authid = c.string(p("anonymous", "authid"), t.o.authid, { nonEmpty: true });
      if (authid !== undefined) a.authid = authid;
      const realm = c.string(p("anonymous", "realm"), t.o.realm, {
        pattern: REALM,
        patternName: REALM_TEXT,
      });
      if (realm !== undefined) a.realm = realm;
      auth.anonymous = a;
    } else if (t?.type === "dynamic") {
      auth.anonymous = dynamicMethod(c, p("anonymous"), t.o);
    }
  }

  if (o.ticket !== undefined) {
    const t = readType(
      c,
      p("ticket"),
      o.ticket,
      "authentication type",
      AUTH_TYPES,
      UNSUPPORTED_AUTH_TYPES,
    );
    if (t?.type === "static") {
      c.object(p("ticket"), t.o, { required: ["type", "principals"] });
      const out: Record<string, { ticket: string; role?: string }> = {};
      principals(c, p("ticket", "principals"), t.o.principals, (pp, po) => {
        const entry: { ticket: string; role?: string } = {
          ticket: c.string([...pp, "ticket"], po.ticket, { nonEmpty: true }) ?? "",
        };
        const role = c.string([...pp, "role"], po.role, { nonEmpty: true });
        if (role !== undefined) entry.role = role;
        out[pp[pp.length - 1] as string] = entry;
      }, { required: ["ticket"], optional: ["role"] });
      auth.ticket = { type: "static", principals: out };
    } else if (t?.type === "dynamic") {
      auth.ticket = dynamicMethod(c, p("ticket"), t.o);
    }
  }

  if (o.wampcra !== undefined) {
    const t = readType(
      c,
      p("wampcra"),
      o.wampcra,
      "authentication type",
      AUTH_TYPES,
      UNSUPPORTED_AUTH_TYPES,
    );
    if (t?.type === "static") {
      c.object(p("wampcra"), t.o, { required: ["type", "users"] });
      type User = {
        secret: string;
        role?: string;
        salt?: string;
        iterations?: number;
        keylen?: number;
      };
      const out: Record<string, User> = {};
      principals(c, p("wampcra", "users"), t.o.users, (pp, po) => {
        const user: User = {
          secret: c.string([...pp, "secret"], po.secret, { nonEmpty: true }) ?? "",
        };
        const role = c.string([...pp, "role"], po.role, { nonEmpty: true });
        if (role !== undefined) user.role = role;
        const salt = c.string([...pp, "salt"], po.salt, { nonEmpty: true });
        const iterations = c.integer([...pp, "iterations"], po.iterations, { min: 1 });
        const keylen = c.integer([...pp, "keylen"], po.keylen, { min: 1, max: 1024 });
        if (salt !== undefined) {
          user.salt = salt;
          user.iterations = iterations ?? DEFAULT_WAMPCRA_ITERATIONS;
          user.keylen = keylen ?? DEFAULT_WAMPCRA_KEYLEN;
        } else if (po.iterations !== undefined || po.keylen !== undefined) {
          c.error(pp, `"iterations" and "keylen" only apply to a salted secret: add "salt"`);
        }
        out[pp[pp.length - 1] as string] = user;
      }, { required: ["secret"], optional: ["role", "salt", "iterations", "keylen"] });
      auth.wampcra = { type: "static", users: out };
    } else if (t?.type === "dynamic") {
      auth.wampcra = dynamicMethod(c, p("wampcra"), t.o);
    }
  }

  if (o.cryptosign !== undefined) {
    const t = readType(
      c,
      p("cryptosign"),
      o.cryptosign,
      "authentication type",
      AUTH_TYPES,
      UNSUPPORTED_AUTH_TYPES,
    );
    if (t?.type === "static") {
      c.object(p("cryptosign"), t.o, { required: ["type", "principals"] });
      type Principal = { authorized_keys: string[]; role?: string; realm?: string };
      const out: Record<string, Principal> = {};
      principals(c, p("cryptosign", "principals"), t.o.principals, (pp, po) => {
        const keys = c.stringList([...pp, "authorized_keys"], po.authorized_keys, {
          pattern: HEX32,
          patternName: "an Ed25519 public key of 64 hex characters",
        });
        if (keys && keys.length === 0) {
          c.error([...pp, "authorized_keys"], "must list at least one key");
        }
        const principal: Principal = { authorized_keys: (keys ?? []).map((k) => k.toLowerCase()) };
        const role = c.string([...pp, "role"], po.role, { nonEmpty: true });
        if (role !== undefined) principal.role = role;
        const realm = c.string([...pp, "realm"], po.realm, { nonEmpty: true });
        if (realm !== undefined) principal.realm = realm;
        out[pp[pp.length - 1] as string] = principal;
      }, { required: ["authorized_keys"], optional: ["role", "realm"] });
      auth.cryptosign = { type: "static", principals: out };
    } else if (t?.type === "dynamic") {
      auth.cryptosign = dynamicMethod(c, p("cryptosign"), t.o);
    }
  }
  return auth;
}
