import assert from "node:assert/strict";
import { parseConfigText } from "./load.ts";
import { validateConfig } from "./validate.ts";
import type {
  ConfigError,
  ContainerWorkerConfig,
  GuestWorkerConfig,
  RouterWorkerConfig,
} from "./types.ts";

interface Row {
  name: string;
  yaml: string;
  /** [path, message fragment, line, column] of every error expected, in order. */
  errors: [string, string, number, number][];
}

/** Bad configs: each reports exactly the listed errors, at the listed path and position. */
const BAD: Row[] = [
  {
    name: "port out of range",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 70000}
`,
    errors: [
      ["workers[0].transports[0].endpoint.port", "must be 1-65535, got 70000", 7, 37],
    ],
  },
  {
    name: "typo in a key",
    yaml: `version: 2
workers:
  - type: router
    transports:
      - type: websocket
        endpont: {type: tcp, port: 8080}
`,
    errors: [
      [
        "workers[0].transports[0].endpont",
        'unknown key "endpont" (did you mean "endpoint"?)',
        6,
        9,
      ],
      ["workers[0].transports[0]", 'missing required key "endpoint"', 5, 9],
    ],
  },
  {
    name: "version 1",
    yaml: `version: 1
workers: []
`,
    errors: [
      ["version", "config version 1 is too old: xbar reads version 2", 1, 10],
    ],
  },
  {
    name: "missing version",
    yaml: `workers: []
`,
    errors: [
      ["", 'missing required key "version"', 1, 1],
    ],
  },
  {
    name: "unsupported worker type",
    yaml: `version: 2
workers:
  - type: proxy
`,
    errors: [
      ["workers[0].type", 'worker type "proxy" is not supported by xbar', 3, 11],
    ],
  },
  {
    name: "typo in worker type",
    yaml: `version: 2
workers:
  - type: routr
`,
    errors: [
      [
        "workers[0].type",
        'unknown worker type "routr": must be one of "router", "container", "guest" (did you mean "router"?)',
        3,
        11,
      ],
    ],
  },
  {
    name: "duplicate worker ids",
    yaml: `version: 2
workers:
  - type: guest
    id: backend
    executable: node
  - type: guest
    id: backend
    executable: node
`,
    errors: [
      ["workers[1].id", 'duplicate worker id "backend"', 7, 9],
    ],
  },
  {
    name: "duplicate transport ids",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, id: main, endpoint: {type: tcp, port: 8080}}
      - {type: rawsocket, id: main, endpoint: {type: tcp, port: 8081}}
`,
    errors: [
      ["workers[0].transports[1].id", 'duplicate transport id "main"', 7, 31],
    ],
  },
  {
    name: "port clash between workers",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 8080}}
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 8080, interface: 127.0.0.1, shared: true}}
`,
    errors: [
      [
        "workers[1].transports[0].endpoint.port",
        "port 8080 on 127.0.0.1 is already used by workers[0].transports[0]",
        10,
        55,
      ],
    ],
  },
  {
    name: "port clash inside one worker",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 9000, shared: true}}
      - {type: rawsocket, endpoint: {type: tcp, port: 9000, shared: true}}
`,
    errors: [
      [
        "workers[0].transports[1].endpoint.port",
        "port 9000 on 0.0.0.0 is already used by workers[0].transports[0] of the same worker",
        7,
        55,
      ],
    ],
  },
  {
    name: "unix socket clash",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: rawsocket, endpoint: {type: unix, path: router.sock}}
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: rawsocket, endpoint: {type: unix, path: ./router.sock}}
`,
    errors: [
      [
        "workers[1].transports[0].endpoint.path",
        'unix socket "./router.sock" is already used by workers[0].transports[0]',
        10,
        56,
      ],
    ],
  },
  {
    name: "container component realm not served",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: rawsocket, endpoint: {type: unix, path: router.sock}}
  - type: container
    components:
      - type: module
        module: ./backend.ts
        realm: realm2
        transport: {type: rawsocket, endpoint: {type: unix, path: router.sock}, serializer: cbor}
`,
    errors: [
      [
        "workers[1].components[0].realm",
        'realm "realm2" is not served by workers[0], which its transport connects to',
        11,
        16,
      ],
    ],
  },
  {
    name: "ticket role on no realm",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
        auth:
          ticket:
            type: static
            principals:
              joe: {ticket: secret, role: frontend}
`,
    errors: [
      [
        "workers[0].transports[0].auth.ticket.principals.joe.role",
        'role "frontend" is not defined on any realm of workers[0]',
        12,
        43,
      ],
    ],
  },
  {
    name: "cryptosign principal realm not served",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: device}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
        auth:
          cryptosign:
            type: static
            principals:
              client01@example.com:
                realm: devices
                role: device
                authorized_keys: [545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122]
`,
    errors: [
      [
        'workers[0].transports[0].auth.cryptosign.principals["client01@example.com"].realm',
        'realm "devices" is not served by workers[0]',
        13,
        24,
      ],
    ],
  },
  {
    name: "caller role missing on realm",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          call: {type: caller, realm: realm1, role: bridge}
`,
    errors: [
      [
        "workers[0].transports[0].paths.call.role",
        'role "bridge" is not defined on realm "realm1"',
        9,
        53,
      ],
    ],
  },
  {
    name: "python class component without classname",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    components:
      - {type: class, realm: realm1}
`,
    errors: [
      ["workers[0].components[0]", 'missing required key "classname"', 6, 9],
    ],
  },
  {
    name: "universal transport with mqtt",
    yaml: `version: 2
workers:
  - type: router
    transports:
      - {type: universal, endpoint: {type: tcp, port: 8080}, mqtt: {}}
`,
    errors: [
      [
        "workers[0].transports[0].mqtt",
        '"mqtt" is not supported by xbar (the MQTT bridge)',
        5,
        62,
      ],
    ],
  },
  {
    name: "reverse proxy service",
    yaml: `version: 2
workers:
  - type: router
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          api: {type: reverseproxy, host: 127.0.0.1, port: 9000}
`,
    errors: [
      [
        "workers[0].transports[0].paths.api.type",
        'web service type "reverseproxy" is not supported by xbar',
        8,
        23,
      ],
    ],
  },
  {
    name: "manhole",
    yaml: `version: 2
workers:
  - type: router
    manhole: {endpoint: {type: tcp, port: 6022}, users: []}
`,
    errors: [
      ["workers[0].manhole", '"manhole" is not supported by xbar', 4, 5],
    ],
  },
  {
    name: "guest watch with another action",
    yaml: `version: 2
workers:
  - type: guest
    executable: node
    arguments: [hello.js]
    options:
      watch: {directories: [../node], action: reload}
`,
    errors: [
      ["workers[0].options.watch.action", 'must be one of "restart"', 7, 47],
    ],
  },
  {
    name: "match typo",
    yaml: `version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles:
          - name: anonymous
            permissions:
              - {uri: com.example., match: prefx}
`,
    errors: [
      [
        "workers[0].realms[0].roles[0].permissions[0].match",
        'must be one of "exact", "prefix", "wildcard", got "prefx" (did you mean "prefix"?)',
        9,
        44,
      ],
    ],
  },
  {
    name: "permission in version 1 shape",
    yaml: `version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles:
          - name: frontend
            permissions:
              - {uri: com.example.add2, call: true}
`,
    errors: [
      [
        "workers[0].realms[0].roles[0].permissions[0].call",
        'unknown key "call" (config version 1 shape: write it inside allow, e.g. allow: {publish: true})',
        9,
        41,
      ],
    ],
  },
  {
    name: "permissions and authorizer",
    yaml: `version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles:
          - name: user
            authorizer: com.example.authorize
            permissions: []
`,
    errors: [
      [
        "workers[0].realms[0].roles[0]",
        'give either "permissions" or "authorizer", not both',
        7,
        13,
      ],
    ],
  },
  {
    name: "unknown serializer",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: rawsocket, endpoint: {type: tcp, port: 8081}, serializers: [cbor, xml]}
