/**
 * Web transport paths and their services (Crossbar "Web Services"):
 * websocket, static, redirect, longpoll, caller, publisher, nodeinfo, json,
 * path (nested paths), and xbar's `metrics` (Prometheus metrics of the node).
 *
 * @module
 */

import type { Checker } from "./_checker.ts";
import { ID, ID_TEXT, WEB_PATH } from "./_patterns.ts";
import { readType } from "./_typed.ts";
import { DEFAULT_COMPONENT_ROLE, defaultLongPollOptions } from "./defaults.ts";
import type { ConfigPath } from "./path.ts";
import type { HttpBridgeOptions, WebServiceConfig } from "./types.ts";
import { NO_DEBUG, UNSUPPORTED_WEB_SERVICES } from "./unsupported.ts";
import { checkWebSocketFields } from "./validate_websocket_options.ts";
import { checkFlowControl } from "./validate_flow_control.ts";

const SERVICE_TYPES = [
  "websocket",
  "static",
  "archive",
  "redirect",
  "longpoll",
  "caller",
  "publisher",
  "nodeinfo",
  "metrics",
  "json",
  "path",
] as const;

function bridgeOptions(c: Checker, path: ConfigPath, v: unknown): HttpBridgeOptions {
  const out: HttpBridgeOptions = {
    debug: false,
    require_tls: false,
    post_body_limit: 0,
    timestamp_delta_limit: 0,
    replay_cache_size: 100_000,
    allowed_origins: ["*"],
    allow_null_origin: true,
  };
  const o = c.object(path, v, {
    optional: [
      "key",
      "secret",
      "require_tls",
      "require_ip",
      "post_body_limit",
      "timestamp_delta_limit",
      "replay_cache_size",
      "allowed_origins",
      "allow_null_origin",
    ],
    fixed: NO_DEBUG,
  });
  if (!o) return out;
  const p = (k: string) => [...path, k];
  out.require_tls = c.boolean(p("require_tls"), o.require_tls) ?? false;
  out.post_body_limit =
    c.integer(p("post_body_limit"), o.post_body_limit, { min: 0, max: 1 << 20 }) ?? 0;
  out.timestamp_delta_limit =
    c.integer(p("timestamp_delta_limit"), o.timestamp_delta_limit, { min: 0, max: 86400 }) ??
      0;
  out.replay_cache_size = c.integer(p("replay_cache_size"), o.replay_cache_size, { min: 1 }) ??
    out.replay_cache_size;
  const key = c.string(p("key"), o.key, { nonEmpty: true });
  const secret = c.string(p("secret"), o.secret, { nonEmpty: true });
  if (key !== undefined) out.key = key;
  if (secret !== undefined) out.secret = secret;
  if ((o.key === undefined) !== (o.secret === undefined)) {
    c.error(path, `"key" and "secret" go together: give both or neither`);
  }
  const ips = c.stringList(p("require_ip"), o.require_ip, { nonEmpty: true });
  if (ips !== undefined) out.require_ip = ips;
  readOrigins(c, path, o, out);
  return out;
}

/** Reads `allowed_origins` and `allow_null_origin` (Crossbar's WebSocket option names) into `out`. */
function readOrigins(
  c: Checker,
  path: ConfigPath,
  o: Record<string, unknown>,
  out: { allowed_origins: string[]; allow_null_origin: boolean },
): void {
  const origins = c.stringList([...path, "allowed_origins"], o.allowed_origins, { nonEmpty: true });
  if (origins !== undefined) out.allowed_origins = origins;
  out.allow_null_origin = c.boolean([...path, "allow_null_origin"], o.allow_null_origin) ??
    out.allow_null_origin;
}

