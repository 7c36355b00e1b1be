/**
 * The services a Web transport can put on its paths, shaped like Crossbar's
 * config v2 `web` transport `paths` entries (option names in camelCase; the
 * worker translates the config). Each kind is documented where it is
 * implemented.
 *
 * @module
 */

import type { ArchiveOptions } from "./archive_files.ts";
import type { JsonValueOptions } from "./web_info.ts";
import type { SerializerName } from "../serializer/serializer.ts";
import type { WebSocketOptions } from "./websocket.ts";
import type { LongPollOptions } from "./longpoll.ts";
import type { StaticFilesOptions } from "./static_files.ts";
import type { CallerBridgeOptions } from "./http_bridge_caller.ts";
import type { PublisherBridgeOptions } from "./http_bridge_publisher.ts";
import type { MetricFamily } from "../metrics/metric_family.ts";
import type { NodeSummary } from "../metrics/node_summary.ts";

/**
 * Where the `metrics` and `nodeinfo` services get their figures: a router
 * worker asks its controller (the whole node); without one, the services
 * read the router they serve.
 */
export interface StatusSource {
  /** Every metric family to expose. */
  metrics(): Promise<MetricFamily[]>;
  /** The node summary. */
  summary(): Promise<NodeSummary>;
}

/** WAMP over WebSocket on this path (`websocket.ts`). Several paths may each have one. */
export interface WebSocketPathService {
  /** Service kind. */
  type: "websocket";
  /** Serializers offered. Default: json, msgpack, cbor. */
  serializers?: readonly SerializerName[];
  /** Transport id for `PeerInfo.transportId` (selects the authenticator). Default: the Web transport's id. */
  transportId?: string;
  /** WebSocket options (defaults as in `websocket.ts`). */
  options?: Omit<WebSocketOptions, "serializers" | "tracker" | "logger" | "transportId">;
}

/** Static files from a directory (`static_files.ts`). */
export interface StaticPathService {
  /** Service kind. */
  type: "static";
  /** The directory, relative to the Web transport's `baseDir` (or absolute). */
  directory: string;
  /** Static file options (defaults as in `static_files.ts`). */
  options?: Omit<StaticFilesOptions, "logger">;
}

/** Files from a ZIP archive (`archive_files.ts`). */
export interface ArchivePathService {
  /** Service kind. */
  type: "archive";
  /** Archive options (`archive` relative to the Web transport's `baseDir`). */
  options: Omit<ArchiveOptions, "baseDir" | "logger">;
}

/** An HTTP redirect of every request on this path and below to one URL. */
export interface RedirectPathService {
  /** Service kind. */
  type: "redirect";
  /** Where to: an absolute URL or a path. */
  url: string;
  /** Redirect status. Default 302 (Found), as Crossbar's. */
  status?: 301 | 302 | 303 | 307 | 308;
}

/** WAMP over HTTP long-poll below this path (`longpoll.ts`). */
export interface LongPollPathService {
  /** Service kind. */
  type: "longpoll";
  /** Serializers spoken, each batched and unbatched. Default: json, msgpack, cbor. */
  serializers?: readonly SerializerName[];
  /** Transport id for `PeerInfo.transportId`. Default: the Web transport's id. */
  transportId?: string;
  /** Long-poll options (defaults as in `longpoll.ts`). */
  options?: Omit<LongPollOptions, "serializers" | "logger" | "transportId">;
}

/** HTTP bridge: POST JSON → WAMP call → JSON answer (`http_bridge_caller.ts`). */
export interface CallerPathService {
  /** Service kind. */
  type: "caller";
  /** Realm the bridge session joins. */
  realm: string;
  /** Role of the bridge session. Default `anonymous`. */
  role?: string;
  /** Bridge options (defaults as in `http_bridge.ts`). */
  options?: Omit<CallerBridgeOptions, "realm" | "role" | "logger">;
}

/** HTTP bridge: POST JSON → WAMP publish → `{"id": publication}` (`http_bridge_publisher.ts`). */
export interface PublisherPathService {
  /** Service kind. */
  type: "publisher";
  /** Realm the bridge session joins. */
  realm: string;
  /** Role of the bridge session. Default `anonymous`. */
  role?: string;
  /** Bridge options (defaults as in `http_bridge.ts`). */
  options?: Omit<PublisherBridgeOptions, "realm" | "role" | "logger">;
}

/** A nested path map (Crossbar's `path` service): its keys continue this path. */
export interface NestedPathService {
  /** Service kind. */
  type: "path";
  /** Sub-path → service. */
  paths: Record<string, PathService>;
}

/**
 * The node's live status page (Crossbar's `nodeinfo`, `web_status_page.ts`):
 * a plain HTML summary that keeps itself up to date in a browser.
 */
export interface NodeInfoPathService {
  /** Service kind. */
  type: "nodeinfo";
  /** Extra facts shown on the page. */
  info?: Record<string, string>;
  /** Where the figures come from. Default: the router this transport serves. */
  status?: StatusSource;
  /** Milliseconds between updates pushed to an open page. Default 2000. */
  updateMs?: number;
}

/** Prometheus metrics (xbar's `metrics` service, `web_metrics.ts`). */
export interface MetricsPathService {
  /** Service kind. */
  type: "metrics";
  /** Where the figures come from. Default: the router this transport serves (and this process). */
  status?: StatusSource;
}

/** A fixed JSON document (Crossbar's `json`). */
export interface JsonPathService {
  /** Service kind. */
  type: "json";
  /** The document. */
  value: unknown;
  /** Formatting and headers. */
  options?: JsonValueOptions;
}

/** A service on a Web transport path. */
export type PathService =
  | NodeInfoPathService
  | MetricsPathService
  | JsonPathService
  | WebSocketPathService
  | StaticPathService
  | ArchivePathService
  | RedirectPathService
  | LongPollPathService
  | CallerPathService
  | PublisherPathService
  | NestedPathService;
