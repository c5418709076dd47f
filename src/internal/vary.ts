/**
 * Adding a name to `Vary` without losing what is there: middleware that makes
 * a response depend on a request header says so next to what the handler said.
 *
 * @module
 */

/**
 * `vary` with `name` added unless it is already listed (case-insensitively)
 * or the value is `*`, which already says everything varies.
 *
 * @example
 * ```ts
 * import { varyWith } from "./vary.ts";
 * varyWith("Origin", "Accept-Encoding"); // "Origin, Accept-Encoding"
 * varyWith(null, "Accept-Encoding"); // "Accept-Encoding"
 * ```
 */
export function varyWith(vary: string | null, name: string): string {
  if (vary === null || vary.trim() === "") return name;
  const wanted = name.toLowerCase();
  for (const listed of vary.split(",")) {
    const item = listed.trim().toLowerCase();
    if (item === "*" || item === wanted) return vary;
  }
  return `${vary}, ${name}`;
}
