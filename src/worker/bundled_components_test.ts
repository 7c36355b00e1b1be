import { strictEqual } from "node:assert/strict";
import {
  bundledComponents,
  componentKey,
  findBundledComponent,
  isLocalModule,
  localModulePath,
  notBuiltInMessage,
  setBundledComponents,
} from "./bundled_components.ts";

Deno.test("componentKey() names a module inside the node directory by its relative path, others absolute, URLs as written", () => {
  const dir = "/srv/my node";
  strictEqual(componentKey(dir, "components/add.ts"), "components/add.ts");
  strictEqual(componentKey(dir, "./components/../components/add.ts"), "components/add.ts");
  strictEqual(componentKey(dir, "/srv/my node/components/add.ts"), "components/add.ts");
  strictEqual(componentKey(dir, "file:///srv/my%20node/components/add.ts"), "components/add.ts");
  strictEqual(componentKey(dir, "../shared/lib.ts"), "/srv/shared/lib.ts");
  strictEqual(componentKey(dir, "/opt/c.js"), "/opt/c.js");
  strictEqual(componentKey(dir, "npm:some-component@1"), "npm:some-component@1");
  strictEqual(componentKey(dir, "https://example.com/c.ts"), "https://example.com/c.ts");
});

Deno.test("localModulePath() decodes file: URLs and resolves relative paths against the node directory", () => {
  strictEqual(localModulePath("/n", "file:///a%20b/c.ts"), "/a b/c.ts");
  strictEqual(localModulePath("/n", "c.ts"), "/n/c.ts");
  strictEqual(isLocalModule("jsr:@x/y"), false);
  strictEqual(isLocalModule("c.ts"), true);
});

Deno.test("findBundledComponent() finds a built-in module by key from another node directory location", async () => {
  const before = bundledComponents();
  try {
    setBundledComponents([
      { key: "components/add.ts", load: () => Promise.resolve({ default: () => 1 }) },
      { key: "/abs/smoke.ts", internal: true, load: () => Promise.resolve({}) },
    ]);
    // built from /build/node, run from /srv/node: relative keys still match
    const found = findBundledComponent("/srv/node", "./components/add.ts");
    strictEqual(typeof (await found!.load()).default, "function");
    strictEqual(findBundledComponent("/srv/node", "components/other.ts"), undefined);
    const msg = notBuiltInMessage("/srv/node", "components/other.ts");
    strictEqual(
      msg,
      '"components/other.ts" is not built into this executable (a compiled xbar runs only the ' +
        "components it was built with; it has components/add.ts): rebuild it with: deno task " +
        'compile --components "/srv/node"',
    );
  } finally {
    setBundledComponents(before);
  }
});
