/**
 * Test kit for authentication: a router with a transport using
 * `transportAuthenticator`, an authenticator component on realm "auth", a
 * raw handshake driver, and the method cases the contract suite runs.
 *
 * @module
 */

import type { Dict, RouterMessage } from "../../wamp/messages.ts";
import { MessageType as T } from "../../wamp/messages.ts";
import { ApplicationError } from "../../wamp/errors.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import { MemoryLogger } from "../../log/logger.ts";
import { Router } from "../router.ts";
import { FULL_ROLES, TestClient } from "../_test_client.ts";
import { localPair } from "../../client/local_transport.ts";
import { joinSession } from "../../client/join_session.ts";
import type { Session } from "../../client/session.ts";
import type { ProcedureHandler } from "../../client/registration.ts";
import { type TransportAuthConfig, transportAuthenticator } from "./transport_auth.ts";
import { deriveKey, signWampcra } from "./wampcra.ts";
import { type CryptosignKey, cryptosignKey } from "./cryptosign_key.ts";

/** The transport id the authenticated test transport uses. */
export const TRANSPORT = "t1";
/** The realm clients join. */
export const REALM = "realm1";
/** The realm the authenticator components live on. */
export const AUTH_REALM = "auth";

/** A router with REALM (roles frontend, backend) and AUTH_REALM (no roles). */
export function authRouter(
  auth: TransportAuthConfig,
  options: { authenticatorTimeoutMs?: number } = {},
): { router: Router; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  const router = new Router({
    logger,
    handshakeTimeoutMs: 0,
    realms: [
      {
        name: REALM,
        roles: [
          {
            name: "frontend",
            permissions: [{ uri: "com.app.", match: "prefix", allow: { call: true } }],
          },
          {
            name: "backend",
            permissions: [{ uri: "", match: "prefix", allow: { register: true } }],
          },
        ],
      },
      { name: AUTH_REALM },
    ],
  });
  router.setAuthenticator(TRANSPORT, transportAuthenticator(auth, { router, ...options }));
  return { router, logger };
}

/** Joins AUTH_REALM in-process (anonymous) and registers `handler` as `procedure`. */
export async function authenticatorComponent(
  router: Router,
  procedure: string,
  handler: ProcedureHandler,
): Promise<Session> {
  const s = await joinSession(localPair(router), AUTH_REALM);
  await s.register(procedure, handler);
  return s;
}

/** A client on the authenticated transport. */
export function client(router: Router): TestClient {
  return new TestClient(router, { transportId: TRANSPORT, peer: "tcp4:127.0.0.1:1" });
}

/** Answers a CHALLENGE: returns AUTHENTICATE.Signature. */
export type Answer = (method: string, extra: Dict) => Promise<string> | string;

/** The outcome of a handshake. */
export interface Outcome {
  /** The CHALLENGE, when one came. */
  challenge?: RouterMessage;
  /** The signature sent, when one was. */
  signature?: string;
  /** WELCOME or ABORT. */
  last: RouterMessage;
}

/** Sends HELLO with `details`, answers a CHALLENGE with `answer`, returns what ended it. */
export async function handshake(c: TestClient, details: Dict, answer?: Answer): Promise<Outcome> {
  c.send([T.HELLO, REALM, { roles: FULL_ROLES, ...details }]);
  const first = await c.next();
  if (first[0] !== T.CHALLENGE) return { last: first };
  if (!answer) return { challenge: first, last: first };
  const signature = await answer(first[1], first[2]);
  c.send([T.AUTHENTICATE, signature, {}]);
  return { challenge: first, signature, last: await c.next() };
}

/** One authentication method configuration the contract suite runs. */
export interface MethodCase {
  /** Test name prefix. */
  name: string;
  /** The authmethod. */
  method: string;
  /** "static" or "dynamic". */
  provider: string;
  /** The transport auth. */
  auth: TransportAuthConfig;
  /** Registers components the config needs; returns what to close afterwards. */
  setup?: (router: Router) => Promise<Session[]>;
  /** HELLO.Details for the known principal (authid "alice", role "frontend"). */
  hello: Dict;
  /** HELLO.Details for a principal the router does not know. */
  unknown: Dict;
  /** Answers with the right credentials. */
  right: Answer;
  /** Answers with wrong credentials. */
  wrong: Answer;
  /** Strings that must never appear in logs. */
  secrets: string[];
  /** The right answer is the same for every challenge (a ticket): a replay is a login. */
  replayable?: boolean;
}

/** Seed of alice's cryptosign key. */
const ALICE_SEED = "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510";
/** Seed of a key nobody authorized. */
const MALLORY_SEED = "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd";

