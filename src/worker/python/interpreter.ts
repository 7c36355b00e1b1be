/**
 * Which Python runs Python components: the worker option `python` (Crossbar's
 * native worker option), else `$XBAR_PYTHON`, else the first `python3` on
 * PATH, then `/usr/bin/python3`, that can import Autobahn|Python under
 * Twisted. Also the check `xbar check`/`start` apply before anything starts:
 * that interpreter exists, and each component's module can be found on its
 * search path (without running any of its code).
 *
 * @module
 */

import { delimiter, isAbsolute, join, resolve } from "../../posix_path.ts";

/** Environment variable naming the Python interpreter for components. */
export const PYTHON_ENV = "XBAR_PYTHON";

/** What to install when no interpreter has Autobahn|Python. */
export const INSTALL_HINT =
  "install Autobahn|Python with Twisted: Debian/Ubuntu apt-get install python3-autobahn, " +
  'or pip install "autobahn[twisted]"';

/** A usable interpreter. */
export interface PythonInterpreter {
  /** Path (or name found on PATH) to run. */
  path: string;
  /** Autobahn|Python version. */
  autobahn: string;
  /** Twisted version. */
  twisted: string;
}

/** The outcome of looking for an interpreter. */
export type PythonLookup =
  | { ok: true; python: PythonInterpreter }
  | { ok: false; error: string };

const PROBE = String.raw`
import json, sys
from importlib.machinery import PathFinder
from importlib.util import find_spec
out = {}
try:
    # looked up, not imported: importing Twisted and Autobahn takes a second
    missing = [m for m in ('autobahn', 'twisted', 'txaio') if find_spec(m) is None]
    if missing:
        out['error'] = 'no module named ' + ', '.join(missing)
    else:
        from importlib.metadata import version
        for name in ('autobahn', 'twisted'):
            try:
                out[name] = version(name)
            except Exception:
                out[name] = '?'
except Exception as e:
    out['error'] = '%s: %s' % (type(e).__name__, e)
req = json.loads(sys.argv[1])
missing = {}
path = req.get('pythonpath', []) + sys.path
for module in req.get('modules', []):
    parts = module.split('.')
    found = None
    search = path
    for i, part in enumerate(parts):
        try:
            found = PathFinder.find_spec(part, search)
        except Exception:
            found = None
        if found is None:
            break
        search = found.submodule_search_locations
        if search is None and i < len(parts) - 1:
            found = None
            break
    if found is None:
        missing[module] = 'no Python module "%s" on the search path %s' % (module, json.dumps(path))
out['missing'] = missing
print(json.dumps(out))
`;

interface ProbeAnswer {
  autobahn?: string;
  twisted?: string;
  error?: string;
  missing?: Record<string, string>;
}

/** Modules to look for, with the search path entries to put first (absolute). */
export interface ModuleQuery {
  /** Absolute directories searched before the interpreter's own path. */
  pythonpath: string[];
  /** Dotted module names. */
  modules: string[];
}

const NO_MODULES: ModuleQuery = { pythonpath: [], modules: [] };

