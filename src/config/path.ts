/**
 * Config paths: where a value sits in the config, as a list of keys and
 * indices, and its printed form `workers[0].transports[1].endpoint.port`.
 *
 * @module
 */

/** A path into a config value: object keys and list indices. */
export type ConfigPath = readonly (string | number)[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Formats a path: identifiers as `.key`, other keys as `["key"]`, indices as
 * `[n]`; the empty path is `""`.
 *
 * `formatPath(["workers", 0, "transports", 1, "paths", "/"])` →
 * `workers[0].transports[1].paths["/"]`
 */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
