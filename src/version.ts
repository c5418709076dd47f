/**
 * The package version, as `fetchkit --version` prints it (a test keeps it
 * equal to package.json's and deno.json's).
 *
 * @module
 */

/** This release of fetchkit. */
export const VERSION = "0.1.0";
