/**
 * The xbar version.
 *
 * @module
 */

/** The xbar version (semver). */
export const XBAR_VERSION = "0.1.0";
