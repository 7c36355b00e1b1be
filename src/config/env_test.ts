import assert from "node:assert/strict";
import { expandEnv } from "./env.ts";

Deno.test("expandEnv() leaves ${...} literal outside the values Crossbar reads from the environment", () => {
  const raw = {
    workers: [{
      type: "guest",
      executable: "sh",
      arguments: ["-c", "echo ${PATH:+x} ${HOME}"],
      options: { env: { vars: { TOKEN: "${TOKEN}" } }, title: "${TITLE}" },
    }],
    url: "ws://${HOST}:8080/ws",
  };
  const { value, errors, warnings, envPaths } = expandEnv(raw, { HOST: "h", TOKEN: "t" });
  assert.deepEqual(value, raw);
  assert.deepEqual([errors, warnings, [...envPaths]], [[], [], []]);
});

Deno.test("expandEnv() reads a static ticket and a WAM-CRA secret from ${VAR}", () => {
  const { value, errors, envPaths } = expandEnv({
    auth: {
      ticket: { type: "static", principals: { joe: { ticket: "${T}", role: "user" } } },
      wampcra: { type: "static", users: { ann: { secret: "${S}" }, bob: { secret: "p${S}" } } },
    },
  }, { T: "tick", S: "sec" });
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    auth: {
      ticket: { type: "static", principals: { joe: { ticket: "tick", role: "user" } } },
      wampcra: { type: "static", users: { ann: { secret: "sec" }, bob: { secret: "p${S}" } } },
    },
  });
  assert.deepEqual([...envPaths], [
    "auth.ticket.principals.joe.ticket",
    "auth.wampcra.users.ann.secret",
  ]);
});

Deno.test("expandEnv() leaves out a principal whose secret variable is unset, with a warning", () => {
  const { value, errors, warnings } = expandEnv({
    auth: {
      wampcra: { type: "static", users: { ann: { secret: "${NOPE}" }, bob: { secret: "b" } } },
    },
  }, {});
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    auth: { wampcra: { type: "static", users: { bob: { secret: "b" } } } },
  });
  assert.deepEqual(warnings, [{
    path: ["auth", "wampcra", "users", "ann", "secret"],
    message:
      'environment variable "NOPE" is not set (referenced as "${NOPE}"): principal "ann" cannot log in',
  }]);
});

Deno.test("expandEnv() reads a worker's options.disabled as Crossbar does: set and not empty disables", () => {
  const worker = (disabled: unknown) => ({ workers: [{ options: { disabled } }] });
  const disabled = (v: unknown, env: Record<string, string>) =>
    (expandEnv(worker(v), env).value as { workers: { options: { disabled: unknown } }[] })
      .workers[0].options.disabled;
  assert.equal(disabled("${OFF}", { OFF: "1" }), true);
  assert.equal(disabled("${OFF}", { OFF: "" }), false);
  assert.equal(disabled("${OFF}", {}), false);
  assert.equal(disabled(true, {}), true);
});

Deno.test("expandEnv() reads endpoint ports from $VAR (Crossbar) or ${VAR}, an unset one is an error", () => {
  const { value, errors, envPaths } = expandEnv(
    { endpoint: { port: "$PORT" }, e2: { endpoint: { port: "${P2:-81}" } }, other: "$PORT" },
    (name) => name === "PORT" ? "9000" : undefined,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    endpoint: { port: "9000" },
    e2: { endpoint: { port: "81" } },
    other: "$PORT",
  });
  assert.deepEqual([...envPaths], ["endpoint.port", "e2.endpoint.port"]);
  assert.deepEqual(expandEnv({ endpoint: { port: "$NOPE" } }, {}).errors, [{
    path: ["endpoint", "port"],
    message: 'environment variable "NOPE" is not set (referenced as "$NOPE")',
  }]);
});

Deno.test("expandEnv() reads xbar's container component credentials from ${VAR}", () => {
  const { value, errors } = expandEnv(
    { workers: [{ components: [{ auth: { authid: "${A}", ticket: "${T}" } }] }] },
    { A: "a", T: "t" },
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(value, {
    workers: [{ components: [{ auth: { authid: "${A}", ticket: "t" } }] }],
  });
  assert.equal(
    expandEnv({ workers: [{ components: [{ auth: { secret: "${S}" } }] }] }, {}).errors.length,
    1,
  );
});
