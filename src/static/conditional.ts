/**
 * Conditional requests (RFC 9110 §13): the preconditions in their order,
 * ETag lists and HTTP dates.
 *
 * @module
 */
import { etagListMatches } from "../internal/etag.ts";

export { etagListMatches };

/**
 * Evaluates the preconditions of a GET or HEAD against the representation
 * with `etag` and `lastModifiedSeconds` (NaN when unknown), in the order of
 * RFC 9110 §13.2.2: the status to answer with (412 or 304), or `undefined`
 * to go on with the request (Range, then the content). As Go's net/http
 * checkPreconditions.
 */
export function checkPreconditions(
  headers: Headers,
  etag: string,
  lastModifiedSeconds: number,
): 304 | 412 | undefined {
  const ifMatch = checkIfMatch(headers, etag);
  if (ifMatch === false) return 412;
  if (ifMatch === undefined && checkIfUnmodifiedSince(headers, lastModifiedSeconds) === false) return 412;
  const ifNoneMatch = checkIfNoneMatch(headers, etag);
  if (ifNoneMatch === false) return 304;
  if (ifNoneMatch === undefined && checkIfModifiedSince(headers, lastModifiedSeconds) === false) return 304;
  return undefined;
}

// Each check answers whether its condition holds, `undefined` when it does not apply (no such
// header, or no date to compare with).

/** If-Match (§13.1.1): strong comparison against the current ETag. */
function checkIfMatch(headers: Headers, etag: string): boolean | undefined {
  const header = headers.get("if-match");
  return header === null ? undefined : etagListMatches(header, etag, false);
}

/** If-Unmodified-Since (§13.1.4): ignored when the date is invalid or the file's is unknown. */
function checkIfUnmodifiedSince(headers: Headers, lastModifiedSeconds: number): boolean | undefined {
  const header = headers.get("if-unmodified-since");
  if (header === null || Number.isNaN(lastModifiedSeconds)) return undefined;
  const date = parseHttpDate(header);
  return date === undefined ? undefined : lastModifiedSeconds <= date;
}

/** If-None-Match (§13.1.2): weak comparison; false (a match) means 304. */
function checkIfNoneMatch(headers: Headers, etag: string): boolean | undefined {
  const header = headers.get("if-none-match");
  return header === null ? undefined : !etagListMatches(header, etag, true);
}

/** If-Modified-Since (§13.1.3): false (not modified since) means 304. */
function checkIfModifiedSince(headers: Headers, lastModifiedSeconds: number): boolean | undefined {
  const header = headers.get("if-modified-since");
  if (header === null || Number.isNaN(lastModifiedSeconds)) return undefined;
  const date = parseHttpDate(header);
  return date === undefined ? undefined : lastModifiedSeconds > date;
}

/** True when `If-Range` (an entity-tag or a date) still names this representation. */
export function ifRangeMatches(header: string, etag: string, lastModifiedSeconds: number): boolean {
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith("W/")) return etagListMatches(value, etag, false) && value !== "*";
  // A date validator must match exactly, and only counts as strong when the
  // file has not changed in the second it was written (not checked: we use
  // the strong ETag in our own responses, so clients send that).
  const date = parseHttpDate(value);
  return date !== undefined && date === lastModifiedSeconds;
}

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
const IMF_FIXDATE = /^[A-Z][a-z]{2}, (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
const RFC_850 = /^[A-Z][a-z]{5,8}, (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/;

/**
 * Parses an HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms, which recipients must accept; RFC 9110 §5.6.7) to whole seconds since
 * the epoch; `undefined` when invalid, which makes the condition be ignored.
 * Strict on purpose: `Date.parse` accepts local-time strings and differs
 * between engines.
 */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  let day: string, month: string, year: number, h: string, m: string, s: string;
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    [, day, month, , h, m, s] = match;
    year = Number(match[3]);
  } else if ((match = RFC_850.exec(text))) {
    [, day, month, , h, m, s] = match;
    year = Number(match[3]);
    // Two-digit years more than 50 years in the future mean the past century.
    const now = new Date().getUTCFullYear();
    year += 2000;
    if (year > now + 50) year -= 100;
  } else if ((match = ASCTIME.exec(text))) {
    [, month, day, h, m, s] = match;
    year = Number(match[6]);
  } else {
    return undefined;
  }
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex === -1 || monthIndex % 3 !== 0) return undefined;
  const ms = Date.UTC(year, monthIndex / 3, Number(day), Number(h), Number(m), Number(s));
  const date = new Date(ms);
  if (date.getUTCDate() !== Number(day) || Number(h) > 23 || Number(m) > 59 || Number(s) > 60) return undefined;
  return Math.floor(ms / 1000);
}

/** Formats seconds since the epoch as an IMF-fixdate. */
export function formatHttpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}
