/**
 * Components built into the single executable. A compiled binary cannot
 * `import()` a module that was not in its build graph, so
 * `deno task compile --components <node dir>` writes an entry module that
 * lists every component module of that node directory's config as a
 * statically analyzable `import()` (which `deno compile` embeds) and hands
 * the list to {@link setBundledComponents} before `xbar` runs. The
 * executable then loads components only from this list (see
 * `component.ts`), and `xbar check` refuses a component that is not in it.
 *
 * Components are looked up by {@link componentKey}: a module inside the node
 * directory by its path relative to it (so the executable can run a node
 * directory at another place), any other file by its absolute path, a URL
 * specifier (`npm:`, `jsr:`, `https:`) as written.
 *
 * @module
 */

import { fileURLToPath, isAbsolute, relative, resolve, sep } from "../posix_path.ts";

/** A component module built into the executable. */
export interface BundledComponent {
  /** Its {@link componentKey} at build time. */
  readonly key: string;
  /** SHA-256 (hex) of the module file when the executable was built (local files only). */
  readonly sha256?: string;
  /** Imports the built-in copy. */
  readonly load: () => Promise<Record<string, unknown>>;
  /** Built in for the executable's own smoke test, not named by the user's config (not listed). */
  readonly internal?: boolean;
}

let bundled: readonly BundledComponent[] = [];

/** Sets the components built into this executable (called by the generated entry module, once, before `xbar` runs). */
export function setBundledComponents(list: readonly BundledComponent[]): void {
  bundled = [...list];
}

/** The components built into this executable (empty when none were). */
export function bundledComponents(): readonly BundledComponent[] {
  return bundled;
}

const URL_SPECIFIER = /^(npm|jsr|https?):/;

/** True when a component's `module` names a file (a path, or a `file:` URL), not a remote or package specifier. */
export function isLocalModule(module: string): boolean {
  return !URL_SPECIFIER.test(module);
}

/** The absolute path of a local component module (relative paths are relative to `nodeDir`). */
export function localModulePath(nodeDir: string, module: string): string {
  if (module.startsWith("file:")) return fileURLToPath(module);
  return isAbsolute(module) ? resolve(module) : resolve(nodeDir, module);
}

/**
 * The key a component module is built in under: a file inside `nodeDir` by
 * its relative path (`/` separated), another file by its absolute path, a
 * URL specifier as written.
 */
export function componentKey(nodeDir: string, module: string): string {
  if (!isLocalModule(module)) return module;
  const path = localModulePath(nodeDir, module);
  const rel = relative(resolve(nodeDir), path);
  if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  return path;
}

/** The built-in component `module` names (relative to `nodeDir`), or `undefined`. */
export function findBundledComponent(
  nodeDir: string,
  module: string,
): BundledComponent | undefined {
  const key = componentKey(nodeDir, module);
  return bundled.find((b) => b.key === key);
}

/** Why the executable cannot run component `module`: it was not built in. Names the fix. */
export function notBuiltInMessage(nodeDir: string, module: string): string {
  const have = bundled.filter((b) => !b.internal).map((b) => b.key);
  return `"${module}" is not built into this executable (a compiled xbar runs only the ` +
    `components it was built with; it has ${have.length === 0 ? "none" : have.join(", ")}): ` +
    `rebuild it with: deno task compile --components ${JSON.stringify(nodeDir)}`;
}
