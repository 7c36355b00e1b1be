import assert from "node:assert/strict";
import { validateConfig } from "./validate.ts";
import type {
  ContainerWorkerConfig,
  EnvironmentRules,
  PythonCheckRequest,
  PythonCheckVerdict,
  RouterWorkerConfig,
} from "./types.ts";

const router = (components: unknown[], options: unknown = {}) => ({
  type: "router",
  options,
  realms: [{ name: "realm1", roles: [{ name: "backend", permissions: [] }] }],
  components,
});

const container = (components: unknown[]) => ({
  type: "container",
  options: { pythonpath: [".."] },
  components,
});

const TRANSPORT = {
  type: "websocket",
  endpoint: { type: "tcp", host: "127.0.0.1", port: 8080 },
  url: "ws://127.0.0.1:8080/ws",
};

Deno.test("validateConfig() reads Crossbar's Python components: class and function, router and container", () => {
  const { config, errors, warnings } = validateConfig({
    version: 2,
    workers: [
      router([
        { type: "class", classname: "backend.Backend", realm: "realm1", role: "backend" },
        {
          type: "function",
          realm: "realm1",
          callbacks: { join: "funcs.on_join", leave: "funcs.on_leave" },
          extra: { a: 1 },
        },
      ], { pythonpath: [".."], python: "/usr/bin/python3" }),
      container([
        {
          type: "class",
          classname: "hello.hello.AppSession",
          realm: "realm1",
          transport: TRANSPORT,
        },
        {
          type: "function",
          realm: "realm1",
          transport: TRANSPORT,
          auth: { anonymous: {} },
          callbacks: { join: "funcs.on_join" },
        },
      ]),
    ],
  });
  assert.deepEqual(errors, []);
  const r = config!.workers[0] as RouterWorkerConfig;
  assert.deepEqual(r.options.pythonpath, [".."]);
  assert.equal(r.options.python, "/usr/bin/python3");
  assert.deepEqual(r.components.map((c) => [c.type, c.id, c.role]), [
    ["class", "component001", "backend"],
    ["function", "component002", "anonymous"],
  ]);
  const c = config!.workers[1] as ContainerWorkerConfig;
  const [cls] = c.components;
  assert.equal(cls.type === "class" && cls.classname, "hello.hello.AppSession");
  // Crossbar requires auth on a container function component and does not use it: neither do we
  assert.ok(warnings.some((w) => w.path === "workers[1].components[1].auth"));
});

Deno.test("validateConfig() refuses malformed Python components with their paths", () => {
  const { errors } = validateConfig({
    version: 2,
    workers: [
      router([
        { type: "class", classname: "NoModule", realm: "realm1" },
        { type: "class", classname: "a.B", realm: "realm1", references: ["connection:pg"] },
        { type: "function", realm: "realm1", callbacks: { ready: "a.b" } },
      ]),
      container([{ type: "class", classname: "a.B", realm: "realm1" }]),
    ],
  });
  assert.deepEqual(errors.map((e) => e.path), [
    "workers[0].components[0].classname",
    "workers[0].components[1].references",
    "workers[0].components[2].callbacks.ready",
    "workers[1].components[0]",
  ]);
  assert.match(errors[1].message, /not supported by xbar \(references to connections/);
  assert.match(errors[3].message, /missing required key "transport"/);
});

Deno.test("validateConfig() asks the environment rule about each worker's Python: interpreter and modules", () => {
  const asked: PythonCheckRequest[] = [];
  const environment: EnvironmentRules = {
    python(request): PythonCheckVerdict {
      asked.push(request);
      if (request.python === "/no/python") {
        return { error: "no interpreter: install it", missing: {} };
      }
      return { missing: { "gone.mod": 'no Python module "gone.mod"' } };
    },
  };
  const { errors } = validateConfig({
    version: 2,
    workers: [
      router([
        { type: "class", classname: "gone.mod.Thing", realm: "realm1" },
        { type: "class", classname: "here.Thing", realm: "realm1" },
        { type: "function", realm: "realm1", callbacks: { join: "gone.mod.f" } },
      ], { pythonpath: ["lib"] }),
      {
        ...container([{
          type: "class",
          classname: "here.Thing",
          realm: "realm1",
          transport: TRANSPORT,
        }]),
        options: { python: "/no/python" },
      },
    ],
  }, { environment });
  assert.deepEqual(asked, [
    { python: undefined, pythonpath: ["lib"], modules: ["gone.mod", "here"] },
    { python: "/no/python", pythonpath: [], modules: ["here"] },
  ]);
  assert.deepEqual(errors.map((e) => [e.path, e.message]), [
    ["workers[0].components[0].classname", 'no Python module "gone.mod"'],
    ["workers[0].components[2].callbacks", 'no Python module "gone.mod"'],
    ["workers[1].components[0].classname", "no interpreter: install it"],
  ]);
});

Deno.test("validateConfig() refuses a static web directory the environment rule does not find", () => {
  const { errors } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 8080 },
        paths: {
          "/": { type: "static", directory: "../web" },
          ok: { type: "static", directory: "." },
        },
      }],
    }],
  }, {
    environment: { directory: (d) => d === "../web" ? "no such directory: /x/web" : undefined },
  });
  assert.deepEqual(errors.map((e) => [e.path, e.message]), [
    ['workers[0].transports[0].paths["/"].directory', "no such directory: /x/web"],
  ]);
});
