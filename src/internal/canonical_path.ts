/**
 * The one canonical form of a request path, used by every part of fetchkit
 * that reads a path: the dispatchers match on it, `serveStatic` resolves
 * files from it, `profile` finds its page by it. Two parts that read the same
 * request therefore cannot disagree on where it points: `//admin`,
 * `/%61dmin`, `/./admin` and `/ADMIN%2F` reach `/admin` for all of them or
 * for none (the bypass class of Hono GHSA-wmmm-f939-6g9c and h3
 * CVE-2026-33490, where the router and the file server read one path two
 * ways).
 *
 * The policy, applied to the raw (percent-encoded) path:
 * - `\` is a separator, as the URL parser reads it in `http:` URLs;
 * - runs of `/` collapse to one, `.` segments go, `..` removes the segment
 *   before it and never climbs above the root (RFC 3986 §5.2.4), after
 *   decoding: `%2e%2e` is `..` as the URL parser has it;
 * - an escape of an unreserved character is decoded (`%61` is `a`), every
 *   other escape keeps its meaning with upper-case hex (RFC 3986 §6.2.2.1–2):
 *   `%2F` stays an encoded `/`, never a separator;
 * - a segment holding non-ASCII text (escaped UTF-8 or raw, as Deno hands a
 *   target over) is normalised to Unicode NFC and encoded as UTF-8, so `é`
 *   and `e` + U+0301 are one name; invalid UTF-8 is kept escaped;
 * - what the URL parser would percent-encode (spaces, `"`, `<`, `^`, controls)
 *   is encoded; a `%` not followed by two hex digits makes the path malformed.
 *
 * The trailing slash is kept (`/docs/` is a directory, `/docs` is not).
 * Why rewrite instead of refusing: clients and proxies do send `//x` and
 * lower-case escapes; answering them as their canonical twin keeps them
 * working, and the raw target stays in `context(request).originalUrl`.
 *
 * @module
 */

/** {@linkcode canonicalEnd}: the path holds a `%` not followed by two hex digits. */
export const MALFORMED = -1;
/** {@linkcode canonicalEnd}: the path is not in canonical form; {@linkcode canonicalPath} makes it so. */
export const NOT_CANONICAL = -2;

const PLAIN = 0; // stays as it is in a canonical path
const ENDS = 1; // "?" or "#": the path ends
const ESCAPE = 2; // "%"
const SLASH = 3;
const ENCODE = 4; // percent-encoded in a canonical path (or "\", a separator)

/** What each ASCII character is to a canonical path: one table lookup per character. */
const kinds = new Uint8Array(128);
/** Unreserved characters (RFC 3986 §2.3): their escapes are decoded. */
const unreserved = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  // The URL parser keeps RFC 3986 pchar as they are in a path, and `|`, `[`, `]` as well.
  kinds[code] = char === "?" || char === "#"
    ? ENDS
    : char === "%"
    ? ESCAPE
    : char === "/"
    ? SLASH
    : /[A-Za-z0-9\-._~!$&'()*+,;=:@|[\]]/.test(char)
    ? PLAIN
    : ENCODE;
  unreserved[code] = /[A-Za-z0-9\-._~]/.test(char) ? 1 : 0;
}

/**
 * Index just past the path that starts at `start` (its `?`, its `#` or the
 * end of `url`) when the path is already canonical; {@linkcode MALFORMED} or
 * {@linkcode NOT_CANONICAL} otherwise. One scan, no allocation: the hot path
 * of every dispatch and static lookup.
 */
export function canonicalEnd(url: string, start: number): number {
  const length = url.length;
  let i = start;
  for (; i < length; i++) {
    const code = url.charCodeAt(i);
    const kind = code < 128 ? kinds[code] : ENCODE;
    if (kind === PLAIN) continue;
    if (kind === ENDS) break;
    if (kind === ESCAPE) {
      const high = hexValue(url.charCodeAt(i + 1));
      const low = hexValue(url.charCodeAt(i + 2));
      if (high < 0 || low < 0) return MALFORMED;
      // Canonical: upper-case hex of an ASCII character that is not unreserved. Non-ASCII bytes
      // need the NFC check of the slow path.
      if (high > 7 || unreserved[high * 16 + low] || !isUpperHex(url, i + 1) || !isUpperHex(url, i + 2)) {
        return NOT_CANONICAL;
      }
      i += 2;
    } else if (kind === SLASH) {
      const next = url.charCodeAt(i + 1);
      if (next === 47 /* / */) return NOT_CANONICAL;
      if (next === 46 /* . */) {
        // "/." or "/.." followed by the end of the segment is a dot segment; "/.well-known" is none.
        let after = i + 2;
        if (url.charCodeAt(after) === 46) after++;
        if (after >= length || isSegmentEnd(url.charCodeAt(after))) return NOT_CANONICAL;
      }
    } else {
      return NOT_CANONICAL;
    }
  }
  return i;
}

/**
 * The canonical form of a raw path (from its leading `/` up to, not
 * including, any `?` or `#`), or `undefined` when it is malformed (a bad
 * `%` escape, a lone surrogate). Idempotent; whatever `canonicalEnd`
 * accepts, it returns unchanged.
 *
 * @example
 * ```ts
 * canonicalPath("//admin/./%61%2fb/../x/"); // "/admin/x/"
 * ```
 */
