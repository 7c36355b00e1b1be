import assert from "node:assert/strict";
import { candidates, findPython, missingModules, PYTHON_ENV } from "./interpreter.ts";

Deno.test("candidates() prefers the worker option, then $XBAR_PYTHON, then python3 on PATH, then /usr/bin/python3", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.deepEqual(candidates("/opt/py", env({ [PYTHON_ENV]: "/x" })), ["/opt/py"]);
  assert.deepEqual(candidates(undefined, env({ [PYTHON_ENV]: "/x" })), ["/x"]);
  const found = candidates(undefined, env({ PATH: "/nonexistent:/usr/bin" }));
  assert.equal(found[found.length - 1], "/usr/bin/python3");
  assert.equal(new Set(found).size, found.length);
});

Deno.test("findPython() names what to install when no interpreter has Autobahn|Python", () => {
  const r = findPython("/nonexistent/python3", "/tmp");
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(r.error, /apt-get install python3-autobahn/);
  assert.match(r.error, /\/nonexistent\/python3 \(not found\)/);
});

Deno.test("findPython() finds Debian's python3 with Autobahn|Python; missingModules() looks modules up without running them", async () => {
  const r = findPython("/usr/bin/python3", "/tmp");
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  assert.match(r.python.autobahn, /^\d+\./);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/pkg`);
    await Deno.writeTextFile(`${dir}/pkg/__init__.py`, "raise SystemExit('must not run')\n");
    await Deno.writeTextFile(`${dir}/pkg/mod.py`, "raise SystemExit('must not run')\n");
    const missing = missingModules(r.python.path, {
      pythonpath: [dir],
      modules: ["pkg.mod", "pkg.nope", "nowhere"],
    });
    assert.deepEqual(Object.keys(missing).sort(), ["nowhere", "pkg.nope"]);
    assert.match(missing.nowhere, /no Python module "nowhere" on the search path/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
