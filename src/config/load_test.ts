import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultConfig } from "./default_config.ts";
import { findConfigFile, loadConfig, parseConfigText } from "./load.ts";
import { hasDuplicateKeys, parseJsonConfig } from "./config_text.ts";
import type { RouterWorkerConfig } from "./types.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xbar_config_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const GOOD_JSON = JSON.stringify(
  { version: 2, controller: { id: "from_json" }, workers: [] },
  null,
  2,
);
const GOOD_YAML = "version: 2\ncontroller: {id: from_yaml}\nworkers: []\n";

Deno.test("findConfigFile() prefers config.yaml to config.json", async () => {
  await withDir(async (dir) => {
    assert.equal(await findConfigFile(dir), undefined);
    await Deno.writeTextFile(join(dir, "config.json"), GOOD_JSON);
    assert.equal(await findConfigFile(dir), join(dir, "config.json"));
    await Deno.writeTextFile(join(dir, "config.yaml"), GOOD_YAML);
    assert.equal(await findConfigFile(dir), join(dir, "config.yaml"));
  });
});

Deno.test("loadConfig() reads the node directory's config file", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "config.json"), GOOD_JSON);
    const loaded = await loadConfig({ dir, env: {} });
    assert.deepEqual(loaded.errors, []);
    assert.equal(loaded.source, "file");
    assert.equal(loaded.file, join(dir, "config.json"));
    assert.equal(loaded.config?.controller.id, "from_json");
  });
});

Deno.test("loadConfig() takes an explicit config file, relative to the node directory first", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "other.yaml"), GOOD_YAML);
    const relative = await loadConfig({ dir, config: "other.yaml", env: {} });
    assert.equal(relative.config?.controller.id, "from_yaml");
    assert.equal(relative.file, join(dir, "other.yaml"));
    const absolute = await loadConfig({
      dir: "/nonexistent",
      config: join(dir, "other.yaml"),
      env: {},
    });
    assert.equal(absolute.config?.controller.id, "from_yaml");
    const missing = await loadConfig({ dir, config: "nope.yaml", env: {} });
    assert.equal(missing.config, undefined);
    assert.match(missing.errors[0].message, /cannot read config file: no such file/);
    assert.equal(missing.errors[0].file, "nope.yaml");
  });
});

Deno.test("loadConfig() falls back to the embedded default config", async () => {
  await withDir(async (dir) => {
    const loaded = await loadConfig({ dir, env: {} });
    assert.equal(loaded.source, "default");
    assert.equal(loaded.file, undefined);
    assert.deepEqual(loaded.config, defaultConfig());
    const strict = await loadConfig({ dir, env: {}, useDefault: false });
    assert.equal(strict.config, undefined);
    assert.match(strict.errors[0].message, /no config.yaml or config.json in node directory/);
  });
});

Deno.test("loadConfig() gives JSON errors a line and column", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(
      file,
      `{
  "version": 2,
  "workers": [
    {
      "type": "router",
      "transports": [
        {"type": "websocket", "endpoint": {"type": "tcp", "port": 70000}}
      ]
    }
  ]
}
`,
    );
    const { config, errors } = await loadConfig({ dir, env: {} });
    assert.equal(config, undefined);
    assert.deepEqual(errors, [{
      path: "workers[0].transports[0].endpoint.port",
      message: "must be 1-65535, got 70000",
      file,
      line: 7,
      column: 67,
    }]);
  });
});

Deno.test("loadConfig() reports a JSON syntax error with its position", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(file, '{\n  "version": 2,\n  "workers": [\n}\n');
    const { config, errors } = await loadConfig({ dir, env: {} });
    assert.equal(config, undefined);
    assert.ok(errors.length >= 1);
    assert.equal(errors[0].file, file);
    assert.equal(errors[0].line, 4);
    assert.match(errors[0].message, /^cannot parse: /);
  });
});

