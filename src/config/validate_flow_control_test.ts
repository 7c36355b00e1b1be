import assert from "node:assert/strict";
import { parseConfigText } from "./load.ts";
import type { RouterWorkerConfig, WebTransportConfig } from "./types.ts";

function parse(yaml: string) {
  return parseConfigText(yaml, { file: "config.yaml", env: {} });
}

const HEAD = `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
`;

Deno.test("checkFlowControl() reads options.flow_control of WebSocket, RawSocket, WebSocket and long-poll services", () => {
  const { config, errors } = parse(
    HEAD + `      - type: websocket
        endpoint: {type: tcp, port: 8080}
        options:
          flow_control: {high_water_bytes: 65536, low_water_bytes: 16384, max_queue_bytes: 1048576, stuck_timeout_ms: 2500}
      - type: rawsocket
        endpoint: {type: tcp, port: 8081}
        options:
          flow_control: {enabled: false}
      - type: web
        endpoint: {type: tcp, port: 8082}
        paths:
          ws: {type: websocket, options: {flow_control: {stuck_timeout_ms: 0}}}
          lp: {type: longpoll, options: {queue_limit_bytes: 200000, flow_control: {high_water_bytes: 100000}}}
`,
  );
  assert.deepEqual(errors, []);
  const t = (config!.workers[0] as RouterWorkerConfig).transports;
  assert.deepEqual(t[0].type === "websocket" && t[0].options.flow_control, {
    enabled: true,
    high_water_bytes: 65536,
    low_water_bytes: 16384,
    max_queue_bytes: 1048576,
    stuck_timeout_ms: 2500,
  });
  assert.deepEqual(t[1].type === "rawsocket" && t[1].options.flow_control, { enabled: false });
  const paths = (t[2] as WebTransportConfig).paths;
  assert.deepEqual(paths.ws.type === "websocket" && paths.ws.options.flow_control, {
    enabled: true,
    stuck_timeout_ms: 0,
  });
  assert.deepEqual(paths.lp.type === "longpoll" && paths.lp.options.flow_control, {
    enabled: true,
    high_water_bytes: 100000,
  });
});

Deno.test("checkFlowControl() refuses marks that do not nest, unknown keys, a long-poll max_queue_bytes, and flow control on connecting transports, each at its place", () => {
  const { config, errors } = parse(
    HEAD + `      - type: websocket
        endpoint: {type: tcp, port: 8080}
        options:
          flow_control: {high_water_bytes: 8388608}
      - type: rawsocket
        endpoint: {type: tcp, port: 8081}
        options:
          flow_control: {high_water_bytes: 1000, low_water_bytes: 1000, stuck: 5}
      - type: web
        endpoint: {type: tcp, port: 8082}
        paths:
          lp: {type: longpoll, options: {flow_control: {max_queue_bytes: 1000000}}}
  - type: container
    components:
      - type: module
        module: ./backend.ts
        realm: realm1
        transport:
          type: rawsocket
          endpoint: {type: tcp, host: 127.0.0.1, port: 8081}
          options: {flow_control: {enabled: false}}
`,
  );
  assert.equal(config, undefined);
  const got = errors.map((e) => [e.path, e.message, e.line]);
  const expect: [string, string, number][] = [
    [
      "workers[0].transports[0].options.flow_control.high_water_bytes",
      "must be below the default max_queue_bytes (4194304), got 8388608",
      9,
    ],
    [
      "workers[0].transports[1].options.flow_control.stuck",
      'unknown key "stuck" (known keys: "enabled"',
      13,
    ],
    [
      "workers[0].transports[1].options.flow_control.low_water_bytes",
      "must be below high_water_bytes (1000), got 1000",
      13,
    ],
    [
      "workers[0].transports[2].paths.lp.options.flow_control.max_queue_bytes",
      `unknown key "max_queue_bytes" (the long-poll queue's bound is "queue_limit_bytes")`,
      17,
    ],
    [
      "workers[1].components[0].transport.options.flow_control",
      "flow_control applies to listening transports",
      26,
    ],
  ];
  for (const [path, fragment, line] of expect) {
    const e = errors.find((x) => x.path === path);
    assert.ok(e, `no error at ${path}; errors: ${JSON.stringify(got, null, 1)}`);
    assert.ok(e.message.includes(fragment), `"${e.message}" should contain "${fragment}"`);
    assert.equal(e.line, line, `line of ${path}`);
  }
  assert.equal(errors.length, expect.length, JSON.stringify(got, null, 1));
});
