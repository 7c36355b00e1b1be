/**
 * The `json` web service (Crossbar's): a fixed JSON document. The node info
 * page (`nodeinfo`) is the live status page of `web_status_page.ts`.
 *
 * @module
 */

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
