/**
 * How a container component reaches its router: the connecting transport
 * from the node config (WebSocket or RawSocket, TCP or Unix) and the join
 * options from its `auth` (ticket, WAMP-CRA, cryptosign or anonymous).
 *
 * @module
 */

import { resolve } from "../posix_path.ts";
import type { ConnectingTransportConfig, ModuleContainerComponentConfig } from "../config/types.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import type { JoinOptions } from "../client/join_session.ts";
import { connectWebSocket } from "../client/websocket_transport.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import { lengthExponentFor } from "../transport/rawsocket_protocol.ts";
import { deriveKey, signWampcra } from "../router/authn/wampcra.ts";
import { cryptosignKey } from "../router/authn/cryptosign_key.ts";

/** Connects the transport a component's config names. Rejects with a message naming the target. */
export async function connectTransport(
  config: ConnectingTransportConfig,
  nodeDir: string,
): Promise<ClientTransport> {
  const e = config.endpoint;
  if (config.type === "websocket") {
    if (e.type !== "tcp") throw new Error("a WebSocket component transport needs a tcp endpoint");
    const given = new URL(config.url);
    const scheme = e.tls ? "wss" : "ws";
    const host = e.host.includes(":") ? `[${e.host}]` : e.host;
    const url = `${scheme}://${host}:${e.port}${given.pathname}${given.search}`;
    return await withTimeout(
      connectWebSocket(url, { protocols: config.serializers.map((s) => `wamp.2.${s}`) }),
      e.timeout * 1000,
      url,
    );
  }
  const target = e.type === "tcp"
    ? { transport: "tcp" as const, hostname: e.host, port: e.port }
    : { transport: "unix" as const, path: resolve(nodeDir, e.path) };
  return await connectRawSocket(target, {
    serializer: config.serializer,
    maxLengthExponent: lengthExponentFor(config.options.max_message_size),
    handshakeTimeoutMs: e.timeout > 0 ? e.timeout * 1000 : undefined,
    tls: e.type === "tcp" && e.tls
      ? { caCerts: await readCaCerts(e.tls.ca_certificates, nodeDir) }
      : undefined,
  });
}

async function readCaCerts(files: string[], nodeDir: string): Promise<string[] | undefined> {
  if (files.length === 0) return undefined;
  return await Promise.all(files.map((f) => Deno.readTextFile(resolve(nodeDir, f))));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  if (!(ms > 0)) return p;
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connecting to ${what} timed out after ${ms} ms`)),
        ms,
      );
    }),
  ]);
}

/** Join options for a component's `auth` (nothing given: anonymous). */
export async function componentJoinOptions(
  config: ModuleContainerComponentConfig,
): Promise<JoinOptions> {
  const a = config.auth ?? {};
  const opts: JoinOptions = { agent: `xbar-component-${config.id}` };
  if (a.authid !== undefined) opts.authid = a.authid;
  if (a.authrole !== undefined) opts.authrole = a.authrole;
  const methods: string[] = [];
  const key = a.privkey !== undefined ? await cryptosignKey(a.privkey) : undefined;
  if (key) {
    methods.push("cryptosign");
    opts.authextra = { pubkey: key.publicKey };
  }
  if (a.secret !== undefined) methods.push("wampcra");
  if (a.ticket !== undefined) methods.push("ticket");
  if (methods.length === 0) return opts;
  opts.authmethods = methods;
  opts.onchallenge = async (method, extra) => {
    switch (method) {
      case "ticket":
        return a.ticket ?? "";
      case "wampcra": {
        const secret = a.secret ?? "";
        const k = typeof extra.salt === "string"
          ? await deriveKey(
            secret,
            extra.salt,
            typeof extra.iterations === "number" ? extra.iterations : undefined,
            typeof extra.keylen === "number" ? extra.keylen : undefined,
          )
          : secret;
        return await signWampcra(k, String(extra.challenge));
      }
      case "cryptosign":
        if (!key) throw new Error("cryptosign challenge without a private key");
        return await key.signChallenge(String(extra.challenge));
      default:
        throw new Error(`unexpected authentication method "${method}"`);
    }
  };
  return opts;
}
