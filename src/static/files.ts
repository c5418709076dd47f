/**
 * `serveStatic` and `staticFiles` as Deno, Bun and Node have them: a
 * directory path is opened with the runtime's file system.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import type { ServeStaticOptions } from "./options.ts";
import { staticFilesOver, staticHandler } from "./serve_static.ts";
import type { FileSource } from "./source.ts";
import { runtimeFileSystem } from "./sources/fs.ts";

/**
 * Serves the files under `root` (a directory path on Deno, Bun and Node, or
 * any {@linkcode FileSource}, such as {@linkcode memorySource} on Workers).
 *
 * The path served is the path of `request.url`: mount the handler at a
 * prefix and the prefix is already stripped; `context(request).base` is used
 * to build the directory redirect (`/static/docs` → `/static/docs/`).
 *
 * RFC 9110 semantics: strong ETags and Last-Modified, If-Match,
 * If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304), Range
 * with single, suffix, open and multiple ranges (multipart/byteranges),
 * If-Range, 416; HEAD; 405 with Allow for other methods. Precompressed
 * siblings are negotiated by Accept-Encoding; small files are kept in memory.
 *
 * @example Standalone, mounted at a prefix
 * ```ts
 * import { mount, serve, serveStatic } from "@fetchkit/core";
 * const app = mount({ "/static": serveStatic("./public") });
 * ```
 *
 * @example In front of an app: misses fall through
 * ```ts
 * import { serveStatic } from "@fetchkit/core";
 * const files = serveStatic("./public", { fallthrough: true, listing: false });
 * ```
 */
export function serveStatic(root: string | FileSource, options: ServeStaticOptions = {}): Handler {
  return staticHandler(runtimeFileSystem, root, options);
}

/**
 * Static files in front of an app, as Django's StaticFilesHandler: GET and
 * HEAD requests for existing files are answered from `root`; everything else
 * (misses, refused paths, other methods) goes to the app unchanged.
 *
 * @example Files from ./public, the rest to the app
 * ```ts
 * import { serve, staticFiles } from "@fetchkit/core";
 * const app = (request: Request) => new Response("from the app");
 * const handler = staticFiles("./public")(app);
 * ```
 */
export function staticFiles(
  root: string | FileSource,
  options: Omit<ServeStaticOptions, "fallthrough"> = {},
): Middleware {
  return staticFilesOver(runtimeFileSystem, root, options);
}
