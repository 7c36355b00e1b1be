/**
 * Listening and connecting endpoints (Crossbar "Transport Endpoints"):
 * `tcp` (optionally TLS) and `unix`.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { readType } from "./_typed.ts";
import {
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_UNIX_SOCKET_MODE,
} from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type {
  ConnectingEndpointConfig,
  ListeningEndpointConfig,
  ListeningTlsConfig,
  TcpConnectingEndpointConfig,
} from "./types.ts";
import { UNSUPPORTED_ENDPOINT_TYPES } from "./unsupported.ts";

const PORT_RANGE = "1-65535";

function ipVersion(c: Checker, path: ConfigPath, v: unknown): 4 | 6 | undefined {
  const n = c.integer(path, v);
  if (n === undefined) return undefined;
  if (n !== 4 && n !== 6) {
    c.error(path, `must be 4 or 6, got ${n}`);
    return undefined;
  }
  return n;
}

function listeningTls(c: Checker, path: ConfigPath, v: unknown): ListeningTlsConfig | undefined {
  const o = c.object(path, v, {
    required: ["key", "certificate"],
    optional: ["chain_certificates"],
    unsupported: {
      ca_certificates: "TLS client certificate verification",
      dhparam: "Deno's TLS chooses its own key exchange (TLS 1.2/1.3 with ECDHE)",
      ciphers: "Deno's TLS (rustls) chooses its own cipher suites",
    },
  });
  if (!o) return undefined;
  return {
    key: c.string([...path, "key"], o.key, { nonEmpty: true }) ?? "",
    certificate: c.string([...path, "certificate"], o.certificate, { nonEmpty: true }) ?? "",
    chain_certificates:
      c.stringList([...path, "chain_certificates"], o.chain_certificates, { nonEmpty: true }) ?? [],
  };
}

function unixMode(c: Checker, path: ConfigPath, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && /^(0o|0)?[0-7]{3}$/.test(v)) {
    return parseInt(v.replace(/^0o?/, ""), 8);
  }
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0o777) return v;
  c.error(
    path,
    `must be a file mode written as a string of octal digits like "0660", got ${JSON.stringify(v)}`,
  );
  return undefined;
}

/** The endpoint types xbar listens and connects on. */
const ENDPOINT_TYPES = ["tcp", "unix"] as const;

/** Reads a listening endpoint (router transports). */
export function checkListeningEndpoint(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): ListeningEndpointConfig | undefined {
  const t = readType(c, path, v, "endpoint type", ENDPOINT_TYPES, UNSUPPORTED_ENDPOINT_TYPES);
  if (!t) return undefined;
  const p = (k: string) => [...path, k];
  if (t.type === "tcp") {
    const o = c.object(path, t.o, {
      required: ["type", "port"],
      optional: [
        "interface",
        "version",
        "backlog",
        "shared",
        "tls",
        "max_connections",
        "max_connections_per_ip",
      ],
      unsupported: {
        portrange: "listening on the first free port of a range",
        "user-timeout": "Deno does not expose TCP_USER_TIMEOUT",
      },
    })!;
    const version = ipVersion(c, p("version"), o.version) ?? 4;
    const tls = o.tls === undefined ? undefined : listeningTls(c, p("tls"), o.tls);
    const out: ListeningEndpointConfig = {
      type: "tcp",
      port: c.integer(p("port"), o.port, { min: 0, max: 65535, range: PORT_RANGE }) ?? NaN,
      interface: c.string(p("interface"), o.interface, { nonEmpty: true }) ??
        (version === 6 ? "::" : "0.0.0.0"),
      version,
      backlog: c.integer(p("backlog"), o.backlog, { min: 1, max: 65535 }) ?? DEFAULT_BACKLOG,
      shared: c.boolean(p("shared"), o.shared) ?? false,
      max_connections: c.integer(p("max_connections"), o.max_connections, { min: 0 }) ??
        DEFAULT_MAX_CONNECTIONS,
      max_connections_per_ip:
        c.integer(p("max_connections_per_ip"), o.max_connections_per_ip, { min: 0 }) ??
          DEFAULT_MAX_CONNECTIONS_PER_IP,
    };
    if (tls) out.tls = tls;
    // `version` picks the default interface; with an address given, they must agree.
    if (o.version !== undefined && o.interface !== undefined && out.interface !== "") {
      const v6 = out.interface.includes(":");
      if (v6 !== (version === 6)) {
        c.error(
          p("version"),
          `interface ${JSON.stringify(out.interface)} is an IPv${
            v6 ? 6 : 4
          } address, got version ${version}`,
        );
      }
    }
    return out;
  }
  const o = c.object(path, t.o, {
    required: ["type", "path"],
    optional: ["mode", "max_connections"],
    unsupported: {
      backlog: "Deno does not let a Unix socket listener set its accept queue (it uses 511)",
    },
  })!;
  return {
    type: "unix",
    path: c.string(p("path"), o.path, { nonEmpty: true }) ?? "",
    backlog: DEFAULT_BACKLOG,
    mode: unixMode(c, p("mode"), o.mode) ?? DEFAULT_UNIX_SOCKET_MODE,
    max_connections: c.integer(p("max_connections"), o.max_connections, { min: 0 }) ??
      DEFAULT_MAX_CONNECTIONS,
  };
}

