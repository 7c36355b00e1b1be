/**
 * Formats a remote address the way Crossbar shows peers in session details
 * and logs: `tcp4:127.0.0.1:52311`, `tcp6:[::1]:52311`, `unix:/path`.
 *
 * @module
 */

/**
 * Formats `addr` as a peer string.
 *
 * - IPv4: `tcp4:HOST:PORT`
 * - IPv6: `tcp6:[HOST]:PORT` (brackets keep the port unambiguous; an
 *   IPv4-mapped address such as `::ffff:10.0.0.1` is shown as `tcp4:10.0.0.1:PORT`)
 * - Unix socket: `unix:PATH` (`unix:` alone when the peer has no path, the usual case)
 * - UDP and anything else: `TRANSPORT:HOST:PORT` / `TRANSPORT:PATH`
 */
export function formatPeerAddress(addr: Deno.Addr): string {
  switch (addr.transport) {
    case "tcp": {
      const host = addr.hostname;
      if (!host.includes(":")) return `tcp4:${host}:${addr.port}`;
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
      if (mapped) return `tcp4:${mapped[1]}:${addr.port}`;
      return `tcp6:[${host}]:${addr.port}`;
    }
    case "unix":
    case "unixpacket":
      return `unix:${addr.path ?? ""}`;
    default: {
      const a = addr as { transport: string; hostname?: string; port?: number; path?: string };
      return a.path !== undefined
        ? `${a.transport}:${a.path}`
        : `${a.transport}:${a.hostname}:${a.port}`;
    }
  }
}
