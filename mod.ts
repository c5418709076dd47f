/**
 * fetchkit: everything is a Fetch handler. Mount apps side by side, serve
 * static files, add middleware, and serve the result unchanged on Deno, Bun,
 * Node.js and Cloudflare Workers.
 *
 * @example Hello, mounted and served
 * ```ts
 * import { mount, serve } from "@fetchkit/core";
 * const app = mount({ "/": () => new Response("Hello from fetchkit") });
 * const server = await serve(app, { port: 0 });
 * await server.shutdown();
 * ```
 *
 * @module
 */
export { compose, toHandler } from "./src/handler.ts";
export type { FetchApp, Handler, HandlerLike, Middleware } from "./src/handler.ts";
export { bindContext, context, copyContext } from "./src/context.ts";
export { onShutdown, runShutdownHooks } from "./src/lifecycle.ts";
export type { ShutdownHook } from "./src/lifecycle.ts";
export type { ContextInit, RemoteAddress, RequestContext } from "./src/context.ts";
export * from "./src/dispatch/mod.ts";
export * from "./src/static/mod.ts";
export * from "./src/middleware/mod.ts";
export * from "./src/bridge/mod.ts";
export * from "./src/serve/mod.ts";
