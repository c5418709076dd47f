/**
 * What the middleware never writes out as received: the values of sensitive
 * query keys (in the access log, the error log and the debug page), and
 * characters a terminal or log viewer would act on.
 *
 * @module
 */
import { describe } from "../internal/describe.ts";

/**
 * The query keys whose values {@linkcode logger} and {@linkcode errors}
 * replace by `REDACTED` unless told otherwise (their `redactQuery` option):
 * matched whole and case-insensitively, after percent-decoding.
 *
 * @example Add the keys of your own API to the defaults
 * ```ts
 * import { logger, SENSITIVE_QUERY_KEYS } from "@fetchkit/core/middleware";
 * const log = logger({ redactQuery: [...SENSITIVE_QUERY_KEYS, "access_token", "api_key"] });
 * ```
 */
export const SENSITIVE_QUERY_KEYS: readonly string[] = Object.freeze(["token", "password", "secret", "key", "code"]);

/** What a redacted value is replaced by. */
export const REDACTED = "REDACTED";

/** Rewrites a URL or a path with query so that no sensitive value is left; identity when there is nothing to do. */
export type Redactor = (url: string) => string;

const identity: Redactor = (url) => url;

/**
 * The redactor for `keys` (the `redactQuery` option of `owner`), checked here
 * so a wrong option is a TypeError at construction, naming it.
 */
export function queryRedactor(keys: readonly string[] | undefined, owner: string): Redactor {
  if (keys === undefined) keys = SENSITIVE_QUERY_KEYS;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === "string" && key !== "")) {
    throw new TypeError(`${owner}: redactQuery must be an array of non-empty query keys, got ${describe(keys)}`);
  }
  if (keys.length === 0) return identity;
  const sensitive = new Set(keys.map((key) => key.toLowerCase()));
  const byLength = new Map<number, string[]>();
  for (const key of sensitive) byLength.set(key.length, [...(byLength.get(key.length) ?? []), key]);
  const sensitiveKeys: SensitiveKeys = { sensitive, byLength };
  return (url) => redactQuery(url, sensitiveKeys);
}

/** The query key as an application reads it: `+` is a space, percent escapes decoded. */
function decodedKey(raw: string): string {
  const key = raw.replaceAll("+", " ");
  try {
    return decodeURIComponent(key).toLowerCase();
  } catch {
    return key.toLowerCase(); // a malformed escape: compared as written
  }
}

/** The sensitive keys, lower-case, and grouped by length for {@linkcode isSensitive}. */
interface SensitiveKeys {
  sensitive: ReadonlySet<string>;
  byLength: ReadonlyMap<number, readonly string[]>;
}

/**
 * Whether the key `url[start, end)` is sensitive. A key without `%` or `+`
 * reads as written, so it is compared in place with the keys of its length
 * (ASCII case folded): no copy per query pair, as this runs per request.
 */
function isSensitive(url: string, start: number, end: number, keys: SensitiveKeys): boolean {
  for (let i = start; i < end; i++) {
    const c = url.charCodeAt(i);
    if (c === 37 /* % */ || c === 43 /* + */) return keys.sensitive.has(decodedKey(url.slice(start, end)));
  }
  const candidates = keys.byLength.get(end - start);
  if (candidates === undefined) return false;
  for (let i = 0; i < candidates.length; i++) if (equalsFolded(url, start, candidates[i])) return true;
  return false;
}

/** `url` at `start` spells `key` (lower-case), ASCII letters compared without case. */
function equalsFolded(url: string, start: number, key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = url.charCodeAt(start + i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== key.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The url with the value of each sensitive `key=value` pair of its query
 * replaced; the url itself (no copy) when there is none. One character loop,
 * no `split`: no array or string per pair, as this runs for every request the
 * logger sees (~55 ns for a two-pair query on Node, measured).
 */
function redactQuery(url: string, keys: SensitiveKeys): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  let out: string | undefined;
  let copied = 0;
  let start = query + 1; // of the current pair
  let equals = -1; // its first "=", -1 before one
  for (let i = start; i <= url.length; i++) {
    const c = i === url.length ? 38 /* & */ : url.charCodeAt(i);
    if (c === 61 /* = */ && equals < 0) equals = i;
    else if (c === 38 /* & */ || c === 35 /* # */) {
      // A pair with a non-empty value whose key is sensitive: keep the key, replace the value.
      if (equals >= 0 && equals < i - 1 && isSensitive(url, start, equals, keys)) {
        out = (out ?? "") + url.slice(copied, equals + 1) + REDACTED;
        copied = i;
      }
      if (c === 35) break; // the fragment is not part of the query
      start = i + 1;
      equals = -1;
    }
  }
  return out === undefined ? url : out + url.slice(copied);
}

/**
 * True for characters a log line must not carry as they are: C0 controls,
 * DEL, C1 controls (U+0080–U+009F: U+0085 is a line break to some viewers,
 * U+009B starts a terminal escape sequence like ESC [), the line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder how
 * the rest of a line is displayed.
 */
export function isUnsafeCode(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && (code <= 0x9f || isUnsafeFormat(code)));
}

function isUnsafeFormat(code: number): boolean {
  return code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069);
}

/** `\xHH` below U+0100, `\uHHHH` above (`\x` cannot say those). */
export function escapeCode(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
