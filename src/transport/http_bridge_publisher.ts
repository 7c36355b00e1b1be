/**
 * The HTTP bridge publisher (Crossbar's `publisher` web service, formerly
 * "pusher"): `POST` a JSON object, the bridge publishes a WAMP event and
 * answers with the publication id.
 *
 * ```sh
 * curl -H 'content-type: application/json' \
 *   -d '{"topic": "com.myapp.topic1", "args": ["Hello, world"]}' http://127.0.0.1:8080/publish
 * # {"id":4429313566}
 * ```
 *
 * Body: `topic` (a URI, required), `args` (a list), `kwargs` (an object),
 * `options` (an object of publish options: `exclude`, `eligible` (session
 * ids), `exclude_authid`, `exclude_authrole`, `eligible_authid`,
 * `eligible_authrole` (strings), `retain` (boolean)); `null` counts as
 * absent, any other key is refused (400). The publication is acknowledged:
 * 200 `{"id": publication}` once the broker accepted it; a refused one
 * answers `{"error": uri, "args", "kwargs"}` with a status from its URI (see
 * `http_bridge_error.ts`).
 *
 * @module
 */

import type { Dict, List } from "../wamp/messages.ts";
import type { PublishOptions } from "../client/publisher.ts";
import {
  type BridgeAcceptor,
  describe,
  HttpBridge,
  type HttpBridgeOptions,
  unknownKeys,
} from "./http_bridge.ts";
import { type BodyCheck, validateBridgeBody } from "./http_bridge_body.ts";

/** Options of a publisher bridge. */
export type PublisherBridgeOptions = HttpBridgeOptions;

/** One validated publish request. */
export interface BridgePublication {
  /** The topic URI. */
  topic: string;
  /** Positional payload. */
  args: List;
  /** Keyword payload. */
  kwargs: Dict;
  /** Publish options (without `acknowledge`, which the bridge sets). */
  options: PublishOptions;
}

const ID_LISTS = ["exclude", "eligible"];
const STRING_LISTS = ["exclude_authid", "exclude_authrole", "eligible_authid", "eligible_authrole"];
const OPTIONS = [...ID_LISTS, ...STRING_LISTS, "retain"];

/** Checks a publisher request body. */
export function validatePublication(body: Dict): BodyCheck<BridgePublication> {
  const checked = validateBridgeBody(body, {
    uriKey: "topic",
    what: "publish",
    example: `{"topic": "com.myapp.topic1", "args": ["Hello"]}`,
  });
  if (!checked.ok) return checked;
  const { uri: topic, args, kwargs, options } = checked.value;
  const publishOptions: PublishOptions = {};
  if (options !== undefined) {
    const bad = unknownKeys(options, OPTIONS);
    if (bad.length > 0) {
      return {
        ok: false,
        reason: `unknown publish option ${JSON.stringify(bad[0])}: options are ${
          OPTIONS.join(", ")
        }`,
      };
    }
    for (const [k, v] of Object.entries(options)) {
      if (v === null || v === undefined) continue;
      if (ID_LISTS.includes(k)) {
        if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x > 0)) {
          return {
            ok: false,
            reason: `"options.${k}" must be a list of session ids, got ${describe(v)}`,
          };
        }
      } else if (STRING_LISTS.includes(k)) {
        if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
          return {
            ok: false,
            reason: `"options.${k}" must be a list of strings, got ${describe(v)}`,
          };
        }
      } else if (typeof v !== "boolean") {
        return { ok: false, reason: `"options.${k}" must be true or false, got ${describe(v)}` };
      }
      publishOptions[k] = v;
    }
  }
  return { ok: true, value: { topic, args, kwargs, options: publishOptions } };
}

/**
 * Creates a publisher bridge on `acceptor` (the router). Call `start()` to
 * join its session up front (it joins on the first request otherwise),
 * `handle()` per request, `close()` on shutdown. Throws `RangeError` for
 * invalid options.
 */
export function createPublisherBridge(
  acceptor: BridgeAcceptor,
  options: PublisherBridgeOptions,
): HttpBridge<BridgePublication> {
  return new HttpBridge<BridgePublication>(acceptor, {
    kind: "publisher",
    validate: validatePublication,
    async run(session, p) {
      const id = await session.publish(p.topic, p.args, p.kwargs, {
        ...p.options,
        acknowledge: true,
      });
      return { id };
    },
  }, options);
}
