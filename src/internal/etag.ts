/**
 * Entity-tag comparison (RFC 9110 §8.8.3.2), written once: the static
 * handler's preconditions and the `etag` middleware's `If-None-Match` use it.
 *
 * @module
 */

/**
 * True when an `If-None-Match` / `If-Match` list matches `etag`.
 * `weak` selects weak comparison (If-None-Match): `W/"x"` matches `"x"`.
 * Strong comparison (If-Match, If-Range) never matches a weak tag.
 * `*` matches any current representation.
 *
 * @example
 * ```ts
 * import { etagListMatches } from "./etag.ts";
 * etagListMatches('W/"a", "b"', '"a"', true); // true: weak comparison
 * etagListMatches('W/"a"', '"a"', false); // false: a weak tag never matches strongly
 * ```
 */
export function etagListMatches(header: string, etag: string, weak: boolean): boolean {
  const trimmed = header.trim();
  if (trimmed === "*") return true;
  // Compare the opaque part only: a weak current tag matches its strong form under weak comparison.
  const opaque = etag.startsWith("W/") ? etag.slice(2) : etag;
  if (!weak && etag.startsWith("W/")) return false;
  let at = 0;
  const length = header.length;
  while (at < length) {
    let code = header.charCodeAt(at);
    if (code === 0x20 || code === 0x09 || code === 0x2c /* , */) {
      at++;
      continue;
    }
    let isWeak = false;
    if (code === 0x57 /* W */ && header.charCodeAt(at + 1) === 0x2f /* / */) {
      isWeak = true;
      at += 2;
      code = header.charCodeAt(at);
    }
    if (code !== 0x22 /* " */) {
      // Not an entity-tag: skip to the next comma (lenient with broken clients).
      const comma = header.indexOf(",", at);
      at = comma === -1 ? length : comma + 1;
      continue;
    }
    const close = header.indexOf('"', at + 1);
    if (close === -1) return false;
    if ((weak || !isWeak) && close - at + 1 === opaque.length && header.startsWith(opaque, at)) return true;
    at = close + 1;
  }
  return false;
}
