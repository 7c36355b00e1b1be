/**
 * Application components: TypeScript/JavaScript modules named in the node
 * config (`type: module`), loaded relative to the node directory. The
 * module's export (default `default`) is called with a joined WAMP session
 * and the component's config:
 *
 * ```ts
 * // .crossbar/components/add.ts
 * import type { ComponentMain } from "xbar/mod.ts";
 * const main: ComponentMain = async (session, config) => {
 *   await session.register("com.example.add2", ([a, b]) => (a as number) + (b as number));
 *   return () => console.error("stopping"); // optional: called when the component stops
 * };
 * export default main;
 * ```
 *
 * The component runs until it is stopped, its session ends, or its main
 * function throws (a failure).
 *
 * From source the module is imported at run time. The single executable (and
 * the launcher standing in for it) cannot import modules outside its build
 * graph: it runs only the components built into it (`bundled_components.ts`).
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ComponentBase } from "../config/types.ts";
import type { Session } from "../client/session.ts";
import { findBundledComponent, notBuiltInMessage } from "./bundled_components.ts";
import { thisExecutable } from "./executable.ts";

/**
 * What a component module exports: called once with the joined session and
 * the component's config (`extra` holds the free-form data from the config).
 * It may return a function (or a promise of one) that is called when the
 * component is stopped, before its session leaves.
 */
export type ComponentMain = (
  session: Session,
  config: ComponentBase,
) => unknown;

/** The URL a component's `module` names: a path relative to the node directory, or a URL/specifier. */
export function componentModuleUrl(nodeDir: string, module: string): string {
  if (/^(file|https?|npm|jsr|data):/.test(module)) return module;
  const path = isAbsolute(module) ? module : resolve(nodeDir, module);
  return pathToFileURL(path).href;
}

/** Loads a component's main function. Rejects with a message naming the module and export. */
export async function loadComponent(
  nodeDir: string,
  config: ComponentBase,
): Promise<ComponentMain> {
  const url = componentModuleUrl(nodeDir, config.module);
  let load = (): Promise<Record<string, unknown>> => import(url);
  if (thisExecutable().single) {
    const built = findBundledComponent(nodeDir, config.module);
    if (!built) {
      throw new Error(`component "${config.id}": ${notBuiltInMessage(nodeDir, config.module)}`);
    }
    load = built.load;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await load();
  } catch (err) {
    throw new Error(
      `component "${config.id}": cannot load module "${config.module}" (${url}): ${
        err instanceof Error ? err.message : err
      }`,
    );
  }
  const main = mod[config.export];
  if (typeof main !== "function") {
    const names = Object.keys(mod).join(", ") || "none";
    throw new Error(
      `component "${config.id}": module "${config.module}" has no function export "${config.export}" (exports: ${names})`,
    );
  }
  return main as ComponentMain;
}

/** A component whose main function has run. */
export interface StartedComponent {
  /** Stops it: the cleanup function (if any), then the session leaves. Idempotent. */
  stop(): Promise<void>;
}

/** Calls `main` with `session`; when it throws, the session is left and the error rethrown. */
export async function startComponent(
  main: ComponentMain,
  session: Session,
  config: ComponentBase,
): Promise<StartedComponent> {
  let cleanup: unknown;
  try {
    cleanup = await main(session, config);
  } catch (err) {
    if (session.isOpen) await session.leave().catch(() => {});
    throw new Error(
      `component "${config.id}" failed to start: ${err instanceof Error ? err.message : err}`,
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        if (typeof cleanup === "function") {
          try {
            await cleanup();
          } catch {
            // a failing cleanup must not keep the session open
          }
        }
        if (session.isOpen) await session.leave().catch(() => {});
      })();
      return stopping;
    },
  };
}
