/**
 * Validation of a whole node config in one pass: every section validator
 * runs on everything it can reach, then the cross-section rules; all errors
 * come back together, each with its path (and file:line:column when a
 * source map is given). Defaults are applied as sections are read.
 *
 * Besides Crossbar's top-level keys, keys starting with `x-` are allowed and
 * ignored, as a place for YAML anchors (`x-endpoint: &ep {...}`).
 *
 * @module
 */

import { Checker, isObject } from "./_checker.ts";
import { generateId } from "./defaults.ts";
import { crossCheck, type PlacedWorker } from "./cross_checks.ts";
import type { SourceMap } from "./source_map.ts";
import type {
  ComponentModuleRule,
  ConfigResult,
  EnvironmentRules,
  NodeConfig,
  WorkerConfig,
} from "./types.ts";
import { checkController } from "./validate_controller.ts";
import { checkWorker } from "./validate_worker.ts";

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** The file the config came from (copied into each error). */
  file?: string;
  /** Positions of paths in `file` (see `SourceMap.fromDocument`), for line:column in errors. */
  sourceMap?: SourceMap;
  /** Paths whose value came whole from one `${VAR}` (from `expandEnv`): numbers and booleans may be strings there. */
  envPaths?: ReadonlySet<string>;
  /** Extra rule for component modules (whoever runs them knows what they need). Default: none. */
  componentModule?: ComponentModuleRule;
  /** Checks that need the machine (static directories, Python). Default: none. */
  environment?: EnvironmentRules;
}

/**
 * Validates a parsed config (plain data from YAML or JSON) and returns the
 * normalized {@link NodeConfig} when it has no errors. Never throws for bad
 * input.
 *
 * ```ts
 * const { config, errors } = validateConfig(JSON.parse(text), { file: "config.json" });
 * if (!config) console.error(formatConfigErrors(errors));
 * ```
 */
export function validateConfig(raw: unknown, options: ValidateOptions = {}): ConfigResult {
  const c = new Checker(options);
  // top-level keys starting with "x-" are free for YAML anchors (as in docker-compose files)
  if (isObject(raw)) {
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("x-")));
  }
  const top = c.object([], raw, {
    required: ["version"],
    optional: ["$schema", "controller", "workers"],
  });
  if (!top) return { errors: c.errors, warnings: c.warnings };

  if (top.version === 1) {
    c.error(
      ["version"],
      "config version 1 is too old: xbar reads version 2 (Crossbar's `crossbar upgrade` converts it)",
    );
  } else if (top.version !== undefined && top.version !== 2) {
    c.error(["version"], `must be 2, got ${JSON.stringify(top.version)}`);
  }
  c.string(["$schema"], top.$schema);

  const controller = checkController(c, ["controller"], top.controller);
  const placed: PlacedWorker[] = [];
  const list = c.list(["workers"], top.workers);
  list?.forEach((item, i) => {
    const w = checkWorker(c, ["workers", i], item);
    if (w) placed.push({ ...w, index: i });
  });
  if (top.workers === undefined || (list !== undefined && list.length === 0)) {
    c.warn(["workers"], "no workers: the node runs only its controller");
  }

  const taken = new Map<string, number>();
  for (const w of placed) {
    if (w.worker.id === "") continue;
    const first = taken.get(w.worker.id);
    if (first !== undefined) {
      c.error(
        ["workers", w.index, "id"],
        `duplicate worker id "${w.worker.id}" (also workers[${first}])`,
      );
    } else taken.set(w.worker.id, w.index);
  }
  const ids = new Set(taken.keys());
  for (const w of placed) {
    if (w.worker.id === "") w.worker.id = generateId("worker", ids);
    if (w.worker.options.title === "") {
      w.worker.options.title = `xbar-${w.worker.type}-${w.worker.id}`;
    }
  }

  crossCheck(c, placed);

  if (c.errors.length > 0) return { errors: c.errors, warnings: c.warnings };
  const config: NodeConfig = {
    version: 2,
    controller,
    workers: placed.flatMap((w) => expandReplicas(w.worker, w.replicas ?? 1)),
  };
  return { config, errors: [], warnings: c.warnings };
}

/**
 * A router worker block with `"replicas": N` becomes N router workers, ids
 * `<id>-1` … `<id>-N` (declared ids cannot contain `-`, so they never clash),
 * titles `<title>-<n>`, each with its own copy of the block's config.
 */
export function expandReplicas(w: WorkerConfig, replicas: number): WorkerConfig[] {
  if (w.type !== "router" || replicas <= 1) return [w];
  return Array.from({ length: replicas }, (_, i) => {
    const copy = structuredClone(w);
    copy.id = `${w.id}-${i + 1}`;
    copy.options.title = `${w.options.title}-${i + 1}`;
    copy.replica = { of: w.id, index: i + 1, count: replicas };
    return copy;
  });
}
