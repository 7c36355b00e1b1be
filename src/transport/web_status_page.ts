/**
 * The live status page (the `nodeinfo` web service, Crossbar's name): the
 * node id and public key, version, uptime, workers (pid, type, state,
 * restarts, RSS, CPU), realms with session counts, transports with their
 * addresses, router links, message rates as small charts and recent
 * warnings. Below the service's path:
 *
 * - `` (or `/`): the page, rendered on the server: a complete plain summary
 *   without JavaScript (it reloads itself every 10 s);
 * - `/events`: server-sent events, one `update` every `updateMs` with the
 *   page's sections rendered anew (`problem` when the figures are missing);
 * - `/status.js`: the page's script, which swaps those sections in;
 * - `/status.json`: the summary as JSON, for tools.
 *
 * Nothing secret is shown (see `NodeSummary`); the page sends a strict
 * Content-Security-Policy (only its own script, no framing). Summaries are
 * shared between viewers for up to a second, and at most
 * `MAX_STATUS_STREAMS` update streams are open per service.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { NodeSummary } from "../metrics/node_summary.ts";
import { errorText } from "./router_call.ts";
import { discard, jsonResponse, methodNotAllowed, textResponse } from "./web_http.ts";
import { renderPage, renderSections } from "./web_status_render.ts";
import { STATUS_SCRIPT } from "./web_status_script.ts";

/** Default milliseconds between updates of an open page. */
export const DEFAULT_STATUS_UPDATE_MS = 2000;
/** Update streams one status page service keeps open at most. */
export const MAX_STATUS_STREAMS = 64;

const CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

const PAGE_HEADERS = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** Options of `StatusPage`. */
export interface StatusPageOptions {
  /** The URL path the service is mounted at (`""` for the root, else `/a/b`). */
  prefix: string;
  /** Where the figures come from. */
  summary: () => Promise<NodeSummary>;
  /** WebSocket paths (prefixes) of the same transport, shown as URLs to connect to. */
  webSocketPaths: string[];
  /** Extra facts shown with the node. */
  extra?: Record<string, string>;
  /** Milliseconds between updates. Default 2000. */
  updateMs?: number;
  /** Where to log. */
  logger: Logger;
}

/** One mounted status page service. */
export class StatusPage {
  #o: StatusPageOptions;
  #updateMs: number;
  #streams = new Set<() => void>();
  #cached: { at: number; value: Promise<NodeSummary> } | undefined;

  /** @param options see StatusPageOptions */
  constructor(options: StatusPageOptions) {
    this.#o = options;
    this.#updateMs = Math.max(100, options.updateMs ?? DEFAULT_STATUS_UPDATE_MS);
  }

  /** Open update streams. */
  get streams(): number {
    return this.#streams.size;
  }

  /** Answers a request whose path below the service is `rest`. */
  async handle(req: Request, rest: string): Promise<Response> {
    await discard(req);
    if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(req, "GET, HEAD");
    const head = req.method === "HEAD";
    switch (rest) {
      case "":
      case "/":
        return await this.#page(req, head);
      case "/events":
        return this.#events(head);
      case "/status.js":
        return new Response(head ? null : STATUS_SCRIPT, {
          headers: {
            "content-type": "text/javascript; charset=utf-8",
            "cache-control": "no-cache",
            "x-content-type-options": "nosniff",
          },
        });
      case "/status.json": {
        try {
          const s = await this.#summary();
          return jsonResponse(200, head ? "" : JSON.stringify(s) + "\n", {
            "cache-control": "no-store",
          });
        } catch (err) {
          return textResponse(503, `status unavailable: ${errorText(err)}`);
        }
      }
      default:
        return textResponse(404, "not found");
    }
  }

  /** Ends every update stream (the transport is shutting down). */
  closeAll(): void {
    for (const stop of [...this.#streams]) stop();
  }

  /** The summary, shared for up to a second (and while one is being fetched). */
  #summary(): Promise<NodeSummary> {
    const now = Date.now();
    const c = this.#cached;
    if (c && now - c.at < Math.min(1000, this.#updateMs / 2)) return c.value;
    const value = this.#o.summary();
    this.#cached = { at: now, value };
    value.catch(() => {
      if (this.#cached?.value === value) this.#cached = undefined;
    });
    return value;
  }

  async #page(req: Request, head: boolean): Promise<Response> {
    const url = new URL(req.url);
    const scheme = url.protocol === "https:" ? "wss" : "ws";
    const p = this.#o.prefix;
    let summary: NodeSummary | undefined;
    let error: string | undefined;
    try {
      summary = await this.#summary();
    } catch (err) {
      error = errorText(err);
      this.#o.logger.log("warn", "status page: no summary", { error });
    }
    const html = renderPage(summary, {
      webSocketUrls: this.#o.webSocketPaths.map((w) => `${scheme}://${url.host}${w}`),
      scriptUrl: `${p}/status.js`,
      eventsUrl: `${p}/events`,
      extra: this.#o.extra,
      error,
    });
    return new Response(head ? null : html, {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS },
    });
  }

  #events(head: boolean): Response {
    if (this.#streams.size >= MAX_STATUS_STREAMS) {
      return textResponse(503, "too many status page viewers; try again later", {
        "retry-after": "10",
      });
    }
    const headers = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    };
    if (head) return new Response(null, { headers });
    const encoder = new TextEncoder();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stop = () => {
          if (stopped) return;
          stopped = true;
          clearTimeout(timer);
          this.#streams.delete(stop);
          try {
            controller.close();
          } catch {
            // already closed or canceled
          }
        };
        this.#streams.add(stop);
        const send = (text: string) => {
          if (stopped) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            stop();
          }
        };
        send(`retry: 3000\n\n`);
        const tick = async () => {
          if (stopped) return;
          try {
            const s = await this.#summary();
            const update = {
              at: s.at,
              title: `xbar ${s.node}`,
              sections: renderSections(s, this.#o.extra),
            };
            send(`event: update\ndata: ${JSON.stringify(update)}\n\n`);
          } catch (err) {
            send(`event: problem\ndata: ${JSON.stringify(errorText(err))}\n\n`);
          }
          if (!stopped) timer = setTimeout(tick, this.#updateMs);
        };
        void tick();
      },
      cancel: () => stop(),
    });
    return new Response(body, { headers });
  }
}
