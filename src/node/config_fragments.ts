/**
 * Validation of config fragments given to the management API at runtime (a
 * worker, a realm, a transport, a component — in the config file's shape):
 * the fragment is placed in a minimal node config, validated by the same
 * code as a config file, and comes back normalized, or with every error,
 * its path relative to the fragment.
 *
 * @module
 */

import { validateConfig } from "../config/validate.ts";
import { formatConfigError } from "../config/format.ts";
import type {
  ConfigError,
  ContainerComponentConfig,
  RealmConfig,
  RouterComponentConfig,
  RouterWorkerConfig,
  TransportConfig,
  WorkerConfig,
} from "../config/types.ts";

/** A validated fragment, or its errors. */
export type FragmentResult<T> = { ok: true; value: T } | { ok: false; errors: ConfigError[] };

function strip(errors: ConfigError[], prefix: string): ConfigError[] {
  return errors.map((e) => ({
    ...e,
    path: e.path === prefix
      ? ""
      : e.path.startsWith(prefix)
      ? e.path.slice(prefix.length).replace(/^\./, "")
      : e.path,
  }));
}

/** Every error of a fragment as one text, one per line (`path: message`). */
export function fragmentErrorText(errors: ConfigError[]): string {
  return errors.map((e) => formatConfigError(e)).join("\n");
}

function run<T>(
  raw: unknown,
  prefix: string,
  pick: (w: WorkerConfig) => T | undefined,
): FragmentResult<T> {
  const r = validateConfig(raw);
  if (!r.config) return { ok: false, errors: strip(r.errors, prefix) };
  const v = pick(r.config.workers[r.config.workers.length - 1]);
  if (v === undefined) {
    return { ok: false, errors: [{ path: "", message: "not found after validation" }] };
  }
  return { ok: true, value: v };
}

/** A worker config (any type). Its id stays as given (generated ids are assigned by the caller). */
export function validateWorkerFragment(raw: unknown): FragmentResult<WorkerConfig> {
  return run({ version: 2, workers: [raw] }, "workers[0]", (w) => w);
}

/**
 * A worker config as the workers it declares: one, or N for a router worker
 * with `"replicas": N` (ids `<id>-1` … `<id>-N`).
 */
export function validateWorkerFragments(raw: unknown): FragmentResult<WorkerConfig[]> {
  const r = validateConfig({ version: 2, workers: [raw] });
  if (!r.config) return { ok: false, errors: strip(r.errors, "workers[0]") };
  return { ok: true, value: r.config.workers };
}

/** A realm of a router worker. */
export function validateRealmFragment(raw: unknown): FragmentResult<RealmConfig> {
  return run(
    { version: 2, workers: [{ type: "router", realms: [raw] }] },
    "workers[0].realms[0]",
    (w) => (w as RouterWorkerConfig).realms[0],
  );
}

/** A listening transport of a router worker. */
export function validateTransportFragment(raw: unknown): FragmentResult<TransportConfig> {
  return run(
    { version: 2, workers: [{ type: "router", transports: [raw] }] },
    "workers[0].transports[0]",
    (w) => (w as RouterWorkerConfig).transports[0],
  );
}

/** A component of a router worker whose running realms are `realms` (to check the realm and role it names). */
export function validateRouterComponentFragment(
  raw: unknown,
  realms: RealmConfig[],
): FragmentResult<RouterComponentConfig> {
  const shells = realms.map((r) => ({
    name: r.name,
    roles: r.roles.map((role) => ({ name: role.name, permissions: [] })),
  }));
  return run(
    { version: 2, workers: [{ type: "router", realms: shells, components: [raw] }] },
    "workers[0].components[0]",
    (w) => (w as RouterWorkerConfig).components[0],
  );
}

/** A component of a container worker. */
export function validateContainerComponentFragment(
  raw: unknown,
): FragmentResult<ContainerComponentConfig> {
  return run(
    { version: 2, workers: [{ type: "container", components: [raw] }] },
    "workers[0].components[0]",
    (w) => (w as { components: ContainerComponentConfig[] }).components[0],
  );
}
