/**
 * Content types of static files, by file extension.
 *
 * @module
 */

/** Extension (lower case, with the dot) → content type. Text types carry `charset=utf-8`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".yaml": "application/yaml; charset=utf-8",
  ".yml": "application/yaml; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/vnd.microsoft.icon",
  ".bmp": "image/bmp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".eot": "application/vnd.ms-fontobject",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
});

/** The fallback for unknown extensions. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * The content type of `fileName`, from its extension (case-insensitive).
 * `extra` (extension → type, e.g. `{".md": "text/plain"}`, the dot optional)
 * wins over the built-in table.
 */
export function contentTypeFor(
  fileName: string,
  extra: Readonly<Record<string, string>> = {},
): string {
  const dot = fileName.lastIndexOf(".");
  if (dot <= 0 || dot === fileName.length - 1) return DEFAULT_CONTENT_TYPE;
  const ext = fileName.slice(dot).toLowerCase();
  for (const [key, type] of Object.entries(extra)) {
    const k = key.startsWith(".") ? key.toLowerCase() : `.${key.toLowerCase()}`;
    if (k === ext) return type;
  }
  return CONTENT_TYPES[ext] ?? DEFAULT_CONTENT_TYPE;
}
