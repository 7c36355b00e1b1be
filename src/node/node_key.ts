/**
 * The node key: an Ed25519 key pair in the node directory, as Crossbar keeps
 * it — `key.priv` (mode 0600, with the private seed) and `key.pub` — created
 * on first start (or by `xbar init`) with WebCrypto.
 *
 * File format (Crossbar's tagged text):
 * ```
 * xbar node private key - KEEP THIS SAFE!
 *
 * creator: xbar
 * created-at: 2026-01-01T00:00:00.000Z
 * public-key-ed25519: <64 hex>
 * private-key-ed25519: <64 hex>
 * ```
 *
 * @module
 */

import { join } from "../posix_path.ts";
import { generateLinkKey } from "../router/link/link_identity.ts";

/** File name of the private key. */
export const PRIVATE_KEY_FILE = "key.priv";
/** File name of the public key. */
export const PUBLIC_KEY_FILE = "key.pub";

/** The node key. */
export interface NodeKey {
  /** Public key, 64 lower-case hex characters. */
  publicKey: string;
  /** Private seed, 64 lower-case hex characters. */
  privateKey: string;
  /** True when this call created the key. */
  created: boolean;
}

function parseTags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([a-z0-9-]+):\s*(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}

/** Generates a fresh Ed25519 key pair: `{publicKey, privateKey}` as hex (the node key is the routers' link key). */
export function generateKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return generateLinkKey();
}

/**
 * Reads the node key from `dir`, creating it when absent. Throws with the
 * file name when an existing key file is unreadable or malformed; warns
 * through `onWarning` when `key.priv` is readable by others.
 */
export async function loadOrCreateNodeKey(
  dir: string,
  onWarning?: (message: string) => void,
): Promise<NodeKey> {
  const privPath = join(dir, PRIVATE_KEY_FILE);
  const pubPath = join(dir, PUBLIC_KEY_FILE);
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(privPath);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new Error(
        `cannot read node key "${privPath}": ${err instanceof Error ? err.message : err}`,
      );
    }
  }
  if (text !== undefined) {
    const tags = parseTags(text);
    const pub = tags["public-key-ed25519"];
    const priv = tags["private-key-ed25519"];
    if (!/^[0-9a-f]{64}$/i.test(pub ?? "") || !/^[0-9a-f]{64}$/i.test(priv ?? "")) {
      throw new Error(
        `node key "${privPath}" is malformed: expected "public-key-ed25519" and "private-key-ed25519" lines of 64 hex characters`,
      );
    }
    try {
      const mode = (await Deno.stat(privPath)).mode;
      if (mode !== null && (mode & 0o077) !== 0) {
        onWarning?.(
          `node key "${privPath}" is readable by others (mode ${
            (mode & 0o777).toString(8)
          }); chmod 600 it`,
        );
      }
    } catch {
      // stat failed after a successful read: ignore
    }
    return { publicKey: pub.toLowerCase(), privateKey: priv.toLowerCase(), created: false };
  }
  const { publicKey, privateKey } = await generateKeyPair();
  const created = new Date().toISOString();
  const header = (kind: string) =>
    `xbar node ${kind} key${kind === "private" ? " - KEEP THIS SAFE!" : ""}\n\n`;
  const common = `creator: xbar\ncreated-at: ${created}\npublic-key-ed25519: ${publicKey}\n`;
  await Deno.writeTextFile(
    privPath,
    `${header("private")}${common}private-key-ed25519: ${privateKey}\n`,
    {
      mode: 0o600,
      createNew: true,
    },
  );
  await Deno.chmod(privPath, 0o600); // the umask may have narrowed it; never widened
  await Deno.writeTextFile(pubPath, `${header("public")}${common}`, { mode: 0o644 });
  return { publicKey, privateKey, created: true };
}
