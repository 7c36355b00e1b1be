/**
 * Name and URI patterns of Crossbar's config checker, shared by the section
 * validators.
 *
 * @module
 */

/** Ids of workers, transports, components, rlinks and the node (Crossbar `check_id`). */
export const ID = /^[a-z][a-z0-9_]{2,63}$/;
/** How {@link ID} is described in errors. */
export const ID_TEXT = "an id of 3-64 characters a-z, 0-9, _ starting with a letter";

/** Realm names (Crossbar `check_realm_name`). */
export const REALM = /^[A-Za-z][A-Za-z0-9_\-@.]{2,254}$/;
/** How {@link REALM} is described in errors. */
export const REALM_TEXT =
  "a realm name of 3-255 characters A-Z, a-z, 0-9, _ - @ . starting with a letter";

/** Procedure URIs (authorizers, authenticators): strict, non-empty components. */
export const STRICT_URI = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
/** How {@link STRICT_URI} is described in errors. */
export const STRICT_URI_TEXT =
  "a strict WAMP URI (lowercase a-z, 0-9, _ components separated by dots)";

/** Permission and history URIs under `uri_check: strict`: strict components, any may be empty. */
export const PATTERN_URI = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]*)$/;

/**
 * Permission and history URIs under `uri_check: loose` (the default; Crossbar's
 * `_URI_PAT_LOOSE_EMPTY`): components without whitespace, `.` or `#`, any may be empty.
 */
export const LOOSE_PATTERN_URI = /^(([^\s.#]+\.)|\.)*([^\s.#]*)$/;

/** Web transport path keys (Crossbar `_WEB_PATH_PAT_STR`). */
export const WEB_PATH = /^([a-z0-9A-Z_\-]+|\/)$/;

/** An Ed25519 key in hex (32 bytes). */
export const HEX32 = /^[0-9a-fA-F]{64}$/;
