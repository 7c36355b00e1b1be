/**
 * Imports a module that `deno run` should not prepare before it is needed.
 *
 * Deno prepares an entry module's whole graph before it runs a line,
 * statically analyzable dynamic imports (`import("./x.ts")`) included; each
 * prepared module costs start-up time even when it is never evaluated. A
 * specifier Deno cannot analyze (an argument of this function) is prepared
 * when it is imported. Measured on `xbar start` (launch to the first
 * WebSocket port accepting): the controller spawns its router workers ~20 ms
 * sooner, and a router worker loads its host ~10 ms sooner.
 *
 * The compiled executable embeds only modules of its build graph: every
 * module imported through here is also listed, with a literal specifier, in
 * `cli/compiled_graph.ts`, which the executable's generated entry imports
 * (its test checks the list against the call sites).
 *
 * Call it as `importLater<typeof import("./x.ts")>(new URL("./x.ts",
 * import.meta.url))` (a type-only `typeof import` costs nothing at run time),
 * or with a bare npm specifier from the import map (`"msgpackr"`).
 *
 * @module
 */

/** Imports `specifier` (a URL, or a bare specifier of the import map). */
export function importLater<T>(specifier: URL | string): Promise<T> {
  return import(typeof specifier === "string" ? specifier : specifier.href);
}
