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
export * from "./shared_exports.ts";
export { serveStatic, staticFiles } from "./files.ts";
