/**
 * Bridges: foreign apps inside fetchkit and fetchkit inside foreign apps.
 *
 * - Node's `(req, res)` world (Express, Connect, `node:http`):
 *   {@linkcode fromNode} runs such an app as a handler, {@linkcode toNode}
 *   makes a handler a listener or Express middleware.
 * - Hono: a Hono app mounts in fetchkit as it is and reads its prefix with
 *   {@linkcode honoBase}; {@linkcode toHono} makes a handler Hono middleware.
 *
 * @module
 */
export type { FetchApp, Handler, HandlerLike } from "../handler.ts";
export { fromNode } from "./from_node.ts";
export type { NodeListener, NodeNext } from "./from_node.ts";
export { toNode } from "./to_node.ts";
export { honoBase, toHono } from "./hono.ts";
export type { ExecutionContextLike, HonoContextLike, HonoMiddlewareLike } from "./hono.ts";
