/**
 * `fetchkit/adapter`: what an author of a server adapter needs to give
 * requests the context fetchkit's own servers give them, and to run the
 * shutdown hooks apps registered. Apps need none of it.
 *
 * @example A minimal adapter over a runtime's own server
 * ```ts
 * import { bindContext, defaultLimits, runShutdownHooks, type ContextInit } from "@fetchkit/core/adapter";
 * const init: ContextInit = { remoteAddr: { hostname: "127.0.0.1", port: 0 } };
 * const handle = (request: Request) => {
 *   bindContext(request, init);
 *   return new Response(`limit ${defaultLimits.maxBodySize}`);
 * };
 * await handle(new Request("http://localhost/")).text();
 * await runShutdownHooks();
 * ```
 *
 * @module
 */
export { bindContext } from "../context.ts";
export type { ContextInit } from "../context.ts";
export type { UpgradeRequest, WebSocketUpgrade, WebSocketUpgrader } from "../internal/upgrade.ts";
export { runShutdownHooks } from "../lifecycle.ts";
export { defaultLimits } from "./limits.ts";