/**
 * Who connects over a connecting endpoint: xbar's own client (TypeScript
 * components, rlinks) or a Python component's Autobahn|Python (which takes
 * a TLS server name apart from the host and forces an IP version).
 */
export type ConnectingClient = "xbar" | "python";

/** Reads a connecting endpoint (container components, rlinks). */
export function checkConnectingEndpoint(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  client: ConnectingClient = "xbar",
): ConnectingEndpointConfig | undefined {
  const t = readType(c, path, v, "endpoint type", ENDPOINT_TYPES, UNSUPPORTED_ENDPOINT_TYPES);
  if (!t) return undefined;
  const p = (k: string) => [...path, k];
  if (t.type === "tcp") {
    const o = c.object(path, t.o, {
      required: ["type", "host", "port"],
      optional: ["version", "timeout", "tls"],
    })!;
    const out: TcpConnectingEndpointConfig = {
      type: "tcp",
      host: c.string(p("host"), o.host, { nonEmpty: true }) ?? "",
      port: c.integer(p("port"), o.port, { min: 1, max: 65535 }) ?? NaN,
      version: ipVersion(c, p("version"), o.version) ?? 4,
      timeout: c.integer(p("timeout"), o.timeout, { min: 0, max: 600 }) ?? DEFAULT_CONNECT_TIMEOUT,
    };
    // xbar connects to `host` as given: the IP version follows from it.
    if (client === "xbar" && o.version !== undefined && out.host !== "") {
      const literal6 = out.host.includes(":");
      const literal4 = /^\d+\.\d+\.\d+\.\d+$/.test(out.host);
      if (
        (out.version === 6 && !literal6) || (out.version === 4 && literal6) ||
        (literal4 && out.version !== 4)
      ) {
        c.error(
          p("version"),
          `xbar connects to host ${JSON.stringify(out.host)} as the system resolves it: ` +
            `version ${out.version} cannot be forced (use an IPv${out.version} address as host)`,
        );
      }
    }
    if (o.tls !== undefined) {
      const tp = p("tls");
      const to = c.object(tp, o.tls, {
        required: ["hostname"],
        optional: ["ca_certificates"],
        unsupported: {
          certificate: "TLS client certificates",
          key: "TLS client certificates",
        },
      });
      if (to) {
        const tls: NonNullable<TcpConnectingEndpointConfig["tls"]> = {
          hostname: c.string([...tp, "hostname"], to.hostname, { nonEmpty: true }) ?? "",
          ca_certificates:
            c.stringList([...tp, "ca_certificates"], to.ca_certificates, { nonEmpty: true }) ?? [],
        };
        if (
          client === "xbar" && tls.hostname !== "" && out.host !== "" && tls.hostname !== out.host
        ) {
          c.error(
            [...tp, "hostname"],
            `must be the endpoint's host ${JSON.stringify(out.host)}: xbar verifies the server's ` +
              `certificate against the host it connects to, got ${JSON.stringify(tls.hostname)}`,
          );
        }
        out.tls = tls;
      }
    }
    return out;
  }
  const o = c.object(path, t.o, { required: ["type", "path"], optional: ["timeout"] })!;
  return {
    type: "unix",
    path: c.string(p("path"), o.path, { nonEmpty: true }) ?? "",
    timeout: c.integer(p("timeout"), o.timeout, { min: 0, max: 600 }) ?? DEFAULT_CONNECT_TIMEOUT,
  };
}
