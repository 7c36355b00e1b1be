/**
 * `xbar check`: validates a node config and prints every error with its
 * file:line:column and path.
 *
 * @module
 */

import { loadConfig } from "../src/config/load.ts";
import { formatConfigError, sortedErrors } from "../src/config/format.ts";
import type { NodeConfig, WorkerConfig } from "../src/config/types.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import { componentModuleRule } from "../src/worker/component_check.ts";
import { environmentRules } from "../src/worker/environment_rules.ts";
import { bundledComponents } from "../src/worker/bundled_components.ts";
import { thisExecutable } from "../src/worker/executable.ts";
import {
  dirOf,
  err,
  EXIT_CODES_HELP,
  ExitCode,
  NODE_OPTIONS,
  NODE_OPTIONS_HELP,
  out,
  parseCommandOrHelp,
} from "./_options.ts";

/** Help of `xbar check`. */
export const CHECK_HELP = `Usage: xbar check [options]

Validates the node config (config.yaml, else config.json, in the node
directory, or --config) without starting anything. Every error is printed as
"file:line:column: path: message"; the exit code is 1 when there is any.

Component modules must exist. A compiled xbar cannot load modules it was not
built with: it runs only the components built into it (deno task compile
--components <node dir>), and its check refuses any other.

Options:
${NODE_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

function describeWorker(w: WorkerConfig): string {
  switch (w.type) {
    case "router":
      return `${w.id}: router${
        w.replica ? ` (replica ${w.replica.index}/${w.replica.count} of ${w.replica.of})` : ""
      }, realms ${w.realms.map((r) => r.name).join(", ") || "none"}; transports ${
        w.transports.map((t) =>
          `${t.id} (${t.type} ${
            t.endpoint.type === "tcp"
              ? `${t.endpoint.interface}:${t.endpoint.port}`
              : t.endpoint.path
          })`
        ).join(", ") || "none"
      }; ${w.components.length} component(s)`;
    case "container":
      return `${w.id}: container, ${w.components.length} component(s)`;
    case "guest":
      return `${w.id}: guest, ${w.executable} ${w.arguments.join(" ")}`.trimEnd();
  }
}

/** Every component module the config names (router and container components). */
export function componentModules(config: NodeConfig): string[] {
  const out = new Set<string>();
  for (const w of config.workers) {
    if (w.type === "guest") continue;
    for (const c of w.components) if (c.type === "module") out.add(c.module);
  }
  return [...out];
}

export { sortedErrors };

/** Runs `xbar check`. */
export async function check(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, NODE_OPTIONS, CHECK_HELP);
  if (!v) return ExitCode.OK;
  const paths = nodePaths(dirOf(v));
  const loaded = await loadConfig({
    dir: paths.dir,
    config: typeof v.config === "string" ? v.config : undefined,
    componentModule: componentModuleRule(paths.dir),
    environment: environmentRules(paths.dir),
  });
  for (const w of loaded.warnings) err(`warning: ${formatConfigError(w)}`);
  const what = loaded.file ?? `the embedded default config (no config file in "${paths.dir}")`;
  if (!loaded.config) {
    for (const e of sortedErrors(loaded.errors)) err(formatConfigError(e));
    err(`xbar: ${what}: ${loaded.errors.length} error${loaded.errors.length === 1 ? "" : "s"}`);
    return ExitCode.ERROR;
  }
  out(`ok: ${what}`);
  for (const w of loaded.config.workers) {
    out(`  ${describeWorker(w)}${w.options.disabled ? " (disabled)" : ""}`);
  }
  if (componentModules(loaded.config).length > 0) {
    if (thisExecutable().single) {
      out(
        `  components built into this executable: ${
          bundledComponents().filter((b) => !b.internal).map((b) => b.key).join(", ")
        }`,
      );
    } else {
      out(
        `  a compiled xbar runs only the components built into it: deno task compile --components ${
          JSON.stringify(paths.dir)
        }`,
      );
    }
  }
  return ExitCode.OK;
}
