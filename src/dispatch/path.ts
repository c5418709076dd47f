/**
 * Where the raw path of `request.url` ends, checked in the same scan: no
 * `new URL()` per request, no decoding. A path the URL parser would still
 * rewrite (a raw target from Deno's server) is reported, so dispatch can
 * parse that one once.
 *
 * @module
 */

/** {@linkcode pathEnd}: the path holds a `%` not followed by two hex digits. */
export const malformed = -1;
/**
 * {@linkcode pathEnd}: the path holds what the URL parser would rewrite (a dot
 * segment, a backslash, a character it percent-encodes). Node and Bun hand
 * over parsed URLs, but Deno's server gives the request target raw, so
 * `/static/../admin` would otherwise reach the `/static` mount.
 */
export const unparsed = -2;

/** What each ASCII character means to {@linkcode pathEnd}: one table lookup per character. */
const plain = 0;
const ends = 1; // "?" or "#"
const escape = 2; // "%"
const slash = 3;
const unsafe = 4; // what the URL parser would percent-encode or rewrite
const kinds = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  kinds[code] = char === "?" || char === "#"
    ? ends
    : char === "%"
    ? escape
    : char === "/"
    ? slash
    : /[A-Za-z0-9\-._~!$&'()*+,;=:@|[\]]/.test(char) // what the URL parser leaves as is in a path
    ? plain
    : unsafe;
}

/**
 * Index just past the path (the `?`, the `#` or the URL's length), or
 * {@linkcode malformed}, or {@linkcode unparsed} (never when `parsed`: the
 * caller knows the URL parser made it).
 */
export function pathEnd(url: string, start: number, parsed = false): number {
  const length = url.length;
  let i = start;
  for (; i < length; i++) {
    const code = url.charCodeAt(i);
    const kind = code < 128 ? kinds[code] : unsafe;
    if (kind === plain) continue;
    if (kind === ends) break;
    if (kind === escape) {
      if (!(isHex(url.charCodeAt(i + 1)) && isHex(url.charCodeAt(i + 2)))) return malformed;
    } else if (parsed) {
      continue;
    } else if (kind === unsafe) {
      return unparsed;
    } else {
      // A segment starting with "." or "%2e" may be a dot segment ("/.well-known" turns out to be none).
      const next = url.charCodeAt(i + 1);
      if (next === 46 || (next === 37 && url.charCodeAt(i + 2) === 50 && (url.charCodeAt(i + 3) | 32) === 101)) {
        return unparsed;
      }
    }
  }
  return i;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102);
}

/** The 400 for a path dispatch cannot read. */
export function badPath(reason: string): Response {
  return new Response(`Bad Request: ${reason}\n`, {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}
