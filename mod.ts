/**
 * fetchkit: everything is a Fetch handler. Mount apps side by side, serve
 * static files, and serve the result unchanged on Deno, Bun, Node.js and
 * Cloudflare Workers. Middleware, the Node and Hono bridges, the command
 * line and the adapter API have entry points of their own
 * (`fetchkit/middleware`, `fetchkit/node`, `fetchkit/hono`, `fetchkit/static`,
 * `fetchkit/cli`, `fetchkit/adapter`).
 *
 * @example Hello, mounted and served
 * ```ts
 * import { mount, serve } from "@fetchkit/core";
 * const app = mount({ "/": () => new Response("Hello from fetchkit") });
 * const server = await serve(app, { port: 0, onListen() {} });
 * await server.shutdown();
 * ```
 *
 * @module
 */
export * from "./src/entries/root.ts";
export { serve } from "./src/serve/serve.ts";
export { serveStatic, staticFiles } from "./src/static/files.ts";
