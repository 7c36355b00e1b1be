/**
 * Transport authentication in a router worker, with each method's module
 * imported when a transport's config first names it (`importLater`): a
 * config with anonymous access only never loads ticket, WAMP-CRA or
 * cryptosign (start-up time). The `auth` dict is `transport_auth.ts`'s.
 *
 * @module
 */

import type { AuthenticatorFactory } from "../router/authn/authenticator.ts";
import type { AuthMethod } from "../router/authn/auth_context.ts";
import { ANONYMOUS, anonymousMethod } from "../router/authn/anonymous.ts";
import { negotiatingAuthenticator, type TransportAuthOptions } from "../router/authn/negotiator.ts";
import type { TransportAuthConfig } from "../router/authn/transport_auth.ts";
import { importLater } from "../import_later.ts";

type MethodName = keyof TransportAuthConfig;
type MakeMethod = (config: unknown) => AuthMethod;

/** Every method, in the order `transportAuthenticator` configures them. */
const METHODS: readonly MethodName[] = [ANONYMOUS, "ticket", "wampcra", "cryptosign"];

const LOADERS: Record<Exclude<MethodName, "anonymous">, () => Promise<MakeMethod>> = {
  ticket: async () =>
    (await importLater<typeof import("../router/authn/ticket.ts")>(
      new URL("../router/authn/ticket.ts", import.meta.url),
    )).ticketMethod as MakeMethod,
  wampcra: async () =>
    (await importLater<typeof import("../router/authn/wampcra.ts")>(
      new URL("../router/authn/wampcra.ts", import.meta.url),
    )).wampcraMethod as MakeMethod,
  cryptosign: async () =>
    (await importLater<typeof import("../router/authn/cryptosign.ts")>(
      new URL("../router/authn/cryptosign.ts", import.meta.url),
    )).cryptosignMethod as MakeMethod,
};

const loaded = new Map<MethodName, Promise<MakeMethod> | MakeMethod>([
  [ANONYMOUS, anonymousMethod as MakeMethod],
]);

/** Imports the methods that any `auth` dict inside `config` (a transport's config) names. */
export async function loadAuthMethods(config: unknown): Promise<void> {
  const names = new Set<string>();
  collectAuthMethods(config, names);
  await Promise.all([...names].map(async (name) => {
    if (!Object.hasOwn(LOADERS, name)) return;
    const n = name as keyof typeof LOADERS;
    let m = loaded.get(n);
    if (m === undefined) {
      m = LOADERS[n]();
      loaded.set(n, m);
      m.catch(() => loaded.delete(n)); // tried again next time
    }
    loaded.set(n, await m);
  }));
}

function collectAuthMethods(v: unknown, into: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) collectAuthMethods(x, into);
  } else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "auth" && typeof x === "object" && x !== null) {
        for (const [name, c] of Object.entries(x)) if (c !== undefined) into.add(name);
      }
      collectAuthMethods(x, into);
    }
  }
}

/**
 * The per-connection authenticator factory for a transport's `auth`, as
 * `transportAuthenticator` builds it. Its methods must have been imported
 * with `loadAuthMethods` (throws otherwise).
 */
export function loadedTransportAuthenticator(
  auth: TransportAuthConfig,
  options: TransportAuthOptions = {},
): AuthenticatorFactory {
  const methods = new Map<string, AuthMethod>();
  for (const name of METHODS) {
    const c = auth[name];
    if (c === undefined) continue;
    const make = loaded.get(name);
    if (typeof make !== "function") {
      throw new Error(`authentication method "${name}" is not loaded (loadAuthMethods)`);
    }
    methods.set(name, make(c));
  }
  return negotiatingAuthenticator(methods, auth, options);
}
