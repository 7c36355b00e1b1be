/**
 * The request headers a WebSocket session keeps for its transport details
 * (`http_headers_received`, shown by `wamp.session.get` minus credentials),
 * held compactly: an idle session keeps one flat JSON string instead of a
 * record whose values are slices of the whole request head (which kept the
 * head alive). The property reads back as a fresh record each time.
 *
 * @module
 */

const RAW = Symbol("http_headers_received JSON");

/** The getter shared by every holder (no closure per session). */
function readHeaders(this: { [RAW]?: string }): Record<string, string> {
  return JSON.parse(this[RAW] ?? "{}");
}

/**
 * The `PeerInfo.extra` of a WebSocket session: `websocket_protocol`,
 * `http_headers_received` (the fields of `headers`, names lower case as
 * `Headers.forEach` gives them, parsed again on each read),
 * `http_request_path`, `is_secure`, in that order. Built so that every
 * session's object has the same shape with fast properties (a property
 * redefined as an accessor would turn it into a dictionary).
 */
export function websocketExtra(
  protocol: string | null,
  headers: Headers,
  path: string,
  secure: boolean,
): Record<string, unknown> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  const extra: Record<string, unknown> = { websocket_protocol: protocol };
  Object.defineProperty(extra, "http_headers_received", {
    get: readHeaders,
    enumerable: true,
    configurable: true,
  });
  extra.http_request_path = path;
  extra.is_secure = secure;
  // JSON.stringify makes a flat string of its own: nothing of the head stays referenced.
  Object.defineProperty(extra, RAW, { value: JSON.stringify(record), enumerable: false });
  return extra;
}
