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
 * import { logger, SENSITIVE_QUERY_KEYS } from "@fetchkit/core";
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
  return (url) => redactQuery(url, sensitive);
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

function redactQuery(url: string, sensitive: ReadonlySet<string>): string {
  const query = url.indexOf("?");
  if (query < 0) return url; // the usual case: one scan, no allocation
  let end = url.indexOf("#", query);
  if (end < 0) end = url.length;
  const pairs = url.slice(query + 1, end).split("&");
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    const equals = pair.indexOf("=");
    const key = equals < 0 ? pair : pair.slice(0, equals);
    if (equals < 0 || equals === pair.length - 1 || !sensitive.has(decodedKey(key))) continue;
    pairs[i] = `${key}=${REDACTED}`;
    changed = true;
  }
  return changed ? url.slice(0, query + 1) + pairs.join("&") + url.slice(end) : url;
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