export function canonicalPath(path: string): string | undefined {
  const segments: string[] = [];
  let directory = false; // the path ends with a "/" (after dot segments are resolved)
  let start = 0;
  const length = path.length;
  while (start <= length) {
    let end = start;
    while (end < length && path.charCodeAt(end) !== 47 && path.charCodeAt(end) !== 92 /* \ */) end++;
    if (end > start) {
      const segment = canonicalSegment(path.slice(start, end));
      if (segment === undefined) return undefined;
      if (segment === "..") {
        segments.pop();
        directory = true;
      } else if (segment === ".") {
        directory = true;
      } else {
        segments.push(segment);
        directory = false;
      }
    } else if (end === length && start > 0) {
      directory = true; // the path ends with a separator
    }
    start = end + 1;
  }
  if (segments.length === 0) return "/";
  return "/" + segments.join("/") + (directory ? "/" : "");
}

/**
 * The canonical URL of a request URL: `url` itself when its path is
 * canonical (no copy), else the URL with its path replaced by
 * {@linkcode canonicalPath}; `undefined` when the path is malformed or there
 * is none. Scheme, authority and query are left as they are.
 */
export function canonicalUrl(url: string, start: number): string | undefined {
  if (start < 0) return undefined;
  const end = canonicalEnd(url, start);
  if (end >= 0) return url;
  if (end === MALFORMED) return undefined;
  const stop = pathStop(url, start);
  const path = canonicalPath(url.slice(start, stop));
  return path === undefined ? undefined : url.slice(0, start) + path + url.slice(stop);
}

/**
 * The canonical path of a request URL whose path starts at `start`, without
 * query; `undefined` when malformed or there is none.
 */
export function canonicalPathOf(url: string, start: number): string | undefined {
  if (start < 0) return undefined;
  const end = canonicalEnd(url, start);
  if (end >= 0) return url.slice(start, end);
  if (end === MALFORMED) return undefined;
  return canonicalPath(url.slice(start, pathStop(url, start)));
}

/** Index of the `?` or `#` that ends the path starting at `start`, or the URL's length. */
export function pathStop(url: string, start: number): number {
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 63 /* ? */ || code === 35 /* # */) return i;
  }
  return url.length;
}

/**
 * One segment in canonical form. Escapes of ASCII characters that are not
 * unreserved stay escaped and split the segment into pieces: NFC applies to
 * the text between them, so an encoded `%2F` or `%3D` never combines with
 * what follows it.
 */
function canonicalSegment(raw: string): string | undefined {
  let out = "";
  let text = ""; // decoded text since the last kept escape, awaiting NFC
  let i = 0;
  const length = raw.length;
  while (i < length) {
    const code = raw.charCodeAt(i);
    if (code !== 37 /* % */) {
      text += raw[i++];
      continue;
    }
    const high = hexValue(raw.charCodeAt(i + 1));
    const low = hexValue(raw.charCodeAt(i + 2));
    if (high < 0 || low < 0) return undefined;
    const byte = high * 16 + low;
    if (byte < 128) {
      if (unreserved[byte]) text += String.fromCharCode(byte);
      else {
        const piece = encodeText(text);
        if (piece === undefined) return undefined;
        out += piece + "%" + HEX[byte];
        text = "";
      }
      i += 3;
      continue;
    }
    // A run of escaped bytes of 0x80 and above: UTF-8 text, or kept escaped when it is not valid UTF-8.
    let runEnd = i;
    while (runEnd < length && raw.charCodeAt(runEnd) === 37) {
      const h = hexValue(raw.charCodeAt(runEnd + 1));
      const l = hexValue(raw.charCodeAt(runEnd + 2));
      if (h < 0 || l < 0) return undefined;
      if (h < 8) break;
      runEnd += 3;
    }
    const run = raw.slice(i, runEnd);
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined) text += decoded;
    else {
      const piece = encodeText(text);
      if (piece === undefined) return undefined;
      out += piece + run.toUpperCase();
      text = "";
    }
    i = runEnd;
  }
  const piece = encodeText(text);
  return piece === undefined ? undefined : out + piece;
}

/** NFC, then what is not PLAIN percent-encoded (non-ASCII as UTF-8); `undefined` for a lone surrogate. */
function encodeText(text: string): string | undefined {
  if (text === "") return text;
  let plain = true;
  for (let i = 0; i < text.length && plain; i++) {
    const code = text.charCodeAt(i);
    plain = code < 128 && kinds[code] === PLAIN;
  }
  if (plain) return text;
  const normal = text.normalize("NFC");
  let out = "";
  for (let i = 0; i < normal.length; i++) {
    const code = normal.charCodeAt(i);
    if (code < 128) {
      out += kinds[code] === PLAIN ? normal[i] : "%" + HEX[code];
      continue;
    }
    const wide = code >= 0xd800 && code <= 0xdbff;
    try {
      out += encodeURIComponent(wide ? normal.slice(i, i + 2) : normal[i]);
    } catch {
      return undefined; // a lone surrogate has no UTF-8 form
    }
    if (wide) i++;
  }
  return out;
}

const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).toUpperCase().padStart(2, "0"),
);

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

function isUpperHex(url: string, at: number): boolean {
  const code = url.charCodeAt(at);
  return code < 97; // a digit or A–F: already checked to be hex
}

function isSegmentEnd(code: number): boolean {
  return code === 47 /* / */ || code === 63 /* ? */ || code === 35 /* # */ || code === 92 /* \ */;
}