/** Reads one web service at `path`. */
export function checkWebService(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): WebServiceConfig | undefined {
  const t = readType(c, path, v, "web service type", SERVICE_TYPES, UNSUPPORTED_WEB_SERVICES);
  if (!t) return undefined;
  const p = (k: string) => [...path, k];
  const o = t.o;
  c.string(p("id"), o.id, { pattern: ID, patternName: ID_TEXT });
  switch (t.type) {
    case "websocket": {
      c.object(path, o, {
        required: ["type"],
        optional: ["id", "url", "serializers", "auth", "options"],
        unsupported: { cookie: "WebSocket cookie tracking" },
        fixed: NO_DEBUG,
      });
      return { type: "websocket", ...checkWebSocketFields(c, path, o) };
    }
    case "static": {
      c.object(path, o, {
        required: ["type", "directory"],
        optional: ["id", "options"],
        unsupported: {
          package: "serving Python package resources",
          resource: "serving Python package resources",
        },
      });
      const opts = {
        enable_directory_listing: false,
        mime_types: {},
        cache_timeout: null,
        default_file: "index.html",
      } as {
        enable_directory_listing: boolean;
        mime_types: Record<string, string>;
        cache_timeout: number | null;
        default_file: string;
      };
      const oo = c.object(p("options"), o.options, {
        optional: ["enable_directory_listing", "mime_types", "cache_timeout", "default_file"],
      });
      if (oo) {
        const op = (k: string) => [...path, "options", k];
        opts.enable_directory_listing =
          c.boolean(op("enable_directory_listing"), oo.enable_directory_listing) ?? false;
        opts.mime_types = c.freeStringMap(op("mime_types"), oo.mime_types) ?? {};
        opts.cache_timeout = oo.cache_timeout === null
          ? null
          : c.integer(op("cache_timeout"), oo.cache_timeout, { min: 0 }) ?? null;
        opts.default_file = c.string(op("default_file"), oo.default_file, { nonEmpty: true }) ??
          "index.html";
      }
      const directory = c.string(p("directory"), o.directory, { nonEmpty: true }) ?? "";
      const missing = directory !== "" ? c.environment?.directory?.(directory) : undefined;
      if (missing) c.error(p("directory"), missing);
      return { type: "static", directory, options: opts };
    }
    case "archive": {
      c.object(path, o, {
        required: ["type", "archive"],
        optional: [
          "id",
          "origin",
          "download",
          "cache",
          "default_object",
          "object_prefix",
          "mime_types",
          "hashes",
          "options",
        ],
      });
      const out: WebServiceConfig = {
        type: "archive",
        archive: c.string(p("archive"), o.archive, { nonEmpty: true }) ?? "",
        download: c.boolean(p("download"), o.download) ?? false,
        cache: c.boolean(p("cache"), o.cache) ?? false,
        mime_types: c.freeStringMap(p("mime_types"), o.mime_types) ?? {},
        hashes: (c.stringList(p("hashes"), o.hashes, {
          pattern: /^[0-9a-fA-F]{64}$/,
          patternName: "a SHA-256 fingerprint of 64 hex characters",
        }) ?? []).map((h) => h.toLowerCase()),
        options: {},
      };
      const origin = c.string(p("origin"), o.origin, {
        pattern: /^https?:\/\/\S+$/,
        patternName: "an http:// or https:// URL",
      });
      if (origin !== undefined) out.origin = origin;
      for (const k of ["default_object", "object_prefix"] as const) {
        const s = c.string(p(k), o[k], { nonEmpty: true });
        if (s !== undefined) out[k] = s;
      }
      const oo = c.object(p("options"), o.options, { optional: ["default_file"] });
      const df = oo
        ? c.string([...path, "options", "default_file"], oo.default_file, {
          nonEmpty: true,
        })
        : undefined;
      if (df !== undefined) out.options.default_file = df;
      if (out.archive !== "") {
        const missing = c.environment?.file?.(out.archive);
        if (missing && !(out.download && out.origin)) {
          c.error(
            p("archive"),
            `${missing}${
              out.origin ? " (set download: true to fetch it from origin at start)" : ""
            }`,
          );
        }
      }
      return out;
    }
    case "redirect":
      c.object(path, o, { required: ["type", "url"], optional: ["id"] });
      return { type: "redirect", url: c.string(p("url"), o.url, { nonEmpty: true }) ?? "" };
    case "longpoll": {
      c.object(path, o, { required: ["type"], optional: ["id", "options"] });
      const opts = defaultLongPollOptions();
      const oo = c.object(p("options"), o.options, {
        optional: [
          "request_timeout",
          "session_timeout",
          "queue_limit_bytes",
          "queue_limit_messages",
          "debug_transport_id",
          "flow_control",
          "allowed_origins",
          "allow_null_origin",
        ],
        fixed: NO_DEBUG,
      });
      if (oo) {
        const op = (k: string) => [...path, "options", k];
        opts.request_timeout =
          c.integer(op("request_timeout"), oo.request_timeout, { min: 0, max: 3600 }) ??
            opts.request_timeout;
        opts.session_timeout =
          c.integer(op("session_timeout"), oo.session_timeout, { min: 0, max: 86400 }) ??
            opts.session_timeout;
        opts.queue_limit_bytes =
          c.integer(op("queue_limit_bytes"), oo.queue_limit_bytes, { min: 1 }) ??
            opts.queue_limit_bytes;
        opts.queue_limit_messages =
          c.integer(op("queue_limit_messages"), oo.queue_limit_messages, { min: 1 }) ??
            opts.queue_limit_messages;
        const id = c.string(op("debug_transport_id"), oo.debug_transport_id, { nonEmpty: true });
        if (id !== undefined) opts.debug_transport_id = id;
        const flow = checkFlowControl(c, op("flow_control"), oo.flow_control, {
          queueLimit: { bytes: opts.queue_limit_bytes, key: "queue_limit_bytes" },
        });
        if (flow !== undefined) opts.flow_control = flow;
        readOrigins(c, path.concat("options"), oo, opts);
      }
      return { type: "longpoll", options: opts };
    }
    case "caller":
    case "publisher":
      c.object(path, o, { required: ["type", "realm"], optional: ["id", "role", "options"] });
      return {
        type: t.type,
        realm: c.string(p("realm"), o.realm, { nonEmpty: true }) ?? "",
        role: c.string(p("role"), o.role, { nonEmpty: true }) ?? DEFAULT_COMPONENT_ROLE,
        options: bridgeOptions(c, p("options"), o.options),
      };
    case "nodeinfo":
      c.object(path, o, { required: ["type"], optional: ["id"] });
      return { type: "nodeinfo" };
    case "metrics":
      c.object(path, o, { required: ["type"], optional: ["id"] });
      return { type: "metrics" };
    case "json": {
      c.object(path, o, { required: ["type", "value"], optional: ["id", "options"] });
      const opts = { prettify: false, allow_cross_origin: false, discourage_caching: false };
      const oo = c.object(p("options"), o.options, {
        optional: ["prettify", "allow_cross_origin", "discourage_caching"],
      });
      if (oo) {
        for (const k of ["prettify", "allow_cross_origin", "discourage_caching"] as const) {
          opts[k] = c.boolean([...path, "options", k], oo[k]) ?? false;
        }
      }
      return { type: "json", value: o.value, options: opts };
    }
    case "path":
      c.object(path, o, { required: ["type", "paths"], optional: ["id"] });
      return { type: "path", paths: checkWebPaths(c, p("paths"), o.paths) };
  }
}

/** Reads a `paths` map: keys are `"/"` or one path segment (`[A-Za-z0-9_-]+`). */
export function checkWebPaths(
  c: Checker,
  path: ConfigPath,
  v: unknown,
): Record<string, WebServiceConfig> {
  const out: Record<string, WebServiceConfig> = {};
  const map = c.freeMap(path, v);
  if (!map) return out;
  for (const [key, item] of Object.entries(map)) {
    if (!WEB_PATH.test(key)) {
      c.error(
        [...path, key],
        `invalid path "${key}": must be "/" or one path segment of A-Z, a-z, 0-9, _, - (nest deeper paths with type "path")`,
        "key",
      );
      continue;
    }
    const s = checkWebService(c, [...path, key], item);
    if (s) out[key] = s;
  }
  return out;
}
