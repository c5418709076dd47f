/**
 * `fetchkit/static` on Cloudflare Workers (the `workerd` and `worker` export
 * conditions): the same names as src/static/mod.ts, with a `serveStatic` that
 * takes a source, never a directory path, so nothing here reaches a `node:`
 * module.
 *
 * @example A Worker serving its Static Assets binding
 * ```ts
 * import { context, defineApp, type Handler, serveStatic } from "@fetchkit/core";
 * import { assetsSource, type AssetsBindingLike } from "@fetchkit/core/static";
 * let files: Handler | undefined; // made on the first request, when env is known
 * export default defineApp((request) => {
 *   files ??= serveStatic(assetsSource((context(request).env as { ASSETS: AssetsBindingLike }).ASSETS));
 *   return files(request);
 * });
 * ```
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
export { serveStatic, staticFiles } from "./files_workerd.ts";
export type { ServeStaticOptions, StaticCacheOptions } from "./options.ts";
export { FileAccessError } from "./source.ts";
export type { DirEntry, FileSource, FileStat } from "./source.ts";
export type { Encoding } from "./encoding.ts";
export { memorySource } from "./manifest.ts";
export type { ManifestFile, StaticManifest } from "./manifest.ts";
export { r2Source } from "./sources/r2.ts";
export type { R2BucketLike, R2ObjectBodyLike, R2ObjectLike, R2SourceOptions } from "./sources/r2.ts";
export { assetsSource } from "./sources/assets.ts";
export type { AssetsBindingLike } from "./sources/assets.ts";
