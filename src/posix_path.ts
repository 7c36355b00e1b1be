/**
 * POSIX path resolution without `node:path`: the first `node:` import of a
 * process sets up Deno's Node compatibility layer (~10-30 ms measured on
 * these machines), which the router worker's path to its first listener
 * should not pay. Same results as `node:path`'s `isAbsolute` and `resolve`
 * for POSIX paths (the test beside this file compares them).
 *
 * @module
 */

/** True when `path` starts at the root (`/`). */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * The normalized absolute path of `paths` joined from right to left until
 * one is absolute (the working directory when none is), as `node:path`'s
 * `resolve`: `.` and empty segments dropped, `..` applied, no trailing `/`.
 */
export function resolve(...paths: string[]): string {
  let joined = "";
  for (let i = paths.length - 1; i >= 0 && !isAbsolute(joined); i--) {
    if (paths[i] === "") continue;
    joined = joined === "" ? paths[i] : `${paths[i]}/${joined}`;
  }
  if (!isAbsolute(joined)) joined = joined === "" ? Deno.cwd() : `${Deno.cwd()}/${joined}`;
  const out: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}