`,
    errors: [
      [
        "workers[0].transports[0].serializers[1]",
        'must be one of "json", "msgpack", "cbor", got "xml"',
        6,
        82,
      ],
    ],
  },
  {
    name: "bad cryptosign key",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: device}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
        auth:
          cryptosign:
            type: static
            principals:
              alice: {role: device, authorized_keys: [abc123]}
`,
    errors: [
      [
        "workers[0].transports[0].auth.cryptosign.principals.alice.authorized_keys[0]",
        'must be an Ed25519 public key of 64 hex characters, got "abc123"',
        12,
        55,
      ],
    ],
  },
  {
    name: "guest stdout",
    yaml: `version: 2
workers:
  - type: guest
    executable: python3
    options: {stdout: file}
`,
    errors: [
      ["workers[0].options.stdout", 'must be one of "close", "log", "drop", got "file"', 5, 23],
    ],
  },
  {
    name: "restart policy value",
    yaml: `version: 2
workers:
  - type: guest
    executable: python3
    options:
      restart: {policy: sometimes}
`,
    errors: [
      [
        "workers[0].options.restart.policy",
        'must be one of "always", "on-failure", "never", got "sometimes"',
        6,
        25,
      ],
    ],
  },
  {
    name: "restart delays",
    yaml: `version: 2
workers:
  - type: guest
    executable: python3
    options:
      restart: {initial_delay: 5000, max_delay: 1000}
`,
    errors: [
      ["workers[0].options.restart.max_delay", "must be at least initial_delay", 6, 49],
    ],
  },
  {
    name: "unix socket mode",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: rawsocket, endpoint: {type: unix, path: router.sock, mode: rw}}
