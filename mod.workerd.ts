/**
 * The root entry on Cloudflare Workers (the `workerd` and `worker` export
 * conditions): the same names as `mod.ts`, from modules that never reach a
 * `node:` module, so a Worker bundles without `nodejs_compat`. `serve()`
 * rejects (workerd serves `export default defineApp(app)` itself) and
 * `serveStatic` takes a source (`assetsSource`, `r2Source`, `memorySource`).
 *
 * @example A Worker
 * ```ts
 * import { defineApp, mount } from "@fetchkit/core";
 * export default defineApp(mount({ "/": () => new Response("hello from a Worker") }));
 * ```
 *
 * @module
 */
export * from "./src/entries/root.ts";
export { serve } from "./src/serve/serve_workerd.ts";
export { serveStatic, staticFiles } from "./src/static/files_workerd.ts";
