/**
 * Router transports (listening: websocket, rawsocket, web) and the
 * transports components and rlinks connect over (websocket, rawsocket).
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { ID, ID_TEXT } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  defaultWebTransportOptions,
  MAX_MESSAGE_SIZE_LIMIT,
  RAWSOCKET_MAX_ANNOUNCED,
} from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type {
  ConnectingTransportConfig,
  RawSocketOptions,
  TransportConfig,
  WebTransportOptions,
} from "./types.ts";
import { NO_DEBUG, UNSUPPORTED_TRANSPORT_TYPES } from "./unsupported.ts";
import { checkAuth } from "./validate_auth.ts";
import {
  checkConnectingEndpoint,
  checkListeningEndpoint,
  type ConnectingClient,
} from "./validate_endpoint.ts";
import { checkWebPaths } from "./validate_web_service.ts";
import {
  checkConnectingWebSocketOptions,
  checkSerializers,
  checkWebSocketFields,
} from "./validate_websocket_options.ts";
import { checkFlowControl } from "./validate_flow_control.ts";

/** Stands in for an endpoint with errors (the config is not returned then). */
const NO_ENDPOINT = { type: "unix", path: "", backlog: 0, mode: 0, max_connections: 0 } as const;

function rawSocketOptions(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  legacy: { path: ConfigPath; value: unknown },
): RawSocketOptions {
  const o = c.object(path, v, { optional: ["max_message_size", "flow_control"] });
  const flow = checkFlowControl(c, [...path, "flow_control"], o?.flow_control);
  const p = [...path, "max_message_size"];
  // RawSocket announces 2^9 to 2^24 octets: less than 512 cannot be announced.
  let size = c.integer(p, o?.max_message_size, { min: 512, max: MAX_MESSAGE_SIZE_LIMIT });
  if (legacy.value !== undefined) {
    if (o?.max_message_size !== undefined) {
      c.error(
        legacy.path,
        `"max_message_size" is given twice: keep only options.max_message_size`,
        "key",
      );
    }
    size = c.integer(legacy.path, legacy.value, { min: 512, max: MAX_MESSAGE_SIZE_LIMIT }) ??
      size;
  }
  if (size !== undefined && size > RAWSOCKET_MAX_ANNOUNCED) {
    c.warn(
      legacy.value !== undefined ? legacy.path : p,
      `RawSocket can announce at most ${RAWSOCKET_MAX_ANNOUNCED} bytes (16 MiB); larger messages are refused`,
    );
  }
  const out: RawSocketOptions = { max_message_size: size ?? DEFAULT_MAX_MESSAGE_SIZE };
  if (flow !== undefined) out.flow_control = flow;
  return out;
}

/** A connecting transport is a client: flow control applies to what a router serves. */
function refuseFlowControl(c: Checker, path: ConfigPath, options: unknown): void {
  if (
    typeof options === "object" && options !== null &&
    (options as Record<string, unknown>).flow_control !== undefined
  ) {
    c.error(
      [...path, "flow_control"],
      "flow_control applies to listening transports (a router's), not to one that connects",
      "key",
    );
  }
}

function webOptions(c: Checker, path: ConfigPath, v: unknown): WebTransportOptions {
  const out = defaultWebTransportOptions();
  const o = c.object(path, v, {
    optional: ["access_log", "display_tracebacks", "hsts", "hsts_max_age", "client_timeout"],
  });
  if (!o) return out;
  const p = (k: string) => [...path, k];
  out.access_log = c.boolean(p("access_log"), o.access_log) ?? out.access_log;
  out.display_tracebacks = c.boolean(p("display_tracebacks"), o.display_tracebacks) ??
    out.display_tracebacks;
  out.hsts = c.boolean(p("hsts"), o.hsts) ?? out.hsts;
  out.hsts_max_age = c.integer(p("hsts_max_age"), o.hsts_max_age, { min: 0 }) ?? out.hsts_max_age;
  out.client_timeout = o.client_timeout === null
    ? null
    : c.integer(p("client_timeout"), o.client_timeout, { min: 1, max: 86400 }) ??
      out.client_timeout;
  return out;
}

