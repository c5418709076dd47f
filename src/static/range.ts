/**
 * `Range: bytes=…` parsing (RFC 9110 §14.1.2, §14.2).
 *
 * @module
 */

/** One byte range, `end` exclusive, already clamped to the representation. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The outcome of a Range header against a representation of `size` bytes:
 * `"ignore"` (malformed, not bytes, too many ranges, or ranges summing past
 * the size: send the whole representation with 200), `"unsatisfiable"` (416),
 * or the satisfiable ranges in the order requested.
 */
export type RangeResult = ByteRange[] | "ignore" | "unsatisfiable";

/**
 * Parses a Range header against a representation of `size` bytes.
 * Unsatisfiable ranges in a list with satisfiable ones are dropped (§14.1.2);
 * more than `maxRanges` ranges, or ranges that overlap so much that they add up
 * to more than the file, are ignored rather than served, since that is how
 * amplification attacks on multipart responses look.
 */
export function parseRange(header: string, size: number, maxRanges = 16): RangeResult {
  let at = skipSpaces(header, 0);
  if (header.length - at < 6 || header.slice(at, at + 5).toLowerCase() !== "bytes") return "ignore";
  at = skipSpaces(header, at + 5);
  if (header.charCodeAt(at) !== 0x3d /* = */) return "ignore";
  const ranges: ByteRange[] = [];
  let specs = 0;
  let total = 0;
  for (const part of header.slice(at + 1).split(",")) {
    const spec = part.trim();
    if (spec === "") continue; // `#` lists allow empty elements
    if (++specs > maxRanges) return "ignore";
    const dash = spec.indexOf("-");
    if (dash === -1) return "ignore";
    const first = spec.slice(0, dash).trim();
    const last = spec.slice(dash + 1).trim();
    let start: number;
    let end: number;
    if (first === "") {
      // suffix-range: the last N bytes
      const suffix = digits(last);
      if (suffix === undefined) return "ignore";
      if (suffix === 0) continue;
      start = Math.max(0, size - suffix);
      end = size;
    } else {
      start = digits(first) ?? -1;
      if (start < 0) return "ignore";
      if (last === "") {
        end = size;
      } else {
        const lastPos = digits(last);
        if (lastPos === undefined || lastPos < start) return "ignore";
        end = Math.min(lastPos + 1, size);
      }
      if (start >= size) continue;
    }
    ranges.push({ start, end });
    total += end - start;
  }
  if (specs === 0) return "ignore";
  if (ranges.length === 0) return "unsatisfiable";
  if (ranges.length > 1 && total > size) return "ignore";
  return ranges;
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09) at++;
  return at;
}

/** A non-negative decimal integer made only of digits (huge ones become huge numbers), or `undefined`. */
function digits(text: string): number | undefined {
  if (text.length === 0) return undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  return Number(text);
}
