/**
 * `fetchkit/static/build`: the build-time half of static files. It reads a
 * folder on Node, Deno or Bun and writes the manifest a Worker serves with
 * `memorySource` — kept apart from `fetchkit/static` so that a Worker's
 * bundle never reaches a file system module.
 *
 * @example Bundle a folder into a Worker at build time
 * ```ts
 * import { buildManifest } from "@fetchkit/core/static/build";
 * const manifest = await buildManifest("public");
 * console.log(Object.keys(manifest.files).length, "files");
 * ```
 *
 * @module
 */
export { buildManifest } from "./sources/build_manifest.ts";
export type { BuildManifestOptions } from "./sources/build_manifest.ts";
export type { ManifestFile, StaticManifest } from "./manifest.ts";
