import { deepStrictEqual, ok } from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("../", import.meta.url));

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...sources(path));
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

/** A specifier written in `file`, as a path from the repository root (bare ones as they are). */
function resolved(file: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return relative(ROOT, fromFileUrl(new URL(specifier, `file://${file}`)));
}

Deno.test("COMPILED_GRAPH imports every module that xbar imports with importLater (or the single executable would lack it)", () => {
  const listed = new Set(
    [
      ...Deno.readTextFileSync(join(ROOT, "cli", "compiled_graph.ts")).matchAll(
        /import\("([^"]+)"\)/g,
      ),
    ]
      .map((m) => resolved(join(ROOT, "cli", "compiled_graph.ts"), m[1])),
  );
  const wanted = new Set<string>();
  for (const file of [...sources(join(ROOT, "cli")), ...sources(join(ROOT, "src"))]) {
    if (file.endsWith("import_later.ts") || file.endsWith("compiled_graph.ts")) continue;
    const text = Deno.readTextFileSync(file);
    if (!text.includes("importLater")) continue;
    // Every call site names its module in the type argument: typeof import("...").
    for (const m of text.matchAll(/typeof import\("([^"]+)"\)/g)) wanted.add(resolved(file, m[1]));
  }
  ok(wanted.size >= 10, `call sites found: ${[...wanted].join(", ")}`);
  deepStrictEqual([...wanted].filter((w) => !listed.has(w)), [], "missing from COMPILED_GRAPH");
});
