/**
 * WebSocket options (Crossbar "WebSocket Options") and serializer lists,
 * shared by listening WebSocket transports, WebSocket web services and
 * connecting WebSocket transports; the fields a WebSocket transport and a
 * WebSocket web service share.
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import {
  DEFAULT_SERIALIZERS,
  defaultWebSocketOptions,
  MAX_MESSAGE_SIZE_LIMIT,
} from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { SerializerName, WebSocketOptions, WebSocketServiceConfig } from "./types.ts";
import { checkAuth } from "./validate_auth.ts";
import { checkFlowControl } from "./validate_flow_control.ts";

/** WebSocket options Crossbar (Autobahn) knows that xbar implements with one value only. */
const FIXED_WEBSOCKET_OPTIONS: Readonly<Record<string, { value: unknown; reason: string }>> = {
  enable_hybi10: { value: false, reason: "xbar speaks RFC 6455 only" },
  enable_rfc6455: { value: true, reason: "xbar speaks RFC 6455 only" },
  validate_utf8: {
    value: true,
    reason: "text messages are always checked; invalid UTF-8 closes with 1007",
  },
  mask_server_frames: { value: false, reason: "a server never masks its frames (RFC 6455)" },
  require_masked_client_frames: {
    value: true,
    reason: "unmasked client frames always close the connection (RFC 6455)",
  },
  apply_mask: { value: true, reason: "xbar's client always masks its frames (RFC 6455)" },
  tcp_nodelay: { value: true, reason: "TCP_NODELAY is always set on WebSocket connections" },
  enable_flash_policy: { value: false, reason: "Flash is gone" },
};

/** The WebSocket options xbar implements on listening transports. */
export const WEBSOCKET_OPTION_KEYS: readonly string[] = [
  "max_message_size",
  "auto_ping_interval",
  "auto_ping_timeout",
  "auto_ping_size",
  "open_handshake_timeout",
  "close_handshake_timeout",
  "allowed_origins",
  "allow_null_origin",
  "require_websocket_subprotocol",
  "enable_webstatus",
  "show_server_version",
  "compression",
  "flow_control",
  "max_frame_size",
  "auto_fragment_size",
  "echo_close_codereason",
  "fail_by_drop",
];

/**
 * WebSocket `options` of a connecting transport (container components,
 * rlinks). xbar's WebSocket client (Deno's) applies none of them, so each
 * one given is refused with that reason; a Python component's Autobahn
 * client takes `max_message_size` (and refuses the rest the same way).
 */
export function checkConnectingWebSocketOptions(
  c: Checker,
  path: ConfigPath,
  v: unknown,
  client: "xbar" | "python" = "xbar",
): WebSocketOptions {
  const out = defaultWebSocketOptions();
  const reason = client === "xbar"
    ? "applies to listening WebSocket transports; xbar's WebSocket client does not use it"
    : "applies to listening WebSocket transports; a Python component's client takes only max_message_size";
  // flow_control is refused with its own reason by the caller
  const refused = [...WEBSOCKET_OPTION_KEYS, ...Object.keys(FIXED_WEBSOCKET_OPTIONS)].filter((k) =>
    k !== "flow_control" && (client === "xbar" || k !== "max_message_size")
  );
  const o = c.object(path, v, {
    optional: client === "python" ? ["max_message_size", "flow_control"] : ["flow_control"],
    unsupported: Object.fromEntries(refused.map((k) => [k, reason])),
  });
  if (o && client === "python") {
    const size = c.integer([...path, "max_message_size"], o.max_message_size, {
      min: 512,
      max: MAX_MESSAGE_SIZE_LIMIT,
    });
    if (size !== undefined) out.max_message_size = size;
  }
  return out;
}

