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
export * from "./shared_exports.ts";
export { serveStatic, staticFiles } from "./files_workerd.ts";