`,
    errors: [
      [
        "workers[0].transports[0].endpoint.mode",
        'must be a file mode written as a string of octal digits like "0660", got "rw"',
        6,
        75,
      ],
    ],
  },
  {
    name: "tls without certificate",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: websocket
        endpoint:
          type: tcp
          port: 443
          tls: {key: server.key}
`,
    errors: [
      ["workers[0].transports[0].endpoint.tls", 'missing required key "certificate"', 10, 16],
    ],
  },
  {
    name: "wampcra iterations without salt",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: frontend}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
        auth:
          wampcra:
            type: static
            users:
              client1: {secret: s3cret, role: frontend, iterations: 100}
`,
    errors: [
      [
        "workers[0].transports[0].auth.wampcra.users.client1",
        '"iterations" and "keylen" only apply to a salted secret: add "salt"',
        12,
        24,
      ],
    ],
  },
  {
    name: "web path with a slash",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          api/v1: {type: websocket}
`,
    errors: [
      [
        'workers[0].transports[0].paths["api/v1"]',
        'invalid path "api/v1": must be "/" or one path segment of A-Z, a-z, 0-9, _, -',
        9,
        11,
      ],
    ],
  },
  {
    name: "realm name too short",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: r1}]
`,
    errors: [
      [
        "workers[0].realms[0].name",
        'must be a realm name of 3-255 characters A-Z, a-z, 0-9, _ - @ . starting with a letter, got "r1"',
        4,
        21,
      ],
    ],
  },
  {
    name: "bad worker id",
    yaml: `version: 2
workers:
  - type: guest
    id: Backend-1
    executable: node
