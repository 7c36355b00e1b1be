/**
 * A Web transport's path map: which service answers which URL path.
 *
 * Keys are written as in Crossbar's config: `"/"` is the root, any other key
 * is one or more path segments (`"ws"`, `"api/call"`; leading and trailing
 * slashes are ignored). A request goes to the service with the longest key
 * that is a whole-segment prefix of its path: with keys `"/"`, `"ws"` and
 * `"static"`, `/ws` goes to `ws`, `/static/js/app.js` to `static` (rest
 * `/js/app.js`), `/index.html` and `/wsx` to the root. Without a root key,
 * paths no key matches get no service (the transport answers 404).
 *
 * @module
 */

import type { PathService } from "./web_service.ts";

/** One entry of the table: the URL prefix (`""` for the root, else `"/a/b"`), the key as configured, the service. */
export interface PathEntry {
  /** URL path prefix: `""` (root) or `/seg/seg`. */
  readonly prefix: string;
  /** The key as written (nested keys joined with `/`), for messages. */
  readonly key: string;
  /** The service. */
  readonly service: Exclude<PathService, { type: "path" }>;
}

/** The result of `PathTable.resolve`. */
export interface PathMatch {
  /** The matched entry. */
  readonly entry: PathEntry;
  /** The URL path below the prefix (`""`, `"/"`, `"/js/app.js"`), still percent-encoded. */
  readonly rest: string;
}

const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/;

/** The path map, flattened and sorted for matching. */
export class PathTable {
  /** Entries, longest prefix first. */
  readonly entries: readonly PathEntry[];

  /**
   * Flattens `paths` (nested `path` services included).
   *
   * @throws RangeError listing every invalid or duplicate key, as `paths["key"]: ...`
   */
  constructor(paths: Record<string, PathService>) {
    const errors: string[] = [];
    const out: PathEntry[] = [];
    const seen = new Map<string, string>();
    const walk = (map: Record<string, PathService>, parent: string[], where: string) => {
      if (typeof map !== "object" || map === null || Array.isArray(map)) {
        errors.push(`${where}: must be an object mapping paths to services`);
        return;
      }
      for (const [key, service] of Object.entries(map)) {
        const at = `${where}[${JSON.stringify(key)}]`;
        const segments = key.split("/").filter((s) => s !== "");
        const bad = segments.find((s) => !SEGMENT.test(s) || s === "." || s === "..");
        if (bad !== undefined) {
          errors.push(`${at}: invalid path segment ${JSON.stringify(bad)}`);
          continue;
        }
        if (segments.length === 0 && key !== "/" && key !== "") {
          errors.push(`${at}: invalid path (use "/" for the root)`);
          continue;
        }
        if (typeof service !== "object" || service === null) {
          errors.push(`${at}: must be a service object with a "type"`);
          continue;
        }
        const full = [...parent, ...segments];
        if (service.type === "path") {
          if (segments.length === 0) {
            errors.push(`${at}: a nested "path" service needs a non-root key`);
            continue;
          }
          walk(service.paths, full, `${at}.paths`);
          continue;
        }
        const prefix = full.length === 0 ? "" : `/${full.join("/")}`;
        const previous = seen.get(prefix);
        if (previous !== undefined) {
          errors.push(`${at}: the same path as ${previous}`);
          continue;
        }
        seen.set(prefix, at);
        out.push({ prefix, key: full.length === 0 ? "/" : full.join("/"), service });
      }
    };
    walk(paths, [], "paths");
    if (errors.length > 0) throw new RangeError(errors.join("\n"));
    out.sort((a, b) => b.prefix.length - a.prefix.length);
    this.entries = out;
  }

  /** The entry for a URL path (as in `URL.pathname`), or undefined when none matches. */
  resolve(pathname: string): PathMatch | undefined {
    for (const entry of this.entries) {
      const p = entry.prefix;
      if (p === "" || pathname === p || pathname.startsWith(`${p}/`)) {
        return { entry, rest: pathname.slice(p.length) };
      }
    }
    return undefined;
  }
}
