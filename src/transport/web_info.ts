/**
 * Two small web services: `nodeinfo` (an HTML page saying what this endpoint
 * is, Crossbar's default `/` page) and `json` (a fixed JSON document).
 *
 * @module
 */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The node info page: what this is, the facts in `info` (node id, version,
 * ...) and the WebSocket paths served on the same transport.
 */
export function nodeInfoResponse(
  req: Request,
  info: Record<string, string>,
  webSocketPaths: string[],
): Response {
  const url = new URL(req.url);
  const scheme = url.protocol === "https:" ? "wss" : "ws";
  const rows = Object.entries(info)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const endpoints = webSocketPaths
    .map((p) =>
      `<li><code>${escapeHtml(`${scheme}://${url.host}/${p.replace(/^\//, "")}`)}</code></li>`
    )
    .join("");
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>xbar node</title></head>
<body>
<h1>xbar</h1>
<p>This is a WAMP router node. Connect a WAMP client over WebSocket:</p>
<ul>${endpoints}</ul>
<table>${rows}</table>
</body></html>
`;
  return new Response(req.method === "HEAD" ? null : html, {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

/** Options of the `json` service (Crossbar's names). */
export interface JsonValueOptions {
  /** Indent the document. Default false. */
  prettify?: boolean;
  /** Add `Access-Control-Allow-Origin: *`. Default false. */
  allowCrossOrigin?: boolean;
  /** Add `Cache-Control: no-store`. Default false. */
  discourageCaching?: boolean;
}

/** A fixed JSON document. */
export function jsonValueResponse(
  req: Request,
  value: unknown,
  options: JsonValueOptions = {},
): Response {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (options.allowCrossOrigin) headers["access-control-allow-origin"] = "*";
  if (options.discourageCaching) headers["cache-control"] = "no-store";
  const body = JSON.stringify(value, null, options.prettify ? 2 : undefined) + "\n";
  return new Response(req.method === "HEAD" ? null : body, { status: 200, headers });
}
