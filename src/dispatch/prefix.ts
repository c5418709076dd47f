/**
 * Mount prefixes: checked once at construction, so dispatch can compare raw
 * request paths with plain string equality.
 *
 * @module
 */

import { canonicalPath } from "../internal/canonical_path.ts";
import { describe } from "../internal/describe.ts";

/** Characters the URL parser leaves as they are in a path (RFC 3986 pchar and `/`). */
const pathSafe = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/**
 * Checks a mount prefix and returns it in the canonical form requests are
 * matched in (percent-encoded, NFC, so `/café` becomes `/caf%C3%A9`).
 *
 * The slash rule is Django's `django.root` rule: a prefix starts with `/`
 * and does not end with `/` (except the root `/`), because the slash after
 * the prefix belongs to the mounted app's path. Empty and dot segments are
 * rejected too: the URL parser removes them from every request path, so such
 * a prefix could never match.
 */
export function normalizePrefix(prefix: unknown, where: string): string {
  if (typeof prefix !== "string") throw new TypeError(`${where}: a prefix must be a string, got ${describe(prefix)}`);
  if (prefix === "/") return prefix;
  const segments = prefix.split("/");
  const wellFormed = segments[0] === "" && segments.length > 1 &&
    segments.slice(1).every((segment) => segment !== "" && segment !== "." && segment !== "..") &&
    !/[?#\\]/.test(prefix);
  if (!wellFormed) {
    const corrected = "/" + prefix.replace(/[?#].*$/s, "").split(/[\\/]+/)
      .filter((segment) => segment !== "" && segment !== "." && segment !== "..").join("/");
    throw new TypeError(
      `${where}: prefix ${JSON.stringify(prefix)} must start with "/", not end with "/" and have no empty, ` +
        `"." or ".." segments, nor "?", "#" or "\\"; write ${JSON.stringify(corrected)}`,
    );
  }
  // Requests are matched in canonical form (src/internal/canonical_path.ts): so is the prefix, which
  // makes `/café` (NFC or NFD) and `/%61dmin` match what requests for them arrive as.
  const encoded = pathSafe.test(prefix) ? prefix : canonicalPath(prefix);
  const encodedSegments = encoded?.split("/") ?? [];
  if (encodedSegments.length !== segments.length || encodedSegments.slice(1).includes("")) {
    // `%2e%2e` is a dot segment to the URL parser; `%zz` is answered 400 before any match.
    throw new TypeError(
      `${where}: prefix ${JSON.stringify(prefix)} has an encoded dot segment or a malformed "%" escape`,
    );
  }
  return encoded!;
}

/**
 * Appends a declared route part to the route so far, for
 * `context(request).route`: `/api` + `/users` is `/api/users`, the root adds
 * nothing, and a non-path part (a RegExp) is joined with a space.
 */
export function joinRoute(outer: string, part: string): string {
  if (outer === "" || outer === "/") return part;
  if (part === "/" || part === "") return outer;
  return part.charCodeAt(0) === 47 /* / */ ? outer + part : `${outer} ${part}`;
}
