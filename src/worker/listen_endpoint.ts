/**
 * A listening endpoint of the config as the transports take it: where to
 * bind (`open_listener.ts`) and the connection limits (`connection_gate.ts`).
 * Types only, so that every transport kind can use it without loading the
 * others (start-up time).
 *
 * @module
 */

import type { ListeningEndpointConfig } from "../config/types.ts";
import type { ConnectionLimits } from "../transport/connection_gate.ts";
import type { ListenEndpoint } from "../transport/open_listener.ts";

/** The endpoint of `open_listener.ts` for a config endpoint. */
export function listenEndpointOf(endpoint: ListeningEndpointConfig): ListenEndpoint {
  if (endpoint.type === "unix") return { type: "unix", path: endpoint.path, mode: endpoint.mode };
  return {
    type: "tcp",
    hostname: endpoint.interface,
    port: endpoint.port,
    reusePort: endpoint.shared,
    backlog: endpoint.backlog,
    tls: endpoint.tls
      ? {
        key: endpoint.tls.key,
        certificate: endpoint.tls.certificate,
        chainCertificates: endpoint.tls.chain_certificates,
      }
      : undefined,
  };
}

/** The connection limits a config endpoint sets. */
export function limitsOf(endpoint: ListeningEndpointConfig): ConnectionLimits {
  return {
    maxConnections: endpoint.max_connections,
    maxConnectionsPerIp: endpoint.type === "tcp" ? endpoint.max_connections_per_ip : 0,
  };
}
