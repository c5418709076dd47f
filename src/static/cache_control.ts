/**
 * The default Cache-Control policy: fingerprinted names never change, so they
 * are cached for a year as `immutable`; anything else is revalidated on every
 * use (cheap: a 304 from the ETag).
 *
 * @module
 */

/** Cache-Control for fingerprinted file names. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Cache-Control for everything else: cache, but revalidate before each use. */
const REVALIDATE = "public, no-cache";

/**
 * Names carrying a content hash: `app.3f2a9c1b.js`, `chunk-5d41402abc4b2a76.css`
 * (8+ hex digits with a digit and a letter), or the mixed-case base64url
 * hashes of Vite and Rollup (`index-BGtDm5c1.js`: upper, lower and a digit).
 */
export const FINGERPRINT: RegExp =
  /[.-](?:(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}|(?=[\w-]*[0-9])(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{8,12})\.\w+$/;

/** The default policy for a path (relative to the root). */
export function defaultCacheControl(path: string, immutable: RegExp | false): string {
  return immutable !== false && immutable.test(path) ? IMMUTABLE : REVALIDATE;
}
