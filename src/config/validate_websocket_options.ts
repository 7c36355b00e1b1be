/**
 * WebSocket options (Crossbar "WebSocket Options") and serializer lists,
 * shared by listening WebSocket transports, WebSocket web services and
 * connecting WebSocket transports.
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
import type { SerializerName, WebSocketOptions } from "./types.ts";
import { checkFlowControl } from "./validate_flow_control.ts";

const NO_EFFECT = "Deno's WebSocket implementation handles this itself";

/** WebSocket options Crossbar (Autobahn) knows that have no effect in xbar. */
const IGNORED_WEBSOCKET_OPTIONS: Readonly<Record<string, string>> = {
  enable_hybi10: NO_EFFECT,
  enable_rfc6455: NO_EFFECT,
  validate_utf8: NO_EFFECT,
  mask_server_frames: NO_EFFECT,
  require_masked_client_frames: NO_EFFECT,
  apply_mask: NO_EFFECT,
  max_frame_size: NO_EFFECT,
  auto_fragment_size: NO_EFFECT,
  fail_by_drop: NO_EFFECT,
  echo_close_codereason: NO_EFFECT,
  tcp_nodelay: NO_EFFECT,
  enable_flash_policy: "Flash is gone",
  flash_policy: "Flash is gone",
};

/** Reads WebSocket `options`, applying defaults. */
export function checkWebSocketOptions(c: Checker, path: ConfigPath, v: unknown): WebSocketOptions {
  const out = defaultWebSocketOptions();
  const o = c.object(path, v, {
    optional: [
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
      "external_port",
      "compression",
      "flow_control",
    ],
    ignored: IGNORED_WEBSOCKET_OPTIONS,
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
  const external = c.integer(p("external_port"), o.external_port, { min: 1, max: 65535 });
  if (external !== undefined) out.external_port = external;
  if (o.compression !== undefined) {
    const comp = c.object(p("compression"), o.compression, { optional: ["deflate"] });
    const d = comp?.deflate === undefined ? undefined : c.object(
      [...p("compression"), "deflate"],
      comp.deflate,
      {
        optional: [
          "request_no_context_takeover",
          "request_max_window_bits",
          "no_context_takeover",
          "max_window_bits",
          "memory_level",
        ],
      },
    );
    if (d) {
      const dp = (k: string) => [...p("compression"), "deflate", k];
      const deflate: NonNullable<WebSocketOptions["compression"]>["deflate"] = {};
      for (const k of ["request_no_context_takeover", "no_context_takeover"] as const) {
        const b = c.boolean(dp(k), d[k]);
        if (b !== undefined) deflate[k] = b;
      }
      for (const k of ["request_max_window_bits", "max_window_bits"] as const) {
        const n = c.integer(dp(k), d[k], { min: 0, max: 15 });
        if (n !== undefined && n !== 0 && n < 9) {
          c.error(dp(k), `must be 0 (default) or 9-15, got ${n}`);
        } else if (n !== undefined) deflate[k] = n;
      }
      const mem = c.integer(dp("memory_level"), d.memory_level, { min: 1, max: 9 });
      if (mem !== undefined) deflate.memory_level = mem;
      out.compression = { deflate };
    }
  }
  return out;
}

/** Reads a `serializers` list (default cbor, msgpack, json); `ubjson` is dropped with a warning. */
export function checkSerializers(c: Checker, path: ConfigPath, v: unknown): SerializerName[] {
  const list = c.list(path, v);
  if (!list) return [...DEFAULT_SERIALIZERS];
  const out: SerializerName[] = [];
  let ok = true;
  list.forEach((item, i) => {
    if (item === "ubjson") {
      c.warn([...path, i], `serializer "ubjson" is not supported by xbar and is left out`);
      return;
    }
    const s = c.oneOf([...path, i], item ?? null, ["json", "msgpack", "cbor"] as const);
    if (s === undefined) ok = false;
    else if (!out.includes(s)) out.push(s);
  });
  if (ok && out.length === 0) c.error(path, `must name at least one of "json", "msgpack", "cbor"`);
  return out;
}
