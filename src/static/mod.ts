/**
 * `fetchkit/static`: {@linkcode serveStatic} serves a directory (or any
 * {@linkcode FileSource}) with exact RFC 9110 semantics, standalone or, with
 * {@linkcode staticFiles}, in front of an app; the sources for Workers
 * (Static Assets, R2, a manifest in memory) are here too.
 *
 * @example A folder, and a manifest held in memory
 * ```ts
 * import { memorySource, serveStatic } from "@fetchkit/core/static";
 * const folder = serveStatic("./public");
 * const inMemory = serveStatic(memorySource({ files: { "a.txt": { size: 2, mtimeMs: 0, etag: "a1", base64: "aGk=" } } }));
 * await (await inMemory(new Request("http://localhost/a.txt"))).text(); // "hi"
 * void folder;
 * ```
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
export { serveStatic, staticFiles } from "./files.ts";
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
