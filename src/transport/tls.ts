/**
 * TLS material for listening endpoints: the PEM private key and certificate
 * (plus intermediate certificates) named in the config, read from files
 * relative to the node directory, with errors that name the file.
 *
 * ```ts
 * const creds = await loadTlsCredentials(
 *   { key: "server.key", certificate: "server.crt" },
 *   { baseDir: "/srv/node/.crossbar" },
 * );
 * const listener = Deno.listenTls({ port: 443, ...creds });
 * ```
 *
 * @module
 */

import { isAbsolute, resolve } from "../posix_path.ts";

/** Where the key and certificates are: file paths, or PEM text itself. */
export interface TlsFiles {
  /** The PEM private key: a file path (relative to `baseDir`), or the PEM text. */
  key: string;
  /** The PEM certificate: a file path (relative to `baseDir`), or the PEM text. */
  certificate: string;
  /** Intermediate certificates sent after `certificate`: paths or PEM texts. Default none. */
  chainCertificates?: readonly string[];
}

/** What `Deno.listenTls` takes: PEM texts. */
export interface TlsCredentials {
  /** PEM private key. */
  key: string;
  /** PEM certificate chain: the certificate, then the intermediates. */
  cert: string;
}

/** A key or certificate that cannot be used; the message names the file. */
export class TlsConfigError extends Error {
  /** @param message what is wrong, naming the file */
  constructor(message: string) {
    super(message);
    this.name = "TlsConfigError";
  }
}

/** Options of `loadTlsCredentials`. */
export interface LoadTlsOptions {
  /** Directory relative paths are resolved against (the node directory). Default: the working directory. */
  baseDir?: string;
}

const PEM_BEGIN = "-----BEGIN ";

/**
 * Reads the key and certificates. A value containing `-----BEGIN ` is taken
 * as PEM text; anything else is a file path.
 *
 * @throws TlsConfigError naming the path when a file is missing or
 *   unreadable, or holds no PEM private key / certificate
 */
export async function loadTlsCredentials(
  files: TlsFiles,
  options: LoadTlsOptions = {},
): Promise<TlsCredentials> {
  const key = await readPem("key", files.key, options.baseDir);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.text)) {
    throw new TlsConfigError(
      `TLS key ${key.where}: no PEM private key found (expected a "-----BEGIN ... PRIVATE KEY-----" block)`,
    );
  }
  const parts: string[] = [];
  const certs = [files.certificate, ...(files.chainCertificates ?? [])];
  for (let i = 0; i < certs.length; i++) {
    const what = i === 0 ? "certificate" : `chain certificate ${i}`;
    const cert = await readPem(what, certs[i], options.baseDir);
    if (!cert.text.includes("-----BEGIN CERTIFICATE-----")) {
      throw new TlsConfigError(
        `TLS ${what} ${cert.where}: no PEM certificate found (expected a "-----BEGIN CERTIFICATE-----" block)`,
      );
    }
    parts.push(cert.text.endsWith("\n") ? cert.text : `${cert.text}\n`);
  }
  return { key: key.text, cert: parts.join("") };
}

/** Describes where a TLS value came from, for error messages: `"/abs/path"` or `(inline PEM)`. */
export function describeTlsSource(value: string, baseDir?: string): string {
  if (value.includes(PEM_BEGIN)) return "(inline PEM)";
  return `"${isAbsolute(value) ? value : resolve(baseDir ?? Deno.cwd(), value)}"`;
}

async function readPem(
  what: string,
  value: string,
  baseDir: string | undefined,
): Promise<{ text: string; where: string }> {
  if (value.includes(PEM_BEGIN)) return { text: value, where: "(inline PEM)" };
  if (value === "") throw new TlsConfigError(`TLS ${what}: no file name given`);
  const path = isAbsolute(value) ? value : resolve(baseDir ?? Deno.cwd(), value);
  try {
    return { text: await Deno.readTextFile(path), where: `"${path}"` };
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "file not found"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new TlsConfigError(`TLS ${what} "${path}": cannot read: ${why}`);
  }
}
