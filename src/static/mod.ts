/**
 * Static files: {@linkcode serveStatic} serves a directory (or any
 * {@linkcode FileSource}) with exact RFC 9110 semantics, standalone or, with
 * {@linkcode staticFiles}, in front of an app.
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
export { serveStatic, staticFiles } from "./serve_static.ts";
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
