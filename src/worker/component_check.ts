/**
 * What `xbar check` and `xbar start` require of component modules before
 * anything starts, so that a config that passes the check does not then fail
 * on its components:
 *
 * - from source, a module file (a path or `file:` URL) must exist;
 * - in the single executable (and the launcher standing in for it), a module
 *   must be built in (`bundled_components.ts`); a built-in module whose file
 *   has changed since the build gets a warning (the executable runs the copy
 *   it was built with).
 *
 * @module
 */

import type { ComponentModuleRule } from "../config/types.ts";
import {
  findBundledComponent,
  isLocalModule,
  localModulePath,
  notBuiltInMessage,
} from "./bundled_components.ts";
import { thisExecutable, type XbarExecutable } from "./executable.ts";

let createHash: typeof import("node:crypto").createHash | undefined;

/**
 * Imports what `fileSha256` needs (node:crypto, ~60 ms of start-up: only the
 * single executable, the build script and tests need hashes). Once.
 */
export async function loadHashing(): Promise<void> {
  createHash ??= (await import("node:crypto")).createHash;
}

// The compiled executable compares its built-in components' hashes at every check.
if (thisExecutable().single) await loadHashing();

/** SHA-256 (hex) of a file, or `undefined` when it cannot be read. Needs `loadHashing()` first. */
export function fileSha256(path: string): string | undefined {
  if (createHash === undefined) {
    throw new Error("fileSha256(): call and await loadHashing() first");
  }
  try {
    return createHash("sha256").update(Deno.readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

/** The component module rule for node directory `nodeDir`, for the way this process runs. */
export function componentModuleRule(
  nodeDir: string,
  executable: XbarExecutable = thisExecutable(),
): ComponentModuleRule {
  return (module) => {
    try {
      return check(module);
    } catch (err) {
      return { error: `cannot check the module: ${err instanceof Error ? err.message : err}` };
    }
  };

  function check(module: string): ReturnType<ComponentModuleRule> {
    if (executable.single) {
      const built = findBundledComponent(nodeDir, module);
      if (!built) return { error: notBuiltInMessage(nodeDir, module) };
      if (built.sha256 === undefined || !isLocalModule(module)) return undefined;
      const now = fileSha256(localModulePath(nodeDir, module));
      if (now === undefined || now === built.sha256) return undefined;
      return {
        warning: `${localModulePath(nodeDir, module)} has changed since this executable was ` +
          `built: it runs the copy it was built with; rebuild it with: deno task compile ` +
          `--components ${JSON.stringify(nodeDir)}`,
      };
    }
    if (!isLocalModule(module)) return undefined;
    const path = localModulePath(nodeDir, module);
    try {
      if (Deno.statSync(path).isFile) return undefined;
      return { error: `${path} is not a file` };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return { error: `no such file: ${path}` };
      return { error: `cannot read ${path}: ${err instanceof Error ? err.message : err}` };
    }
  }
}
