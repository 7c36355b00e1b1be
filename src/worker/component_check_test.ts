import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { bundledComponents, setBundledComponents } from "./bundled_components.ts";
import { componentModuleRule, fileSha256, loadHashing } from "./component_check.ts";

await loadHashing();

const SOURCE = { kind: "source", path: "deno", single: false } as const;
const COMPILED = { kind: "compiled", path: "/usr/bin/xbar", single: true } as const;

Deno.test("componentModuleRule() from source: a module file must exist; URL specifiers are not checked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "here.ts"), "export default () => {};");
    await Deno.mkdir(join(dir, "folder.ts"));
    const rule = componentModuleRule(dir, SOURCE);
    strictEqual(rule("here.ts"), undefined);
    deepStrictEqual(rule("gone.ts"), { error: `no such file: ${join(dir, "gone.ts")}` });
    deepStrictEqual(rule("folder.ts"), { error: `${join(dir, "folder.ts")} is not a file` });
    strictEqual(rule("npm:some-component@1"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("componentModuleRule() in the single executable: built in or refused; a changed file gets a warning", async () => {
  const dir = await Deno.makeTempDir();
  const before = bundledComponents();
  try {
    const file = join(dir, "c.ts");
    await Deno.writeTextFile(file, "export default () => {};");
    setBundledComponents([{
      key: "c.ts",
      sha256: fileSha256(file),
      load: () => Promise.resolve({}),
    }]);
    const rule = componentModuleRule(dir, COMPILED);
    strictEqual(rule("./c.ts"), undefined);
    match(rule("d.ts")!.error!, /^"d\.ts" is not built into this executable/);
    await Deno.writeTextFile(file, "export default () => 1;");
    match(rule("c.ts")!.warning!, /c\.ts has changed since this executable was built/);
    await Deno.remove(file);
    strictEqual(rule("c.ts"), undefined, "the executable does not need the file");
  } finally {
    setBundledComponents(before);
    await Deno.remove(dir, { recursive: true });
  }
});