/** Reads WebSocket `options`, applying defaults. */
export function checkWebSocketOptions(c: Checker, path: ConfigPath, v: unknown): WebSocketOptions {
  const out = defaultWebSocketOptions();
  const o = c.object(path, v, {
    optional: WEBSOCKET_OPTION_KEYS,
    fixed: FIXED_WEBSOCKET_OPTIONS,
    unsupported: {
      flash_policy: "Flash policy files; Flash is gone",
      external_port:
        "xbar builds no URLs from a transport's port (the node info page uses the request's Host)",
    },
  });
  if (!o) return out;
  const p = (k: string) => [...path, k];
  const ms = (
    k:
      | "auto_ping_interval"
      | "auto_ping_timeout"
      | "open_handshake_timeout"
      | "close_handshake_timeout",
  ) => {
    const n = c.integer(p(k), o[k], { min: 0, max: 24 * 3600 * 1000 });
    if (n !== undefined) out[k] = n;
  };
  const size = c.integer(p("max_message_size"), o.max_message_size, {
    min: 1,
    max: MAX_MESSAGE_SIZE_LIMIT,
  });
  if (size !== undefined) out.max_message_size = size;
  ms("auto_ping_interval");
  ms("auto_ping_timeout");
  const interval = out.auto_ping_interval;
  if (interval > 0 && interval % 500 !== 0) {
    c.warn(
      p("auto_ping_interval"),
      `pings are sent every ${
        Math.max(500, Math.round(interval / 500) * 500)
      } ms: Deno's WebSocket server pings in steps of 500 ms`,
    );
  }
  if (interval > 0 && out.auto_ping_timeout > interval) {
    c.warn(
      p("auto_ping_timeout"),
      `a connection is dropped ${interval} ms after an unanswered ping (auto_ping_interval): ` +
        "Deno's WebSocket server cannot wait longer than the interval",
    );
  }
  ms("open_handshake_timeout");
  ms("close_handshake_timeout");
  const pingSize = c.integer(p("auto_ping_size"), o.auto_ping_size, { min: 4, max: 125 });
  if (pingSize !== undefined) out.auto_ping_size = pingSize;
  const origins = c.stringList(p("allowed_origins"), o.allowed_origins, { nonEmpty: true });
  if (origins !== undefined) out.allowed_origins = origins;
  for (
    const k of [
      "allow_null_origin",
      "require_websocket_subprotocol",
      "enable_webstatus",
      "show_server_version",
    ] as const
  ) {
    const b = c.boolean(p(k), o[k]);
    if (b !== undefined) out[k] = b;
  }
  const flow = checkFlowControl(c, p("flow_control"), o.flow_control);
  if (flow !== undefined) out.flow_control = flow;
  const frame = c.integer(p("max_frame_size"), o.max_frame_size, { min: 0 });
  if (frame !== undefined) out.max_frame_size = frame;
  const fragment = c.integer(p("auto_fragment_size"), o.auto_fragment_size, { min: 0 });
  if (fragment !== undefined) out.auto_fragment_size = fragment;
  const echo = c.boolean(p("echo_close_codereason"), o.echo_close_codereason);
  if (echo !== undefined) out.echo_close_codereason = echo;
  const drop = c.boolean(p("fail_by_drop"), o.fail_by_drop);
  if (drop !== undefined) out.fail_by_drop = drop;
  if (o.compression !== undefined) {
    const comp = c.object(p("compression"), o.compression, { optional: ["deflate"] });
    const d = comp?.deflate === undefined ? undefined : c.object(
      [...p("compression"), "deflate"],
      comp.deflate,
      {
        optional: [
          "request_max_window_bits",
          "max_window_bits",
          "memory_level",
          "no_context_takeover",
          "request_no_context_takeover",
        ],
      },
    );
    if (d) {
      const dp = (k: string) => [...p("compression"), "deflate", k];
      const deflate: NonNullable<WebSocketOptions["compression"]>["deflate"] = {};
      for (const k of ["request_max_window_bits", "max_window_bits"] as const) {
        const n = c.integer(dp(k), d[k], { min: 0, max: 15 });
        if (n !== undefined && n !== 0 && n < 9) {
          c.error(dp(k), `must be 0 (default) or 9-15, got ${n}`);
        } else if (n !== undefined) deflate[k] = n;
      }
      const mem = c.integer(dp("memory_level"), d.memory_level, { min: 1, max: 9 });
      if (mem !== undefined) deflate.memory_level = mem;
      const request = c.boolean(dp("request_no_context_takeover"), d.request_no_context_takeover);
      if (request !== undefined) deflate.request_no_context_takeover = request;
      if (c.boolean(dp("no_context_takeover"), d.no_context_takeover) === false) {
        c.warn(
          dp("no_context_takeover"),
          "xbar compresses each message on its own all the same (it answers " +
            "server_no_context_takeover, which RFC 7692 allows whatever the client offered)",
        );
      }
      out.compression = { deflate };
    }
  }
  return out;
}

/** Reads a `serializers` list (default cbor, msgpack, json); `ubjson` is refused. */
export function checkSerializers(c: Checker, path: ConfigPath, v: unknown): SerializerName[] {
  const list = c.list(path, v);
  if (!list) return [...DEFAULT_SERIALIZERS];
  const out: SerializerName[] = [];
  let ok = true;
  list.forEach((item, i) => {
    if (item === "ubjson") {
      c.error(
        [...path, i],
        `serializer "ubjson" is not supported by xbar (it speaks json, msgpack and cbor): remove it`,
      );
      return;
    }
    const s = c.oneOf([...path, i], item ?? null, ["json", "msgpack", "cbor"] as const);
    if (s === undefined) ok = false;
    else if (!out.includes(s)) out.push(s);
  });
  if (ok && out.length === 0) c.error(path, `must name at least one of "json", "msgpack", "cbor"`);
  return out;
}

/**
 * Reads what a listening WebSocket transport and a WebSocket web service
 * share: `serializers`, `options`, `auth` and `url` (a ws:// or wss:// URL);
 * `debug` is always false. The caller checks the keys of `o` itself.
 */
export function checkWebSocketFields(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
): Omit<WebSocketServiceConfig, "type"> {
  const p = (k: string) => [...path, k];
  const out: Omit<WebSocketServiceConfig, "type"> = {
    serializers: checkSerializers(c, p("serializers"), o.serializers),
    options: checkWebSocketOptions(c, p("options"), o.options),
    auth: checkAuth(c, p("auth"), o.auth),
    debug: false,
  };
  const url = c.string(p("url"), o.url, {
    pattern: /^wss?:\/\/[^\s/]+/,
    patternName: "a ws:// or wss:// URL",
  });
  if (url !== undefined) out.url = url;
  return out;
}
