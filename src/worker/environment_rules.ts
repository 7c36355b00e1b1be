/**
 * The checks `xbar check` and `xbar start` make on the machine before
 * anything starts (so that a config that passes the check does not then fail
 * on them): static web directories and archive files exist, and Python
 * components have an interpreter with Autobahn|Python and modules it can find.
 *
 * @module
 */

import { resolve } from "../posix_path.ts";
import type { EnvironmentRules } from "../config/types.ts";
import { absolutePythonpath, findPython, missingModules } from "./python/interpreter.ts";

function kindOf(path: string): "file" | "directory" | "other" | "missing" | string {
  try {
    const s = Deno.statSync(path);
    return s.isFile ? "file" : s.isDirectory ? "directory" : "other";
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    return `unreadable (${err instanceof Error ? err.message : err})`;
  }
}

/** The environment rules for node directory `nodeDir` (relative paths are resolved against it). */
export function environmentRules(nodeDir: string): EnvironmentRules {
  return {
    directory(path) {
      const abs = resolve(nodeDir, path);
      const k = kindOf(abs);
      if (k === "directory") return undefined;
      return k === "missing" ? `no such directory: ${abs}` : `${abs} is not a directory (${k})`;
    },
    file(path) {
      const abs = resolve(nodeDir, path);
      const k = kindOf(abs);
      if (k === "file") return undefined;
      return k === "missing" ? `no such file: ${abs}` : `${abs} is not a file (${k})`;
    },
    python(request) {
      const lookup = findPython(request.python, nodeDir);
      if (!lookup.ok) return { error: lookup.error, missing: {} };
      const missing = missingModules(lookup.python.path, {
        pythonpath: absolutePythonpath(request.pythonpath, nodeDir),
        modules: request.modules,
      });
      return { missing };
    },
  };
}