function checkUniversal(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
  id: string,
): TransportConfig {
  const p = (...k: string[]) => [...path, ...k];
  c.object(path, o, {
    required: ["type", "endpoint"],
    optional: ["id", "rawsocket", "websocket", "web"],
    unsupported: { mqtt: "the MQTT bridge" },
  });
  const endpoint = checkListeningEndpoint(c, p("endpoint"), o.endpoint);
  const out: TransportConfig = {
    type: "universal",
    id,
    endpoint: endpoint ?? NO_ENDPOINT,
    websocket: {},
  };
  if (o.rawsocket !== undefined) {
    const r = c.object(p("rawsocket"), o.rawsocket, {
      optional: ["serializers", "options", "max_message_size", "auth"],
      fixed: NO_DEBUG,
    });
    if (r) {
      out.rawsocket = {
        serializers: checkSerializers(c, p("rawsocket", "serializers"), r.serializers),
        options: rawSocketOptions(c, p("rawsocket", "options"), r.options, {
          path: p("rawsocket", "max_message_size"),
          value: r.max_message_size,
        }),
        auth: checkAuth(c, p("rawsocket", "auth"), r.auth),
      };
    }
  }
  const ws = c.freeMap(p("websocket"), o.websocket);
  if (ws) {
    const wrapped = Object.fromEntries(
      Object.entries(ws).map((
        [k, v],
      ) => [
        k,
        v !== null && typeof v === "object" && !("type" in v) ? { type: "websocket", ...v } : v,
      ]),
    );
    const paths = checkWebPaths(c, p("websocket"), wrapped);
    for (const [k, s] of Object.entries(paths)) {
      if (s.type !== "websocket") {
        c.error([...path, "websocket", k, "type"], `must be "websocket", got "${s.type}"`);
      } else out.websocket[k] = s;
    }
  }
  if (o.web !== undefined) {
    const w = c.object(p("web"), o.web, { required: ["paths"], optional: ["options"] });
    if (w) {
      out.web = {
        paths: checkWebPaths(c, p("web", "paths"), w.paths),
        options: webOptions(c, p("web", "options"), w.options),
      };
      for (const k of Object.keys(out.websocket)) {
        if (k in out.web.paths) {
          c.error(
            [...path, "web", "paths", k],
            `path "${k}" is also a websocket path of this transport`,
            "key",
          );
        }
      }
    }
  }
  return out;
}

/** Reads a router transport; `id` is `""` when the config gives none (the worker assigns one). */
export function checkTransport(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): TransportConfig | undefined {
  const t = readType(
    c,
    path,
    v,
    "transport type",
    ["websocket", "rawsocket", "web", "universal"] as const,
    UNSUPPORTED_TRANSPORT_TYPES,
  );
  if (!t) return undefined;
  const o = t.o;
  const p = (k: string) => [...path, k];
  const id = c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT }) ?? "";
  switch (t.type) {
    case "websocket": {
      c.object(path, o, {
        required: ["type", "endpoint"],
        optional: ["id", "url", "serializers", "options", "auth"],
        unsupported: { cookie: "WebSocket cookie tracking" },
        fixed: NO_DEBUG,
      });
      const endpoint = checkListeningEndpoint(c, p("endpoint"), o.endpoint);
      return {
        type: "websocket",
        id,
        endpoint: endpoint ?? NO_ENDPOINT,
        ...checkWebSocketFields(c, path, o),
      };
    }
    case "rawsocket": {
      c.object(path, o, {
        required: ["type", "endpoint"],
        optional: ["id", "serializers", "options", "max_message_size", "auth"],
        fixed: NO_DEBUG,
      });
      const endpoint = checkListeningEndpoint(c, p("endpoint"), o.endpoint);
      return {
        type: "rawsocket",
        id,
        endpoint: endpoint ?? NO_ENDPOINT,
        serializers: checkSerializers(c, p("serializers"), o.serializers),
        options: rawSocketOptions(c, p("options"), o.options, {
          path: p("max_message_size"),
          value: o.max_message_size,
        }),
        auth: checkAuth(c, p("auth"), o.auth),
        debug: false,
      };
    }
    case "universal":
      return checkUniversal(c, path, o, id);
    case "web": {
      c.object(path, o, { required: ["type", "endpoint", "paths"], optional: ["id", "options"] });
      const endpoint = checkListeningEndpoint(c, p("endpoint"), o.endpoint);
      return {
        type: "web",
        id,
        endpoint: endpoint ?? NO_ENDPOINT,
        paths: checkWebPaths(c, p("paths"), o.paths),
        options: webOptions(c, p("options"), o.options),
      };
    }
  }
}

