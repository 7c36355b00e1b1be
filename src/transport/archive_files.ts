/**
 * Files served from a ZIP archive (Crossbar's `archive` web service).
 *
 * - The archive is a file (relative to the base directory). When it is
 *   missing and an `origin` (http/https URL) is given with `download`, it is
 *   downloaded there first. With `hashes`, its SHA-256 must be one of them.
 * - A request for `<rest>` looks up `<object_prefix>/<rest>`; an empty path
 *   or one ending in `/` gets `default_object` appended first; a name not in
 *   the archive falls back to `options.default_file` (once), else 404.
 * - GET and HEAD (others 405); the content type comes from the extension
 *   (`mime_types` first; their keys may span several dots, like `.min.js`).
 * - With `cache`, a file is decompressed once and kept in memory; without, on
 *   every request (the archive itself stays in memory either way).
 *
 * @module
 */

import { resolve } from "node:path";
import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import type { Logger } from "../log/logger.ts";
import { contentTypeFor } from "./web_content_type.ts";

/** Options of {@link openArchive}. */
export interface ArchiveOptions {
  /** The archive file; relative paths are relative to `baseDir`. */
  archive: string;
  /** Base directory (the node directory). Default: the working directory. */
  baseDir?: string;
  /** Where to download the archive from when it is missing (with `download`). */
  origin?: string;
  /** Download a missing archive from `origin`. Default false. */
  download?: boolean;
  /** Accepted SHA-256 fingerprints (hex); none: not verified. */
  hashes?: string[];
  /** Keep decompressed files in memory. Default false. */
  cache?: boolean;
  /** Appended to a request path that is empty or ends in `/`. */
  defaultObject?: string;
  /** Directory inside the archive that request paths are relative to. */
  objectPrefix?: string;
  /** Extension → content type, over the built-in table. */
  mimeTypes?: Record<string, string>;
  /** Served for names not in the archive. */
  defaultFile?: string;
  /** Where to log. */
  logger?: Logger;
}

/** An opened archive. */
export interface ArchiveFiles {
  /** The archive file (absolute). */
  readonly file: string;
  /** Names in the archive (files only). */
  readonly names: ReadonlySet<string>;
  /** Answers `req` for path `rest` below the service's path. */
  handle(req: Request, rest: string): Response;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function readOrDownload(file: string, o: ArchiveOptions): Promise<Uint8Array> {
  try {
    return await Deno.readFile(file);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (!o.origin || !o.download) {
    throw new Error(
      `archive ${file} does not exist${
        o.origin ? ` (origin ${o.origin} is given, but not download: true)` : ""
      }`,
    );
  }
  const url = new URL(o.origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`origin must be an http or https URL, got ${o.origin}`);
  }
  o.logger?.log("info", "downloading archive", { origin: o.origin, file });
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`downloading ${o.origin} failed: HTTP ${res.status}`);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  await Deno.writeFile(file, bytes);
  return bytes;
}

/** Content type by the longest matching extension of `mimeTypes`, else by the last extension. */
function typeOf(name: string, mimeTypes: Record<string, string>): string {
  const lower = name.toLowerCase();
  let best: [string, string] | undefined;
  for (const [k, v] of Object.entries(mimeTypes)) {
    const ext = (k.startsWith(".") ? k : `.${k}`).toLowerCase();
    if (lower.endsWith(ext) && (!best || ext.length > best[0].length)) best = [ext, v];
  }
  return best ? best[1] : contentTypeFor(name);
}

/** Reads (or downloads), verifies and indexes the archive. Rejects with what is wrong. */
export async function openArchive(o: ArchiveOptions): Promise<ArchiveFiles> {
  const file = resolve(o.baseDir ?? Deno.cwd(), o.archive);
  const bytes = await readOrDownload(file, o);
  if (o.hashes && o.hashes.length > 0) {
    const h = sha256(bytes);
    if (!o.hashes.map((x) => x.toLowerCase()).includes(h)) {
      throw new Error(
        `archive ${file} has SHA-256 ${h}, which is not one of the configured hashes`,
      );
    }
  } else o.logger?.log("warn", "archive is not verified (no hashes)", { file });
  const names = new Set<string>();
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith("/")) names.add(f.name);
        return false;
      },
    });
  } catch (err) {
    throw new Error(
      `archive ${file} is not a readable ZIP file: ${err instanceof Error ? err.message : err}`,
    );
  }
  const cache = new Map<string, Uint8Array>();
  const mimeTypes = o.mimeTypes ?? {};
  const prefix = (o.objectPrefix ?? "").replace(/^\/+|\/+$/g, "");

  const lookup = (path: string): string => {
    let p = path.replace(/^\/+/, "");
    if ((p === "" || p.endsWith("/")) && o.defaultObject) p += o.defaultObject;
    return prefix ? `${prefix}/${p}` : p;
  };
  const read = (name: string): Uint8Array => {
    const hit = cache.get(name);
    if (hit) return hit;
    const data = unzipSync(bytes, { filter: (f) => f.name === name })[name] ?? new Uint8Array();
    if (o.cache) cache.set(name, data);
    return data;
  };

  return {
    file,
    names,
    handle(req: Request, rest: string): Response {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("method not allowed\n", {
          status: 405,
          headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
        });
      }
      let path: string;
      try {
        path = decodeURIComponent(rest);
      } catch {
        return new Response("bad request\n", { status: 400 });
      }
      let name = lookup(path);
      if (!names.has(name) && o.defaultFile) name = lookup(o.defaultFile);
      if (!names.has(name)) {
        return new Response("not found\n", {
          status: 404,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      }
      const data = read(name);
      const headers = {
        "content-type": typeOf(name, mimeTypes),
        "content-length": String(data.length),
      };
      const body = req.method === "HEAD" ? null : (data as Uint8Array<ArrayBuffer>);
      return new Response(body, { status: 200, headers });
    },
  };
}