`,
    errors: [
      [
        "workers[0].id",
        'must be an id of 3-64 characters a-z, 0-9, _ starting with a letter, got "Backend-1"',
        4,
        9,
      ],
    ],
  },
  {
    name: "empty auth",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 8080}, auth: {}}
`,
    errors: [
      ["workers[0].transports[0].auth", "must configure at least one method", 6, 68],
    ],
  },
  {
    name: "router restart as a string",
    yaml: `version: 2
workers:
  - type: router
    options: {restart: always}
`,
    errors: [
      [
        "workers[0].options.restart",
        'must be a restart policy object like {policy: "on-failure"}, got "always"',
        4,
        24,
      ],
    ],
  },
  {
    name: "queued calls store",
    yaml: `version: 2
workers:
  - type: router
    realms:
      - name: realm1
        store: {type: memory, call-queue: [{uri: com.example.compute}]}
`,
    errors: [
      ['workers[0].realms[0].store["call-queue"]', '"call-queue" is not supported by xbar', 6, 31],
    ],
  },
  {
    name: "tls client certificates",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: websocket
        endpoint:
          type: tcp
          port: 443
          tls: {key: server.key, certificate: server.crt, ca_certificates: [ca.crt]}
`,
    errors: [
      [
        "workers[0].transports[0].endpoint.tls.ca_certificates",
        '"ca_certificates" is not supported by xbar',
        10,
        59,
      ],
    ],
  },
  {
    name: "onion endpoint",
    yaml: `version: 2
workers:
  - type: router
    transports:
      - {type: websocket, endpoint: {type: onion, port: 8080}}
`,
    errors: [
      [
        "workers[0].transports[0].endpoint.type",
        'endpoint type "onion" is not supported by xbar',
        5,
        44,
      ],
    ],
  },
  {
    name: "authenticator URI",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
        auth:
          ticket: {type: dynamic, authenticator: Com.Example.Auth}
`,
    errors: [
      ["workers[0].transports[0].auth.ticket.authenticator", "must be a strict WAMP URI", 9, 50],
    ],
  },
  {
    name: "controller fabric",
    yaml: `version: 2
controller:
  fabric: {}
workers: []
`,
    errors: [
      ["controller.fabric", '"fabric" is not supported by xbar', 3, 3],
    ],
  },
  {
    name: "duplicate YAML key",
    yaml: `version: 2
workers: []
version: 2
`,
    errors: [
      ["", "cannot parse: Map keys must be unique", 3, 1],
    ],
  },
  {
    name: "YAML syntax",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1
`,
    errors: [
      [
        "",
        "cannot parse: Flow map in block collection must be sufficiently indented and end with a }",
        5,
        1,
      ],
      [
        "",
        "cannot parse: Flow sequence in block collection must be sufficiently indented and end with a ]",
        5,
        1,
      ],
    ],
  },
  {
    name: "component module path",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    components:
      - {type: module, module: backend.Backend, realm: realm1}
`,
    errors: [
      ["workers[0].components[0].module", 'must be a module path like "./component.ts"', 6, 32],
    ],
  },
  {
    name: "metrics service with an option it does not have",
    yaml: `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          metrics: {type: metrics, format: openmetrics}
`,
    errors: [
      ["workers[0].transports[0].paths.metrics.format", 'unknown key "format"', 9, 36],
    ],
  },
];

for (const row of BAD) {
  Deno.test(`validateConfig() rejects a config with: ${row.name}`, () => {
    const { config, errors } = parseConfigText(row.yaml, { file: "config.yaml", env: {} });
    assert.equal(config, undefined);
    const seen = errors.map((e) => [e.path, e.message, e.line, e.column]);
    assert.equal(errors.length, row.errors.length, `errors: ${JSON.stringify(seen, null, 1)}`);
    row.errors.forEach(([path, fragment, line, column], i) => {
      const e = errors[i];
      assert.equal(e.path, path);
      assert.ok(e.message.includes(fragment), `"${e.message}" should contain "${fragment}"`);
      assert.equal(e.line, line, `line of ${path}`);
      assert.equal(e.column, column, `column of ${path}`);
      assert.equal(e.file, "config.yaml");
    });
  });
}

Deno.test("validateConfig() has at least 25 bad-config rows", () => {
  assert.ok(BAD.length >= 25);
});

function find(errors: ConfigError[], path: string): ConfigError {
  const e = errors.find((x) => x.path === path);
  assert.ok(e, `no error at ${path}; errors: ${JSON.stringify(errors, null, 1)}`);
  return e;
}

Deno.test("validateConfig() collects errors from every section in one pass", () => {
  const { config, errors } = validateConfig({
    version: 2,
    controller: { id: "X", optons: {} },
    workers: [
      {
        type: "router",
        realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
        transports: [{ type: "websocket", endpoint: { type: "tcp", port: -1 } }],
      },
      { type: "guest" },
      { type: "container", components: [{ type: "function", realm: "realm1" }] },
    ],
  });
  assert.equal(config, undefined);
  assert.deepEqual(errors.map((e) => e.path), [
    "controller.optons",
    "controller.id",
    "workers[0].transports[0].endpoint.port",
    "workers[1]",
    "workers[2].components[0]",
  ]);
  assert.match(find(errors, "controller.optons").message, /did you mean "options"/);
  assert.match(find(errors, "workers[1]").message, /missing required key "executable"/);
});

