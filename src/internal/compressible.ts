/**
 * Which media types are worth compressing: text and the structured text
 * formats (JSON, JavaScript, XML, SVG, WebAssembly…). Images, video, audio,
 * archives and fonts in WOFF are compressed already; compressing them again
 * costs CPU and saves nothing.
 *
 * @module
 */

/** Subtypes (the part after `/`, or its `+suffix`) of non-text types that compress well. */
const COMPRESSIBLE_SUBTYPES = new Set([
  "json",
  "javascript",
  "ecmascript",
  "x-javascript",
  "xml",
  "svg+xml",
  "wasm",
  "x-www-form-urlencoded",
  "graphql",
  "yaml",
  "x-yaml",
  "toml",
  "csv",
  "x-ndjson",
  "ndjson",
  "x-sh",
  "rtf",
  "vnd.ms-fontobject",
  "x-font-ttf",
  "ttf",
  "otf",
  "manifest+json",
  "ld+json",
  "geo+json",
  "rss+xml",
  "atom+xml",
  "xhtml+xml",
  "problem+json",
  "dart",
  "x-tex",
]);

/**
 * True when a body of `contentType` (a Content-Type value, parameters
 * allowed) is worth compressing: `text/*` (`text/event-stream` included:
 * `compress` flushes each event), and the structured types above, including
 * any `+json` or `+xml` suffix. No type is not worth it.
 *
 * @example
 * ```ts
 * import { isCompressibleType } from "./compressible.ts";
 * isCompressibleType("application/json; charset=utf-8"); // true
 * isCompressibleType("image/png"); // false
 * ```
 */
export function isCompressibleType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const slash = type.indexOf("/");
  if (slash <= 0) return false;
  const major = type.slice(0, slash);
  const subtype = type.slice(slash + 1);
  if (major === "text") return true;
  if (major !== "application" && major !== "image" && major !== "font") return false;
  if (COMPRESSIBLE_SUBTYPES.has(subtype)) return major !== "image" || subtype === "svg+xml";
  return major === "application" && (subtype.endsWith("+json") || subtype.endsWith("+xml"));
}
