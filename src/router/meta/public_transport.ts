/**
 * A session's transport details as other sessions may see them (the session
 * meta API, `wamp.session.on_join`, router links): Crossbar's details minus
 * what would let one session act as another. A long-poll transport id is the
 * only credential of a long-poll session (anyone who has it can send and
 * receive as that session), and HTTP request headers carry cookies, tokens
 * and passwords: those are never shown. Authenticators still get everything
 * (they see the `PeerInfo` itself).
 *
 * @module
 */

import type { Dict } from "../../wamp/messages.ts";
import type { PeerInfo } from "../peer.ts";

/** Keys of `PeerInfo.extra` never shown: they are credentials. */
const SECRET_EXTRA = new Set(["longpoll_transport"]);

/** HTTP headers never shown: credentials by name, or by a name that says so. */
const SECRET_HEADER = new Set(["cookie", "authorization", "proxy-authorization"]);
const SECRET_HEADER_NAME = /auth|token|secret|passw|api-?key|session|cookie|credential/i;

/** True when a received HTTP header named `name` may be shown to other sessions. */
export function isPublicHeader(name: string): boolean {
  const n = name.toLowerCase();
  if (n.startsWith("sec-websocket-")) return true;
  return !SECRET_HEADER.has(n) && !SECRET_HEADER_NAME.test(n);
}

/** `info` as other sessions may see it (a copy; `info` is not changed). */
export function publicTransportDetails(info: PeerInfo): Dict {
  const out: Dict = { ...info };
  if (info.extra === undefined) return out;
  const extra: Dict = {};
  for (const [k, v] of Object.entries(info.extra)) {
    if (SECRET_EXTRA.has(k)) continue;
    if (k === "http_headers_received" && v !== null && typeof v === "object") {
      const headers: Dict = {};
      for (const [name, value] of Object.entries(v as Dict)) {
        if (isPublicHeader(name)) headers[name] = value;
      }
      extra[k] = headers;
    } else extra[k] = v;
  }
  out.extra = extra;
  return out;
}