/** Reads a transport to connect over (container components, rlinks). */
export function checkConnectingTransport(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  client: ConnectingClient = "xbar",
): ConnectingTransportConfig | undefined {
  const t = readType(
    c,
    path,
    v,
    "transport type",
    ["websocket", "rawsocket"] as const,
    UNSUPPORTED_TRANSPORT_TYPES,
  );
  if (!t) return undefined;
  const o = t.o;
  const p = (k: string) => [...path, k];
  const endpoint = () =>
    checkConnectingEndpoint(c, p("endpoint"), o.endpoint, client) ??
      { type: "unix", path: "", timeout: 0 };
  if (t.type === "websocket") {
    c.object(path, o, {
      required: ["type", "endpoint", "url"],
      optional: ["id", "serializers", "options"],
    });
    c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT });
    refuseFlowControl(c, p("options"), o.options);
    const options = checkConnectingWebSocketOptions(c, p("options"), o.options, client);
    const ep = endpoint();
    if (client === "xbar" && ep.type === "tcp" && ep.tls !== undefined) {
      const tls = (o.endpoint as { tls: Record<string, unknown> }).tls;
      for (const k of ["ca_certificates", "certificate", "key"]) {
        if (tls[k] !== undefined) {
          c.error(
            [...p("endpoint"), "tls", k],
            `"${k}" is not supported by xbar on a WebSocket client (Deno's WebSocket uses the ` +
              `system's CA roots and has no client certificates; a rawsocket transport takes ca_certificates)`,
            "key",
          );
        }
      }
    }
    return {
      type: "websocket",
      endpoint: ep,
      url: c.string(p("url"), o.url, {
        pattern: /^wss?:\/\/[^\s/]+/,
        patternName: "a ws:// or wss:// URL",
      }) ?? "",
      serializers: checkSerializers(c, p("serializers"), o.serializers),
      options,
    };
  }
  c.object(path, o, {
    required: ["type", "endpoint"],
    optional: ["id", "serializer", "options", "url"],
    hints: { serializers: `a connecting RawSocket transport takes one "serializer"` },
    fixed: NO_DEBUG,
  });
  c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT });
  refuseFlowControl(c, p("options"), o.options);
  const out: ConnectingTransportConfig = {
    type: "rawsocket",
    endpoint: endpoint(),
    serializer: o.serializer === "ubjson"
      ? (c.error(p("serializer"), `serializer "ubjson" is not supported by xbar`), "cbor")
      : c.oneOf(p("serializer"), o.serializer, ["json", "msgpack", "cbor"] as const) ?? "cbor",
    options: rawSocketOptions(c, p("options"), o.options, {
      path: p("max_message_size"),
      value: undefined,
    }),
  };
  const url = c.string(p("url"), o.url, {
    pattern: /^rss?:\/\/\S+/,
    patternName: "an rs:// or rss:// URL",
  });
  if (url !== undefined) out.url = url;
  return out;
}
