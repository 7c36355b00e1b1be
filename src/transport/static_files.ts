/**
 * Static files from one directory (Crossbar's `static` web service).
 *
 * Safety: a request can never read outside the directory.
 * - Each path segment is percent-decoded once; a segment that decodes to
 *   `.` or `..`, or holds `/`, `\` or NUL, is refused (403). (The URL parser
 *   has already resolved literal and `%2e%2e` dot segments before we see the
 *   path; this catches `..%2f..` and friends.)
 * - The file's real path (symlinks resolved) must lie inside the directory's
 *   real path: a symlink pointing outside is refused (403); one pointing
 *   elsewhere inside is followed.
 *
 * Behaviour: GET and HEAD (others 405); a directory without a trailing slash
 * is redirected (301) to the slash form, so relative links work; a directory
 * serves its `defaultFile` (default `index.html`), else a listing when
 * enabled, else 403. Missing files are 404. Answers carry the content type
 * (by extension, see `web_content_type.ts`), `Content-Length`,
 * `Last-Modified` and a weak `ETag`, and answer conditional requests with
 * 304.
 *
 * @module
 */

import { errorText } from "./router_call.ts";
import { join, sep } from "node:path";
import { type Logger, nullLogger } from "../log/logger.ts";
import { contentTypeFor } from "./web_content_type.ts";
import { discard, methodNotAllowed, textResponse } from "./web_http.ts";

/** Options of a static file service. Crossbar's names in parentheses. */
export interface StaticFilesOptions {
  /** Answer a directory without a default file with an HTML listing (`enable_directory_listing`). Default false (403). */
  enableDirectoryListing?: boolean;
  /** Extra extension → content type mappings, winning over the built-in table (`mime_types`). Default none. */
  mimeTypes?: Readonly<Record<string, string>>;
  /** `Cache-Control: max-age=<seconds>` on files (`cache_timeout`). Default: no `Cache-Control` header. */
  cacheTimeout?: number | null;
  /** File served for a directory (`default_file`). Default `index.html`. */
  defaultFile?: string;
  /** Where to log. Default: nowhere. */
  logger?: Logger;
}

/** A static file service over one directory. Create it with `createStaticFiles`. */
export class StaticFiles {
  /** The served directory's real path. */
  readonly root: string;
  #listing: boolean;
  #mimeTypes: Readonly<Record<string, string>>;
  #cacheTimeout: number | null;
  #defaultFile: string;
  #log: Logger;

  /** Internal: use `createStaticFiles`, which resolves and checks `root`. */
  constructor(root: string, options: StaticFilesOptions) {
    this.root = root;
    this.#listing = options.enableDirectoryListing ?? false;
    this.#mimeTypes = options.mimeTypes ?? {};
    this.#cacheTimeout = options.cacheTimeout ?? null;
    this.#defaultFile = options.defaultFile ?? "index.html";
    this.#log = options.logger ?? nullLogger;
  }

