/**
 * The embedded default config, used when a node directory has no config file
 * and written by `xbar init`: one router worker with realm `realm1`, where
 * role `anonymous` may do everything (callers and publishers are disclosed
 * only when they ask with `disclose_me`, as in Crossbar's template), and
 * a Web transport on 127.0.0.1:8080 serving the live status page at `/`,
 * Prometheus metrics of the whole node at `/metrics` and WAMP over WebSocket
 * at `/ws`: clients connect to `ws://127.0.0.1:8080/ws`.
 *
 * It listens on loopback only: exposing a node means editing the config.
 *
 * @module
 */

import type { NodeConfig } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** The WebSocket URL clients use with the default config. */
export const DEFAULT_WEBSOCKET_URL = "ws://127.0.0.1:8080/ws";

/** The realm of the default config. */
export const DEFAULT_REALM = "realm1";

/** The default config as YAML text (what `xbar init` writes to `config.yaml`). */
export const DEFAULT_CONFIG_YAML = `# xbar node configuration: Crossbar.io config version 2.
# Clients connect to ws://127.0.0.1:8080/ws, realm "realm1".
# As in Crossbar, secrets (ticket, secret) and worker options.disabled may be written
# \${VAR} and endpoint ports $VAR: they are read from the environment.
version: 2
controller: {}
workers:
  - type: router
    realms:
      - name: realm1
        roles:
          # anyone who connects may do anything: fine for development, not for production
          - name: anonymous
            permissions:
              - uri: ""
                match: prefix
                allow: {call: true, register: true, publish: true, subscribe: true}
                disclose: {caller: false, publisher: false}
                cache: true
    transports:
      - type: web
        endpoint:
          type: tcp
          interface: 127.0.0.1
          port: 8080
        paths:
          "/":
            type: nodeinfo
          # xbar extension: Prometheus metrics of the whole node
          metrics:
            type: metrics
          ws:
            type: websocket
            serializers: [cbor, msgpack, json]
    # xbar extension: restart this worker when it dies
    options:
      restart:
        policy: on-failure
`;

/**
 * The data of `DEFAULT_CONFIG_YAML` (what the YAML parser makes of it; a test
 * keeps the two equal), so that a node without a config file starts without
 * loading the YAML parser.
 */
export const DEFAULT_CONFIG_DATA: Readonly<Record<string, unknown>> = Object.freeze({
  version: 2,
  controller: {},
  workers: [{
    type: "router",
    realms: [{
      name: "realm1",
      roles: [{
        name: "anonymous",
        permissions: [{
          uri: "",
          match: "prefix",
          allow: { call: true, register: true, publish: true, subscribe: true },
          disclose: { caller: false, publisher: false },
          cache: true,
        }],
      }],
    }],
    transports: [{
      type: "web",
      endpoint: { type: "tcp", interface: "127.0.0.1", port: 8080 },
      paths: {
        "/": { type: "nodeinfo" },
        metrics: { type: "metrics" },
        ws: { type: "websocket", serializers: ["cbor", "msgpack", "json"] },
      },
    }],
    options: { restart: { policy: "on-failure" } },
  }],
});

/** The default config, validated and normalized (a fresh object each call). */
export function defaultConfig(): NodeConfig {
  const { config, errors } = validateConfig(structuredClone(DEFAULT_CONFIG_DATA));
  if (!config) throw new Error(`the embedded default config is invalid: ${JSON.stringify(errors)}`);
  return config;
}