Deno.test("validateConfig() suggests the known key a typo is close to", () => {
  const { errors } = validateConfig({
    version: 2,
    wokers: [],
    controller: { Options: {} },
  });
  assert.match(find(errors, "wokers").message, /unknown key "wokers" \(did you mean "workers"\?\)/);
  assert.match(find(errors, "controller.Options").message, /did you mean "options"/);

  const store = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", store: { type: "memory", event_history: [] } }],
    }],
  });
  assert.match(
    find(store.errors, "workers[0].realms[0].store.event_history").message,
    /did you mean "event-history"/,
  );
});

Deno.test("validateConfig() lists the known keys when nothing is close", () => {
  const { errors } = validateConfig({ version: 2, workers: [], banana: 1 });
  assert.match(
    find(errors, "banana").message,
    /known keys: "version", "\$schema", "controller", "workers"/,
  );
});

Deno.test("validateConfig() applies defaults and generates ids", () => {
  const { config, errors, warnings } = validateConfig({
    version: 2,
    workers: [
      {
        type: "router",
        realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
        transports: [
          { type: "websocket", endpoint: { type: "tcp", port: 8080 } },
          { type: "rawsocket", id: "transport001", endpoint: { type: "unix", path: "r.sock" } },
        ],
      },
      { type: "guest", id: "worker001", executable: "node" },
      { type: "guest", executable: "python3" },
    ],
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.ok(config);
  assert.deepEqual(config.controller.options.shutdown, ["shutdown_on_shutdown_requested"]);
  const [router, guest1, guest2] = config.workers as [
    RouterWorkerConfig,
    GuestWorkerConfig,
    GuestWorkerConfig,
  ];
  assert.deepEqual([router.id, guest1.id, guest2.id], ["worker002", "worker001", "worker003"]);
  assert.equal(router.options.title, "xbar-router-worker002");
  assert.deepEqual(router.transports.map((t) => t.id), ["transport002", "transport001"]);
  const ws = router.transports[0];
  assert.equal(ws.type, "websocket");
  if (ws.type !== "websocket") return;
  assert.deepEqual(ws.endpoint, {
    type: "tcp",
    port: 8080,
    interface: "0.0.0.0",
    version: 4,
    backlog: 50,
    shared: false,
    max_connections: 10000,
    max_connections_per_ip: 256,
  });
  assert.deepEqual(ws.serializers, ["cbor", "msgpack", "json"]);
  assert.deepEqual(ws.auth, { anonymous: { type: "static", role: "anonymous" } });
  assert.equal(ws.options.max_message_size, 16 * 1024 * 1024);
  assert.deepEqual(router.options.restart, {
    policy: "on-failure",
    max_restarts: 5,
    window: 60000,
    initial_delay: 100,
    max_delay: 10000,
    multiplier: 2,
  });
  assert.deepEqual(router.realms[0].options, {
    enable_meta_api: true,
    uri_check: "loose",
  });
  assert.deepEqual(guest2.options.stdin, "close");
  assert.deepEqual([guest2.options.stdout, guest2.options.stderr], ["log", "log"]);
  assert.deepEqual(guest2.options.env, { inherit: true, vars: {} });
});

Deno.test("validateConfig() converts Crossbar's starred permission URIs", () => {
  const { config, errors } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{
          name: "user",
          permissions: [
            { uri: "*", allow: { call: true } },
            { uri: "com.example.*" },
            { uri: "com.*.add" },
            { uri: "com.example.add" },
          ],
        }],
      }],
    }],
  });
  assert.deepEqual(errors, []);
  const perms = (config!.workers[0] as RouterWorkerConfig).realms[0].roles[0].permissions;
  assert.deepEqual(perms.map((p) => [p.uri, p.match]), [
    ["", "prefix"],
    ["com.example.", "prefix"],
    ["com..add", "wildcard"],
    ["com.example.add", "exact"],
  ]);
  assert.deepEqual(perms[0].allow, {
    call: true,
    register: false,
    publish: false,
    subscribe: false,
  });
  assert.equal(perms[0].cache, false);
});