Deno.test("loadConfig() reads secrets and ports from the given environment; an unset secret is a located warning", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "config.yaml");
    await Deno.writeTextFile(
      file,
      `version: 2
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: frontend}]}]
    transports:
      - type: websocket
        endpoint: {type: tcp, port: "\${PORT:-8080}"}
        auth:
          wampcra:
            type: static
            users:
              client1: {secret: "\${MYSECRET}", role: frontend}
              client2: {secret: plain, role: frontend}
`,
    );
    const ok = await loadConfig({ dir, env: { MYSECRET: "s3cret" } });
    assert.deepEqual(ok.errors, []);
    const t = (ok.config!.workers[0] as RouterWorkerConfig).transports[0];
    assert.equal(t.endpoint.type === "tcp" && t.endpoint.port, 8080);
    assert.deepEqual(t.type === "websocket" && t.auth.wampcra, {
      type: "static",
      users: {
        client1: { secret: "s3cret", role: "frontend" },
        client2: { secret: "plain", role: "frontend" },
      },
    });

    const unset = await loadConfig({ dir, env: {} });
    assert.deepEqual(unset.errors, []);
    assert.deepEqual(unset.warnings, [{
      path: "workers[0].transports[0].auth.wampcra.users.client1.secret",
      message:
        'environment variable "MYSECRET" is not set (referenced as "\${MYSECRET}"): principal "client1" cannot log in',
      file,
      line: 12,
      column: 33,
    }]);
    const u = (unset.config!.workers[0] as RouterWorkerConfig).transports[0];
    assert.deepEqual(
      Object.keys(
        (u.type === "websocket" && u.auth.wampcra?.type === "static" && u.auth.wampcra.users) || {},
      ),
      ["client2"],
    );
  });
});

Deno.test("loadConfig() reads the process environment by default", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "config.yaml"),
      "version: 2\nworkers: [{type: router, transports: [{type: websocket, endpoint: {type: tcp, port: $XBAR_TEST_PORT}}]}]\n",
    );
    Deno.env.set("XBAR_TEST_PORT", "8123");
    try {
      const loaded = await loadConfig({ dir });
      const t = (loaded.config!.workers[0] as RouterWorkerConfig).transports[0];
      assert.equal(t.endpoint.type === "tcp" && t.endpoint.port, 8123);
    } finally {
      Deno.env.delete("XBAR_TEST_PORT");
    }
  });
});

Deno.test("parseConfigText() allows x- keys for anchors and points errors inside an alias at the alias", () => {
  const { errors } = parseConfigText(
    `version: 2
x-endpoint: &ep {type: tcp, port: 70000}
workers:
  - type: router
    transports:
      - {type: rawsocket, endpoint: *ep}
`,
    { env: {} },
  );
  assert.deepEqual(errors.map((e) => [e.path, e.line, e.column]), [
    ["workers[0].transports[0].endpoint.port", 6, 37],
  ]);
});

Deno.test("parseJsonConfig() (the JSON fast path) gives what parseConfigText() gives for a good config, and steps aside when there is anything to report", () => {
  const good = JSON.stringify({
    version: 2,
    workers: [{
      type: "router",
      realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
      transports: [{ type: "websocket", endpoint: { type: "tcp", port: "${PORT}" } }],
    }],
  });
  const env = { PORT: "8080" };
  const fast = parseJsonConfig(good, { file: "config.json", env });
  assert.ok(fast);
  assert.deepEqual(fast, parseConfigText(good, { file: "config.json", env }));
  // Anything to report goes to the positioned parser: bad syntax, errors, duplicate keys, empty.
  assert.equal(parseJsonConfig('{"version": 2,', {}), undefined);
  assert.equal(parseJsonConfig('{"version": 2, "workers": [{"type": "nope"}]}', {}), undefined);
  assert.equal(parseJsonConfig('{"version": 2, "version": 2, "workers": []}', {}), undefined);
  assert.equal(parseJsonConfig("null", {}), undefined);
});

Deno.test("loadConfig() reports a duplicate key in a JSON config with its position", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "config.json"),
      '{\n  "version": 2,\n  "workers": [],\n  "workers": []\n}\n',
    );
    const loaded = await loadConfig({ dir });
    assert.equal(loaded.config, undefined);
    assert.equal(loaded.errors.length, 1);
    assert.match(loaded.errors[0].message, /unique|duplicate/i);
    assert.equal(loaded.errors[0].line, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hasDuplicateKeys() finds a key twice in one object, at any depth, and nothing else", () => {
  assert.equal(hasDuplicateKeys('{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}'), false);
  assert.equal(hasDuplicateKeys('{"a": 1, "b": {"x": 2, "x": 3}}'), true);
  assert.equal(hasDuplicateKeys('[{"k": 1}, {"k": 2, "j": 0, "k": 3}]'), true);
  assert.equal(hasDuplicateKeys('{"s": "a\\"b", "t": "{\\"s\\": 1}", "u": ["s", "s"]}'), false);
  assert.equal(hasDuplicateKeys('{"\\u0061": 1, "a": 2}'), true, "keys compare decoded");
});