/** Every method case: static and dynamic ticket, wampcra (plain and salted), cryptosign. */
export async function methodCases(): Promise<MethodCase[]> {
  const alice: CryptosignKey = await cryptosignKey(ALICE_SEED);
  const mallory: CryptosignKey = await cryptosignKey(MALLORY_SEED);
  const saltedKey = await deriveKey("correct horse", "salt123", 100, 16);
  const wrongSaltedKey = await deriveKey("wrong horse", "salt123", 100, 16);
  const denied = () => new ApplicationError(ErrorUri.AUTHENTICATION_FAILED, { message: "denied" });
  const cra = (key: string): Answer => (_m, extra) => signWampcra(key, extra.challenge as string);
  const craSalted = (password: string): Answer => async (_m, extra) =>
    signWampcra(
      await deriveKey(
        password,
        extra.salt as string,
        extra.iterations as number,
        extra.keylen as number,
      ),
      extra.challenge as string,
    );
  const sign = (k: CryptosignKey): Answer => (_m, extra) =>
    k.signChallenge(extra.challenge as string);
  const dynamic = (procedure: string, handler: ProcedureHandler) => (router: Router) =>
    authenticatorComponent(router, procedure, handler).then((s) => [s]);
  const dyn = (authenticator: string) => ({
    type: "dynamic" as const,
    authenticator,
    "authenticator-realm": AUTH_REALM,
  });

  return [
    {
      name: "ticket static",
      method: "ticket",
      provider: "static",
      auth: {
        ticket: { type: "static", principals: { alice: { ticket: "t1cket!", role: "frontend" } } },
      },
      hello: { authmethods: ["ticket"], authid: "alice" },
      unknown: { authmethods: ["ticket"], authid: "nobody" },
      right: () => "t1cket!",
      wrong: () => "t1cket?",
      secrets: ["t1cket!"],
      replayable: true,
    },
    {
      name: "ticket dynamic",
      method: "ticket",
      provider: "dynamic",
      auth: { ticket: dyn("com.auth.ticket") },
      setup: dynamic("com.auth.ticket", ([realm, authid, details]) => {
        const d = details as Dict;
        if (realm === REALM && authid === "alice" && d.ticket === "t1cket!") return "frontend";
        throw denied();
      }),
      hello: { authmethods: ["ticket"], authid: "alice" },
      unknown: { authmethods: ["ticket"], authid: "nobody" },
      right: () => "t1cket!",
      wrong: () => "t1cket?",
      secrets: ["t1cket!"],
      replayable: true,
    },
    {
      name: "wampcra static",
      method: "wampcra",
      provider: "static",
      auth: {
        wampcra: { type: "static", users: { alice: { secret: "s3cr3t-key", role: "frontend" } } },
      },
      hello: { authmethods: ["wampcra"], authid: "alice" },
      unknown: { authmethods: ["wampcra"], authid: "nobody" },
      right: cra("s3cr3t-key"),
      wrong: cra("s3cr3t-kez"),
      secrets: ["s3cr3t-key"],
    },
    {
      name: "wampcra static salted",
      method: "wampcra",
      provider: "static",
      auth: {
        wampcra: {
          type: "static",
          users: {
            alice: {
              secret: saltedKey,
              role: "frontend",
              salt: "salt123",
              iterations: 100,
              keylen: 16,
            },
          },
        },
      },
      hello: { authmethods: ["wampcra"], authid: "alice" },
      unknown: { authmethods: ["wampcra"], authid: "nobody" },
      right: craSalted("correct horse"),
      wrong: craSalted("wrong horse"),
      secrets: [saltedKey, wrongSaltedKey, "correct horse"],
    },
    {
      name: "wampcra dynamic",
      method: "wampcra",
      provider: "dynamic",
      auth: { wampcra: dyn("com.auth.wampcra") },
      setup: dynamic("com.auth.wampcra", ([_realm, authid]) => {
        if (authid === "alice") return { secret: "s3cr3t-key", role: "frontend" };
        throw denied();
      }),
      hello: { authmethods: ["wampcra"], authid: "alice" },
      unknown: { authmethods: ["wampcra"], authid: "nobody" },
      right: cra("s3cr3t-key"),
      wrong: cra("s3cr3t-kez"),
      secrets: ["s3cr3t-key"],
    },
    {
      name: "cryptosign static",
      method: "cryptosign",
      provider: "static",
      auth: {
        cryptosign: {
          type: "static",
          principals: { alice: { authorized_keys: [alice.publicKey], role: "frontend" } },
        },
      },
      hello: {
        authmethods: ["cryptosign"],
        authid: "alice",
        authextra: { pubkey: alice.publicKey },
      },
      unknown: { authmethods: ["cryptosign"], authextra: { pubkey: mallory.publicKey } },
      right: sign(alice),
      wrong: sign(mallory),
      secrets: [ALICE_SEED],
    },
    {
      name: "cryptosign dynamic",
      method: "cryptosign",
      provider: "dynamic",
      auth: { cryptosign: dyn("com.auth.cryptosign") },
      setup: dynamic("com.auth.cryptosign", ([_realm, _authid, details]) => {
        const pubkey = ((details as Dict).authextra as Dict).pubkey;
        if (pubkey === alice.publicKey) return { pubkey, role: "frontend", authid: "alice" };
        throw denied();
      }),
      hello: { authmethods: ["cryptosign"], authextra: { pubkey: alice.publicKey } },
      unknown: { authmethods: ["cryptosign"], authextra: { pubkey: mallory.publicKey } },
      right: sign(alice),
      wrong: sign(mallory),
      secrets: [ALICE_SEED],
    },
  ];
}
