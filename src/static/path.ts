/**
 * Request path to file path: decoded exactly once, segment by segment, and
 * refused when a segment could mean anything but a plain name inside the root.
 *
 * Why per segment and not one `decodeURIComponent` of the whole path: an
 * encoded `/` (`%2F`) or `\` (`%5C`) inside a segment would become a separator
 * after decoding, which is how "decode twice" and "normalise after decoding"
 * bugs let `..%2F..%2Fetc/passwd` out of the root.
 *
 * @module
 */

/** Why a path was refused. */
export type PathProblem = "malformed";

/**
 * Decodes the raw (percent-encoded) path of a request URL into its segments.
 * Empty and `.` segments are dropped and `..` removes the previous segment,
 * never going above the root, exactly as the URL standard resolves them
 * (`%2e` counts as a dot there too); most runtimes have already done it, Deno
 * hands the path over as sent. Returns a {@linkcode PathProblem} for a
 * malformed escape, invalid UTF-8, NUL or another control character, an
 * encoded `/` or `\`, or a drive letter (`C:`).
 */
export function decodePath(rawPath: string): string[] | PathProblem {
  const segments: string[] = [];
  let start = 0;
  const length = rawPath.length;
  while (start <= length) {
    let end = rawPath.indexOf("/", start);
    if (end === -1) end = length;
    if (end > start) {
      const raw = rawPath.slice(start, end);
      const segment = raw.includes("%") ? decodeSegment(raw) : raw;
      if (segment === undefined) return "malformed";
      if (segment === "..") segments.pop();
      else if (segment !== ".") {
        if (!plainName(segment)) return "malformed";
        segments.push(segment);
      }
    }
    start = end + 1;
  }
  return segments;
}

function decodeSegment(raw: string): string | undefined {
  let decoded: string;
  try {
    // Throws on a malformed escape and on bytes that are not valid UTF-8
    // (overlong forms such as %C0%AE included).
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes("/")) return undefined;
  return decoded;
}

/** No control characters, no backslash, no Windows drive letter or stream (`C:`, `name::$DATA`). */
function plainName(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c /* \ */) return false;
  }
  if (segment.length === 2 && segment.charCodeAt(1) === 0x3a /* : */) return false;
  if (segment.includes("::")) return false;
  return true;
}

/** True when any segment starts with a dot (`.env`, `.git/config`). */
export function hasDotSegment(segments: readonly string[]): boolean {
  for (const segment of segments) if (segment.charCodeAt(0) === 0x2e) return true;
  return false;
}
