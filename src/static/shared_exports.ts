/**
 * The names of `fetchkit/static` that are the same on every runtime: the
 * sources for Workers and their types. Its two entry modules (mod.ts and
 * mod.workerd.ts) add `serveStatic` and `staticFiles` as each runtime has them.
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
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
