import assert from "node:assert/strict";
import { PYTHON_BOOTSTRAP, PYTHON_HOST_SOURCE } from "./host_source.ts";

const PYTHON = "/usr/bin/python3";

Deno.test("PYTHON_HOST_SOURCE and PYTHON_BOOTSTRAP are valid Python 3", async () => {
  for (const [name, source] of [["host", PYTHON_HOST_SOURCE], ["bootstrap", PYTHON_BOOTSTRAP]]) {
    const child = new Deno.Command(PYTHON, {
      args: ["-c", "import sys; compile(sys.stdin.read(), sys.argv[1], 'exec')", name],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(source));
    await w.close();
    const out = await child.output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  }
});

Deno.test("the Python host reports a component it cannot import and exits 2 (not worth a restart)", async () => {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", PYTHON_BOOTSTRAP],
    env: {
      XBAR_PYTHON_HOST: PYTHON_HOST_SOURCE,
      XBAR_PYTHON_COMPONENT: JSON.stringify({
        type: "class",
        id: "c1",
        classname: "no_such_module.Thing",
        realm: "realm1",
        cbdir: "/tmp",
        pythonpath: [],
        transport: {
          kind: "rawsocket",
          serializer: "json",
          endpoint: { type: "unix", path: "/nonexistent" },
        },
      }),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  const err = new TextDecoder().decode(out.stderr);
  const status = err.split("\n").find((l) => l.startsWith("\x1exbar-status "));
  assert.ok(status, err);
  const event = JSON.parse(status.slice("\x1exbar-status ".length));
  assert.equal(event.event, "error");
  assert.equal(event.load, true);
  assert.match(err, /cannot import module "no_such_module" of classname "no_such_module.Thing"/);
});
