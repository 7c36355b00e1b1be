/**
 * How this xbar process runs: from source (`deno run cli/xbar.ts`), as the
 * single executable `deno task compile` builds, or as the launcher that
 * stands in for that executable in tests (where no `denort` runtime exists
 * to build it).
 *
 * The single executable and the launcher behave the same: workers are
 * spawned as `<executable> worker ...` (no `run`, no flags), and components
 * are only the ones built into the executable (`bundled_components.ts`).
 *
 * The launcher (written by `scripts/compile.ts --launcher`) is a shell script
 * that runs the generated entry module under `deno run` with
 * `XBAR_LAUNCHER=<its own path>`. The variable is honoured only from source
 * (a compiled executable ignores it), and is removed from this process's
 * environment as soon as it is read, so it never reaches a worker or a guest
 * program: the launcher sets it again on every start.
 *
 * @module
 */

/** The environment variable the launcher sets to its own path. For tests only. */
export const LAUNCHER_ENV = "XBAR_LAUNCHER";

/** How this process runs. */
export type ExecutableKind = "source" | "compiled" | "launcher";

/** This process's executable. */
export interface XbarExecutable {
  /** How it runs. */
  readonly kind: ExecutableKind;
  /** The file to spawn for `xbar <args>`: the compiled executable, the launcher, or the `deno` binary (source). */
  readonly path: string;
  /** True for the compiled executable and the launcher: workers are `path worker ...`, components are built in. */
  readonly single: boolean;
}

let detected: XbarExecutable | undefined;

/** This process's executable (read once; see the module doc for `XBAR_LAUNCHER`). */
export function thisExecutable(): XbarExecutable {
  if (detected) return detected;
  if (Deno.build.standalone) {
    detected = { kind: "compiled", path: Deno.execPath(), single: true };
    return detected;
  }
  let launcher: string | undefined;
  try {
    launcher = Deno.env.get(LAUNCHER_ENV);
    if (launcher !== undefined) Deno.env.delete(LAUNCHER_ENV);
  } catch {
    // no env permission: run from source
  }
  detected = launcher
    ? { kind: "launcher", path: launcher, single: true }
    : { kind: "source", path: Deno.execPath(), single: false };
  return detected;
}
