/**
 * `xbar start`'s first router worker, started before the config is validated
 * (start-up time: the worker's Deno boots while the controller imports and
 * runs the config checks). Its settings come from the raw JSON config file:
 * only a plain case is started early (a `config.json`, or a `--config` file
 * ending in `.json`; the first router worker, with no `replicas` in the
 * config and no `env`, `title` or `disabled` option; its id as written, or
 * the one validation will generate, `worker001`, ...); anything else starts
 * after validation as before. The process waits for its boot config on stdin
 * (`--boot stdin`) and opens nothing before it: `adoptEarlyWorker` sends it
 * once the validated config shows the same settings (the config's router
 * worker of that id), or kills the process (another settings, an invalid
 * config, a node already running in the directory).
 *
 * @module
 */

import { isAbsolute, join } from "../src/posix_path.ts";
import type { LogFormat } from "../src/log/console_logger.ts";
import type { LogLevel } from "../src/log/logger.ts";
import type { RouterWorkerConfig } from "../src/config/types.ts";
import {
  configuredTitle,
  type StartedWorkerProcess,
  type StartWorkerOptions,
  startWorkerProcess,
} from "../src/node/worker_process.ts";
import { processEnv } from "../src/worker/guest_worker.ts";
import { generateId } from "../src/config/defaults.ts";
import { routerBootOf } from "../src/worker/router_boot.ts";

/** Where and how `xbar start` runs. */
export interface EarlyWorkerOptions {
  /** Node directory (absolute). */
  dir: string;
  /** `--config`, when given. */
  config?: string;
  /** Log level of the workers. */
  logLevel: LogLevel;
  /** Log format of the workers. */
  logFormat: LogFormat;
}

async function readable(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The config file `loadConfig` reads when it is a JSON file; undefined otherwise. */
async function jsonConfigFile(o: EarlyWorkerOptions): Promise<string | undefined> {
  if (o.config !== undefined) {
    if (!o.config.endsWith(".json")) return undefined;
    const inDir = isAbsolute(o.config) ? o.config : join(o.dir, o.config);
    return (await readable(inDir)) ? inDir : o.config;
  }
  if (await readable(join(o.dir, "config.yaml"))) return undefined;
  const json = join(o.dir, "config.json");
  return (await readable(json)) ? json : undefined;
}

/**
 * Starts the config's first router worker's process when the raw config is
 * a plain case (see the module doc); undefined otherwise. Never throws.
 */
export async function startEarlyWorker(
  o: EarlyWorkerOptions,
): Promise<StartedWorkerProcess | undefined> {
  try {
    const file = await jsonConfigFile(o);
    if (file === undefined) return undefined;
    const raw = JSON.parse(await Deno.readTextFile(file));
    const workers: unknown[] = Array.isArray(raw?.workers) ? raw.workers : [];
    const w = workers.find((x) =>
      typeof x === "object" && x !== null && (x as Record<string, unknown>).type === "router"
    ) as Record<string, unknown> | undefined;
    if (!w || w.replicas !== undefined) return undefined;
    const id = expectedId(workers, w);
    if (id === undefined) return undefined;
    const options = (w.options ?? {}) as Record<string, unknown>;
    if (options.env !== undefined || options.title !== undefined) return undefined;
    if (options.disabled !== undefined) return undefined;
    const transports: unknown[] = Array.isArray(w.transports) ? w.transports : [];
    const preload = transports.map((t) => (t as Record<string, unknown>)?.type)
      .filter((t): t is string => typeof t === "string");
    return startWorkerProcess({
      id,
      kind: "router",
      nodeDir: o.dir,
      logLevel: o.logLevel,
      logFormat: o.logFormat,
      env: processEnv({ inherit: true, vars: {} }),
      preload,
      bootLater: true,
    });
  } catch {
    return undefined; // not JSON, unreadable, cannot spawn: the usual path reports it
  }
}

/**
 * The id validation gives `w` (one of `workers`): its own, or, when it has
 * none, the one `generateId` hands out in the workers' order past the ids
 * written; undefined when that cannot be told (replicas, ids of other types).
 */
function expectedId(workers: unknown[], w: Record<string, unknown>): string | undefined {
  if (typeof w.id === "string") return w.id === "" ? undefined : w.id;
  if (w.id !== undefined) return undefined;
  const all = workers.map((x) => (typeof x === "object" && x !== null ? x : {})) as Record<
    string,
    unknown
  >[];
  if (
    all.some((x) => x.replicas !== undefined || (x.id !== undefined && typeof x.id !== "string"))
  ) {
    return undefined;
  }
  const taken = new Set(all.map((x) => x.id).filter((x): x is string => typeof x === "string"));
  for (const x of all) {
    if (x.id !== undefined) continue;
    const generated = generateId("worker", taken);
    if (x === w) return generated;
  }
  return undefined;
}

/** The settings `xbar start` starts router worker `w` with (the boot config aside). */
export function routerWorkerStart(
  w: RouterWorkerConfig,
  o: Omit<EarlyWorkerOptions, "config">,
): StartWorkerOptions {
  return {
    id: w.id,
    kind: "router",
    title: configuredTitle("router", w.id, w.options.title),
    nodeDir: o.dir,
    logLevel: o.logLevel,
    logFormat: o.logFormat,
    env: processEnv(w.options.env),
    preload: w.transports.map((t) => t.type),
  };
}

/**
 * Sends `early` its boot config when `want` (router worker `w`'s settings)
 * is what it was started with, and returns it; otherwise kills it and
 * returns undefined.
 */
export function adoptEarlyWorker(
  early: StartedWorkerProcess,
  w: RouterWorkerConfig,
  want: StartWorkerOptions,
): StartedWorkerProcess | undefined {
  const had = early.options;
  const same = had.id === want.id && had.kind === want.kind && had.title === want.title &&
    had.nodeDir === want.nodeDir && had.logLevel === want.logLevel &&
    had.logFormat === want.logFormat && sameEnv(had.env, want.env) &&
    sameJson([...new Set(had.preload)], [...new Set(want.preload)]);
  if (!same) {
    early.discard();
    return undefined;
  }
  early.boot(routerBootOf(w) ?? null);
  return early;
}

/** The same variables with the same values (`Deno.env.toObject()` has no fixed order). */
function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