Deno.test("validateConfig() lets workers share a port when both endpoints say shared", () => {
  const router = (port: number) => ({
    type: "router",
    realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
    transports: [{ type: "websocket", endpoint: { type: "tcp", port, shared: true } }],
  });
  assert.deepEqual(
    validateConfig({ version: 2, workers: [router(8080), router(8080)] }).errors,
    [],
  );
  assert.deepEqual(validateConfig({ version: 2, workers: [router(0), router(0)] }).errors, []);
});

Deno.test("validateConfig() allows the same port on different interfaces", () => {
  const router = (iface: string) => ({
    type: "router",
    realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
    transports: [{ type: "websocket", endpoint: { type: "tcp", port: 8080, interface: iface } }],
  });
  assert.deepEqual(
    validateConfig({ version: 2, workers: [router("127.0.0.1"), router("10.0.0.1")] }).errors,
    [],
  );
});

Deno.test("validateConfig() accepts a role defined on another realm of the same router", () => {
  const { errors } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }, {
        name: "realm2",
        roles: [{ name: "frontend" }],
      }],
      transports: [{
        type: "rawsocket",
        endpoint: { type: "tcp", port: 8081 },
        auth: {
          ticket: { type: "static", principals: { joe: { ticket: "x", role: "frontend" } } },
        },
      }],
    }],
  });
  assert.deepEqual(errors, []);
});

Deno.test("validateConfig() reads endpoint ports from whole ${VAR} and $VAR values", () => {
  const { config, errors } = parseConfigText(
    `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - {type: websocket, endpoint: {type: tcp, port: "\${PORT}", shared: true}}
      - {type: rawsocket, endpoint: {type: tcp, port: $RAW_PORT}}
`,
    { env: { PORT: "9000", RAW_PORT: "9001" } },
  );
  assert.deepEqual(errors, []);
  const [ws, raw] = (config!.workers[0] as RouterWorkerConfig).transports;
  assert.deepEqual([
    ws.endpoint.type === "tcp" && ws.endpoint.port,
    ws.endpoint.type === "tcp" && ws.endpoint.shared,
  ], [
    9000,
    true,
  ]);
  assert.equal(raw.endpoint.type === "tcp" && raw.endpoint.port, 9001);

  const bad = parseConfigText(
    `version: 2\ncontroller: {options: {title: "x\${PORT}"}}\nworkers: []\n`,
    {
      env: { PORT: "1" },
    },
  );
  assert.deepEqual(bad.errors, []);
  const mixed = validateConfig({
    version: 2,
    workers: [{ type: "guest", executable: "x", options: { disabled: "true" } }],
  });
  assert.match(
    find(mixed.errors, "workers[0].options.disabled").message,
    /must be true or false, got "true"/,
  );
});

