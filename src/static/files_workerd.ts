/**
 * `serveStatic` and `staticFiles` as the Workers entry points have them:
 * with no file system, so a Worker's bundle never reaches a `node:` module.
 * `root` is a source: `assetsSource(env.ASSETS)`, `r2Source(bucket)` or
 * `memorySource(manifest)`.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import type { ServeStaticOptions } from "./options.ts";
import { staticFilesOver, staticHandler } from "./serve_static.ts";
import type { FileSource } from "./source.ts";

/**
 * Serves the files of `root`, a {@linkcode FileSource}; a directory path is a
 * `TypeError` (a Worker has no file system). Everything else is as on the
 * other runtimes: conditional GET, ranges, precompressed siblings.
 *
 * @example A Worker's files from a manifest built at build time
 * ```ts
 * import { defineApp, serveStatic } from "@fetchkit/core";
 * import { memorySource } from "@fetchkit/core/static";
 * const files = memorySource({ files: { "index.html": { size: 11, mtimeMs: 0, etag: "i1", base64: btoa("<p>home</p>") } } });
 * const worker = defineApp(serveStatic(files)); // the module's `export default worker`
 * await (await worker.fetch(new Request("http://localhost/"))).text(); // "<p>home</p>"
 * ```
 */
export function serveStatic(root: string | FileSource, options: ServeStaticOptions = {}): Handler {
  return staticHandler(undefined, root, options);
}

/**
 * Static files from `root` (a {@linkcode FileSource}) in front of an app:
 * misses, refused paths and other methods go to the app unchanged.
 *
 * @example Assets first, then the app
 * ```ts
 * import { defineApp, staticFiles } from "@fetchkit/core";
 * import { memorySource } from "@fetchkit/core/static";
 * const files = memorySource({ files: { "app.css": { size: 3, mtimeMs: 0, etag: "c1", base64: btoa("p{}") } } });
 * const worker = defineApp(staticFiles(files)(() => new Response("from the app"))); // export default worker
 * ```
 */
export function staticFiles(
  root: string | FileSource,
  options: Omit<ServeStaticOptions, "fallthrough"> = {},
): Middleware {
  return staticFilesOver(undefined, root, options);
}