  /**
   * Answers a request for `rest`, the URL path below the service's mount
   * point, still percent-encoded (`""`, `"/"`, `"/js/app.js"`, ...).
   */
  async handle(req: Request, rest: string): Promise<Response> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      await discard(req);
      return methodNotAllowed(req, "GET, HEAD");
    }
    const segments: string[] = [];
    for (const raw of rest.split("/")) {
      if (raw === "") continue;
      let seg: string;
      try {
        seg = decodeURIComponent(raw);
      } catch {
        return textResponse(400, "malformed percent-encoding in the URL path");
      }
      if (seg === "." || seg === ".." || /[/\\\0]/.test(seg)) {
        this.#log.log("info", "static: refused path", { path: rest });
        return textResponse(403, "forbidden path");
      }
      segments.push(seg);
    }
    try {
      const target = await this.#inside(join(this.root, ...segments));
      if (target === undefined) return textResponse(403, "forbidden: outside the served directory");
      const stat = await Deno.stat(target);
      if (stat.isDirectory) {
        if (!rest.endsWith("/")) {
          const url = new URL(req.url);
          // One leading slash only: "//host/x" (or "/\\host") would be another site.
          const path = "/" + url.pathname.replace(/^[/\\]+/, "");
          return new Response(null, {
            status: 301,
            headers: { location: `${path}/${url.search}` },
          });
        }
        const index = await this.#inside(join(target, this.#defaultFile)).catch(() => undefined);
        if (index !== undefined) {
          const indexStat = await Deno.stat(index).catch(() => undefined);
          if (indexStat?.isFile) return await this.#file(req, index, indexStat);
        }
        if (!this.#listing) return textResponse(403, "forbidden: directory listing is disabled");
        return await this.#list(req, target, segments);
      }
      if (!stat.isFile) return textResponse(403, "forbidden: not a regular file");
      return await this.#file(req, target, stat);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
        return textResponse(404, "not found");
      }
      if (err instanceof Deno.errors.PermissionDenied) return textResponse(403, "forbidden");
      this.#log.log("error", "static: cannot serve a file", { path: rest, error: errorText(err) });
      return textResponse(500, "internal error");
    }
  }

  /** The real path of `path` when it lies inside the root, else undefined. Throws NotFound. */
  async #inside(path: string): Promise<string | undefined> {
    const real = await Deno.realPath(path);
    if (
      real === this.root || real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)
    ) {
      return real;
    }
    this.#log.log("warn", "static: refused a path that resolves outside the served directory", {
      path,
    });
    return undefined;
  }

  async #file(req: Request, path: string, stat: Deno.FileInfo): Promise<Response> {
    const headers = new Headers();
    headers.set("content-type", contentTypeFor(path, this.#mimeTypes));
    const mtime = stat.mtime;
    const etag = `W/"${stat.size.toString(16)}-${(mtime?.getTime() ?? 0).toString(16)}"`;
    headers.set("etag", etag);
    if (mtime !== null) headers.set("last-modified", mtime.toUTCString());
    if (this.#cacheTimeout !== null) headers.set("cache-control", `max-age=${this.#cacheTimeout}`);
    if (notModified(req, etag, mtime)) return new Response(null, { status: 304, headers });
    headers.set("content-length", String(stat.size));
    if (req.method === "HEAD") return new Response(null, { status: 200, headers });
    const file = await Deno.open(path, { read: true });
    return new Response(file.readable, { status: 200, headers });
  }

  async #list(req: Request, dir: string, segments: string[]): Promise<Response> {
    const entries: { name: string; dir: boolean }[] = [];
    for await (const e of Deno.readDir(dir)) {
      let isDir = e.isDirectory;
      if (e.isSymlink) {
        isDir = (await Deno.stat(join(dir, e.name)).catch(() => undefined))?.isDirectory ?? false;
      }
      entries.push({ name: e.name, dir: isDir });
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const title = `Index of /${segments.map(escapeHtml).join("/")}`;
    const rows = entries.map((e) => {
      const href = encodeURIComponent(e.name) + (e.dir ? "/" : "");
      return `<li><a href="${href}">${escapeHtml(e.name)}${e.dir ? "/" : ""}</a></li>`;
    });
    if (segments.length > 0) rows.unshift(`<li><a href="../">../</a></li>`);
    const html =
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n` +
      `<body><h1>${title}</h1>\n<ul>\n${rows.join("\n")}\n</ul></body></html>\n`;
    const headers = { "content-type": "text/html; charset=utf-8" };
    return new Response(req.method === "HEAD" ? null : html, { status: 200, headers });
  }
}

/**
 * Serves `directory` (made absolute against `baseDir` when relative).
 * Rejects with an `Error` naming the directory when it does not exist or is
 * not a directory.
 */
export async function createStaticFiles(
  directory: string,
  options: StaticFilesOptions & { baseDir?: string } = {},
): Promise<StaticFiles> {
  const path = options.baseDir !== undefined ? join(options.baseDir, directory) : directory;
  let root: string;
  try {
    root = await Deno.realPath(path);
  } catch (err) {
    throw new Error(`static directory "${path}" cannot be used: ${errorText(err)}`);
  }
  const stat = await Deno.stat(root);
  if (!stat.isDirectory) throw new Error(`static directory "${path}" is not a directory`);
  return new StaticFiles(root, options);
}

function notModified(req: Request, etag: string, mtime: Date | null): boolean {
  const inm = req.headers.get("if-none-match");
  if (inm !== null) {
    return inm.split(",").some((t) => {
      const v = t.trim();
      return v === "*" || v === etag || `W/${v}` === etag;
    });
  }
  const ims = req.headers.get("if-modified-since");
  if (ims !== null && mtime !== null) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  )
    .replace(/'/g, "&#39;");
}