Deno.test("validateConfig() refuses Crossbar settings xbar does not implement, each with the reason", () => {
  const { errors, warnings } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      options: { pythonpath: [".."], cpu_affinity: [0] },
      realms: [{
        name: "realm1",
        roles: [{ name: "anonymous" }],
        options: { event_dispatching_chunk_size: 50, bridge_meta_api: true },
      }],
      transports: [{
        type: "websocket",
        endpoint: {
          type: "tcp",
          port: 8080,
          "user-timeout": 1000,
          tls: { key: "k.pem", certificate: "c.pem", ciphers: "HIGH" },
        },
        serializers: ["ubjson", "json"],
        debug: true,
        options: {
          external_port: 80,
          enable_hybi10: true,
          validate_utf8: false,
          tcp_nodelay: true,
        },
      }],
    }, {
      type: "router",
      id: "router2",
      realms: [{ name: "realm2", roles: [{ name: "anonymous" }] }],
      transports: [{ type: "rawsocket", endpoint: { type: "unix", path: "x.sock", backlog: 10 } }],
    }],
  });
  assert.deepEqual(warnings, []);
  const by = new Map(errors.map((e) => [e.path, e.message]));
  const t = "workers[0].transports[0]";
  for (
    const [path, why] of [
      ["workers[0].options.cpu_affinity", /cannot pin/],
      ["workers[0].realms[0].options.event_dispatching_chunk_size", /all subscribers at once/],
      ["workers[0].realms[0].options.bridge_meta_api", /supports only false/],
      [`${t}.endpoint["user-timeout"]`, /TCP_USER_TIMEOUT/],
      [`${t}.endpoint.tls.ciphers`, /cipher suites/],
      [`${t}.serializers[0]`, /"ubjson" is not supported/],
      [`${t}.debug`, /--loglevel debug/],
      [`${t}.options.external_port`, /builds no URLs/],
      [`${t}.options.enable_hybi10`, /RFC 6455 only/],
      [`${t}.options.validate_utf8`, /1007/],
      ["workers[1].transports[0].endpoint.backlog", /Unix socket/],
    ] as const
  ) {
    assert.ok(by.has(path), `${path} refused; got ${[...by.keys()].join(", ")}`);
    assert.match(by.get(path)!, why, path);
  }
  assert.ok(!by.has(`${t}.options.tcp_nodelay`), "tcp_nodelay: true is what xbar does");
});

Deno.test("validateConfig() reads Crossbar's container restart string as the component restart mode", () => {
  const { config, errors } = validateConfig({
    version: 2,
    workers: [
      {
        type: "router",
        realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
        transports: [{ type: "rawsocket", endpoint: { type: "tcp", port: 8081 } }],
      },
      {
        type: "container",
        options: { restart: "restart-never", shutdown: "shutdown-on-any-component-failed" },
        components: [{
          type: "module",
          module: "./backend.ts",
          realm: "realm1",
          transport: {
            type: "rawsocket",
            endpoint: { type: "tcp", host: "127.0.0.1", port: 8081 },
            serializer: "cbor",
          },
          auth: { authid: "backend", ticket: "${SECRET}" },
          extra: { greeting: "hi" },
        }],
      },
    ],
  });
  assert.deepEqual(errors, []);
  const container = config!.workers[1] as ContainerWorkerConfig;
  assert.equal(container.options.component_restart, "never");
  assert.deepEqual(container.options.restart.policy, "on-failure");
  const comp0 = container.components[0];
  if (comp0.type !== "module") throw new Error("expected a module component");
  assert.deepEqual(comp0.auth, { authid: "backend", ticket: "${SECRET}" });
  assert.equal(container.components[0].id, "component001");
  assert.equal(comp0.export, "default");
  assert.deepEqual(container.components[0].extra, { greeting: "hi" });
});

Deno.test("validateConfig() checks container components against the router their transport reaches", () => {
  const workers = (host: string) => [
    {
      type: "router",
      realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
      transports: [{ type: "rawsocket", endpoint: { type: "tcp", port: 8081 } }],
    },
    {
      type: "container",
      components: [{
        type: "module",
        module: "./c.ts",
        realm: "elsewhere",
        transport: {
          type: "rawsocket",
          endpoint: { type: "tcp", host, port: 9999 },
          serializer: "json",
        },
      }],
    },
  ];
  const local = validateConfig({ version: 2, workers: workers("127.0.0.1") });
  assert.match(
    find(local.errors, "workers[1].components[0].realm").message,
    /not served by any router worker/,
  );
  assert.match(
    find(local.warnings, "workers[1].components[0].transport.endpoint").message,
    /no transport of this node listens on 127.0.0.1:9999/,
  );
  const remote = validateConfig({ version: 2, workers: workers("router.example.com") });
  assert.deepEqual(remote.errors, []);
});

Deno.test("validateConfig() refuses non-objects and empty documents", () => {
  assert.match(validateConfig([]).errors[0].message, /must be an object, got a list/);
  assert.match(parseConfigText("").errors[0].message, /empty/);
  assert.match(parseConfigText("42").errors[0].message, /must be an object, got 42/);
});

