/**
 * POSIX paths without `node:path`/`node:url`: the first `node:` import of a
 * process sets up Deno's Node compatibility layer (~10-30 ms measured on
 * these machines), which neither the controller's path to spawning its
 * router workers nor a router worker's path to its first listener should
 * pay. Same results as `node:path`'s functions of the same names for POSIX
 * paths, and `node:url`'s `fileURLToPath` (the test beside this file
 * compares them).
 *
 * @module
 */

/** The path segment separator. */
export const sep = "/";

/** The separator of `PATH`-like lists. */
export const delimiter = ":";

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
  return `/${segments(joined, true).join("/")}`;
}

/** `path`'s segments with `.` and empty ones dropped and `..` applied (kept at the start of a relative path). */
function segments(path: string, absolute: boolean): string[] {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(part);
    }
  }
  return out;
}

/** `path` normalized as `node:path`'s `normalize` does (`.` for an empty path; a trailing `/` kept). */
export function normalize(path: string): string {
  if (path === "") return ".";
  const abs = isAbsolute(path);
  let out = segments(path, abs).join("/");
  if (out === "" && !abs) out = ".";
  if (path.endsWith("/") && out !== "") out += "/";
  return abs ? `/${out}` : out;
}

/** `paths` joined with `/` and normalized (empty ones skipped; `.` when nothing is left). */
export function join(...paths: string[]): string {
  const parts = paths.filter((p) => p !== "");
  return parts.length === 0 ? "." : normalize(parts.join("/"));
}

/** The relative path from `from` to `to` (both resolved first; `""` when they are the same). */
export function relative(from: string, to: string): string {
  const a = segments(resolve(from), true);
  const b = segments(resolve(to), true);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/** The last segment of `path` (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  const trimmed = path.slice(0, end);
  return trimmed === "/" ? "" : trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** The path of a `file:` URL, as `node:url`'s `fileURLToPath` (throws `TypeError` for other URLs). */
export function fileURLToPath(url: URL | string): string {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "file:") throw new TypeError("The URL must be of scheme file");
  if (u.hostname !== "") throw new TypeError(`File URL host must be "localhost" or empty`);
  if (/%2f/i.test(u.pathname)) {
    throw new TypeError("File URL path must not include encoded / characters");
  }
  return decodeURIComponent(u.pathname);
}