function probeCommand(python: string, query: ModuleQuery): Deno.Command {
  return new Deno.Command(python, {
    args: ["-c", PROBE, JSON.stringify(query)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

function probeSync(python: string, query: ModuleQuery): ProbeAnswer | string {
  let out: Deno.CommandOutput;
  try {
    out = probeCommand(python, query).outputSync();
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "not found" : String(e);
  }
  return readProbe(out);
}

async function probeAsync(python: string, query: ModuleQuery): Promise<ProbeAnswer | string> {
  let out: Deno.CommandOutput;
  try {
    out = await probeCommand(python, query).output();
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "not found" : String(e);
  }
  return readProbe(out);
}

function readProbe(out: Deno.CommandOutput): ProbeAnswer | string {
  const text = new TextDecoder().decode(out.stdout).trim();
  try {
    return JSON.parse(text.split("\n").pop() ?? "") as ProbeAnswer;
  } catch {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
    return `exit ${out.code}${err ? `: ${err}` : ""}`;
  }
}

/** `python3` on each PATH directory, then `/usr/bin/python3` (no duplicates). */
export function candidates(explicit: string | undefined, env: (n: string) => string | undefined) {
  if (explicit) return [explicit];
  const fromEnv = env(PYTHON_ENV);
  if (fromEnv) return [fromEnv];
  const out: string[] = [];
  for (const dir of (env("PATH") ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, "python3");
    try {
      if (Deno.statSync(p).isFile && !out.includes(p)) out.push(p);
    } catch {
      // not there
    }
  }
  if (!out.includes("/usr/bin/python3")) out.push("/usr/bin/python3");
  return out;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

const cache = new Map<string, PythonLookup>();

function explicitPath(explicit: string | undefined, nodeDir: string): string | undefined {
  return explicit && explicit.includes("/") && !isAbsolute(explicit)
    ? resolve(nodeDir, explicit)
    : explicit;
}

function verdict(tried: string[]): PythonLookup {
  return {
    ok: false,
    error: `Python components need python3 with Autobahn|Python and Twisted; ${INSTALL_HINT} ` +
      `(or name an interpreter with the worker option "python" or $${PYTHON_ENV}); tried: ${
        tried.join(", ")
      }`,
  };
}

function judge(path: string, a: ProbeAnswer | string, tried: string[]): PythonLookup | undefined {
  if (typeof a === "string") tried.push(`${path} (${a})`);
  else if (a.error || !a.autobahn) tried.push(`${path} (${a.error ?? "no autobahn"})`);
  else return { ok: true, python: { path, autobahn: a.autobahn, twisted: a.twisted ?? "?" } };
  return undefined;
}

/**
 * Finds the interpreter for components (see the module doc). `explicit` is
 * the worker's `python` option (relative paths are resolved against `nodeDir`).
 * Results are cached per process. Blocks while it asks (for config checks).
 */
export function findPython(explicit: string | undefined, nodeDir: string): PythonLookup {
  const given = explicitPath(explicit, nodeDir);
  const hit = cache.get(given ?? "");
  if (hit) return hit;
  const tried: string[] = [];
  let found: PythonLookup | undefined;
  for (const path of candidates(given, readEnv)) {
    found = judge(path, probeSync(path, NO_MODULES), tried);
    if (found) break;
  }
  found ??= verdict(tried);
  cache.set(given ?? "", found);
  return found;
}

/** {@link findPython} without blocking the event loop (for workers). */
export async function findPythonAsync(
  explicit: string | undefined,
  nodeDir: string,
): Promise<PythonLookup> {
  const given = explicitPath(explicit, nodeDir);
  const hit = cache.get(given ?? "");
  if (hit) return hit;
  const tried: string[] = [];
  let found: PythonLookup | undefined;
  // asked all at once (a pyenv shim alone can take seconds), taken in order
  const paths = candidates(given, readEnv);
  const answers = await Promise.all(paths.map((path) => probeAsync(path, NO_MODULES)));
  for (const [i, path] of paths.entries()) {
    found = judge(path, answers[i], tried);
    if (found) break;
  }
  found ??= verdict(tried);
  cache.set(given ?? "", found);
  return found;
}

/**
 * Which of the query's modules the interpreter cannot find (module → why).
 * Nothing of the modules runs: only their files are looked up.
 */
export function missingModules(python: string, query: ModuleQuery): Record<string, string> {
  if (query.modules.length === 0) return {};
  const a = probeSync(python, query);
  if (typeof a === "string") {
    return Object.fromEntries(query.modules.map((m) => [m, `cannot ask ${python}: ${a}`]));
  }
  return a.missing ?? {};
}

/** `pythonpath` entries of a worker, absolute (relative ones are relative to the node directory, as in Crossbar). */
export function absolutePythonpath(pythonpath: readonly string[], nodeDir: string): string[] {
  return pythonpath.map((p) => resolve(nodeDir, p));
}
