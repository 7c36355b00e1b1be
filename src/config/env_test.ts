import assert from "node:assert/strict";
import { expandEnv } from "./env.ts";

Deno.test("expandEnv() replaces ${VAR} anywhere in strings, not in keys", () => {
  const { value, errors, envPaths } = expandEnv(
    { "${KEY}": "x", url: "ws://${HOST}:${PORT}/ws", list: ["${HOST}"], n: 1, b: true, nil: null },
    { HOST: "example.com", PORT: "8080", KEY: "k" },
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    "${KEY}": "x",
    url: "ws://example.com:8080/ws",
    list: ["example.com"],
    n: 1,
    b: true,
    nil: null,
  });
  assert.deepEqual([...envPaths], ["list[0]"]);
});

Deno.test("expandEnv() reports an unset variable with its path", () => {
  const { errors } = expandEnv(
    { workers: [{ options: { env: { vars: { TOKEN: "${TOKEN}" } } } }] },
    {},
  );
  assert.deepEqual(errors, [{
    path: ["workers", 0, "options", "env", "vars", "TOKEN"],
    message: 'environment variable "TOKEN" is not set (referenced as "${TOKEN}")',
  }]);
});

Deno.test("expandEnv() uses ${VAR:-fallback} when the variable is unset or empty", () => {
  const { value, errors } = expandEnv({ a: "${A:-8080}", b: "${B:-x}", c: "${C:-}" }, {
    B: "",
    C: "set",
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(value, { a: "8080", b: "x", c: "set" });
});

Deno.test("expandEnv() keeps $${ as a literal ${ and other dollars as they are", () => {
  const { value, errors } = expandEnv({ a: "$${HOME}", b: "pa$$word", c: "$5 and $HOME" }, {
    HOME: "/root",
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(value, { a: "${HOME}", b: "pa$$word", c: "$5 and $HOME" });
});

Deno.test("expandEnv() reports malformed references", () => {
  const { errors } = expandEnv({ a: "${UNCLOSED", b: "${1BAD}", c: "${}" }, {});
  assert.deepEqual(errors.map((e) => e.path), [["a"], ["b"], ["c"]]);
  assert.match(errors[0].message, /unterminated/);
  assert.match(errors[1].message, /invalid environment variable name "1BAD"/);
});

Deno.test("expandEnv() reads Crossbar's $PORT form only for endpoint ports", () => {
  const { value, errors, envPaths } = expandEnv(
    { endpoint: { port: "$PORT" }, other: "$PORT" },
    (name) => name === "PORT" ? "9000" : undefined,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(value, { endpoint: { port: "9000" }, other: "$PORT" });
  assert.deepEqual([...envPaths], ["endpoint.port"]);
  assert.match(
    expandEnv({ endpoint: { port: "$NOPE" } }, {}).errors[0].message,
    /"NOPE" is not set/,
  );
});

Deno.test("expandEnv() marks only whole single references as typed values", () => {
  const { envPaths } = expandEnv({ a: "${X}", b: "${X}${X}", c: "p${X}" }, { X: "1" });
  assert.deepEqual([...envPaths], ["a"]);
});