Deno.test("validateConfig() applies the componentModule rule of whoever runs the components, at the module's position", () => {
  const yaml = `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    components:
      - {type: module, module: bad.ts, realm: realm1}
      - {type: module, module: doubtful.ts, realm: realm1}
      - {type: module, module: fine.ts, realm: realm1}
`;
  const seen: string[] = [];
  const r = parseConfigText(yaml, {
    file: "config.yaml",
    componentModule: (module) => {
      seen.push(module);
      if (module === "bad.ts") return { error: "not built in" };
      if (module === "doubtful.ts") return { warning: "changed since the build" };
      return undefined;
    },
  });
  assert.deepStrictEqual(seen, ["bad.ts", "doubtful.ts", "fine.ts"]);
  assert.deepStrictEqual(
    r.errors.map((e) => [e.path, e.message, e.line, e.column]),
    [["workers[0].components[0].module", "not built in", 6, 32]],
  );
  assert.deepStrictEqual(
    r.warnings.map((e) => [e.path, e.message]),
    [["workers[0].components[1].module", "changed since the build"]],
  );
});

Deno.test("validateConfig() refuses connecting-side settings xbar's clients do not apply", () => {
  const comp = (transport: unknown) => ({
    version: 2,
    workers: [
      {
        type: "router",
        realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
        transports: [{ type: "rawsocket", endpoint: { type: "tcp", port: 8081 } }],
      },
      {
        type: "container",
        components: [{ type: "module", module: "./c.ts", realm: "realm1", transport }],
      },
    ],
  });
  const { errors } = validateConfig(comp({
    type: "websocket",
    url: "wss://127.0.0.1:8080/ws",
    endpoint: {
      type: "tcp",
      host: "127.0.0.1",
      port: 8080,
      version: 6,
      tls: { hostname: "example.com", ca_certificates: ["ca.pem"], certificate: "c", key: "k" },
    },
    options: { auto_ping_interval: 1000 },
  }));
  const at = "workers[1].components[0].transport";
  const by = new Map(errors.map((e) => [e.path, e.message]));
  for (
    const [path, why] of [
      [`${at}.options.auto_ping_interval`, /listening WebSocket transports/],
      [`${at}.endpoint.version`, /cannot be forced/],
      [`${at}.endpoint.tls.hostname`, /must be the endpoint's host/],
      [`${at}.endpoint.tls.certificate`, /client certificates/],
      [`${at}.endpoint.tls.ca_certificates`, /system's CA roots/],
    ] as const
  ) {
    assert.ok(by.has(path), `${path}; got ${[...by.keys()].join(", ")}`);
    assert.match(by.get(path)!, why, path);
  }
  const raw = validateConfig(comp({
    type: "rawsocket",
    endpoint: { type: "tcp", host: "127.0.0.1", port: 8081, tls: { hostname: "127.0.0.1" } },
    options: { max_message_size: 100 },
  }));
  assert.deepEqual(raw.errors.map((e) => e.path), [`${at}.options.max_message_size`]);
});

Deno.test("validateConfig() reads permessage-deflate's context takeover flags: the client's is honoured, the server's false warns", () => {
  const { config, errors, warnings } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
      transports: [{
        type: "websocket",
        endpoint: { type: "tcp", port: 8080 },
        options: {
          compression: {
            deflate: {
              request_no_context_takeover: false,
              no_context_takeover: false,
              request_max_window_bits: 13,
            },
          },
        },
      }],
    }],
  });
  assert.deepEqual(errors, []);
  const w = config!.workers[0];
  if (w.type !== "router" || w.transports[0].type !== "websocket") throw new Error("router");
  assert.deepEqual(w.transports[0].options.compression, {
    deflate: { request_no_context_takeover: false, request_max_window_bits: 13 },
  });
  assert.deepEqual(warnings.map((x) => x.path), [
    "workers[0].transports[0].options.compression.deflate.no_context_takeover",
  ]);
  assert.match(warnings[0].message, /each message on its own/);
});
