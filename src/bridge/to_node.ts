/**
 * Fetch → Node: a fetchkit handler as a `node:http` request listener or as
 * Express/Connect middleware. The Node side of it is src/node/listener.ts.
 *
 * @module
 */
import { type HandlerLike, toHandler } from "../handler.ts";
import { respondWith } from "../node/listener.ts";
import type { IncomingMessage, NodeNext, ServerResponse } from "../node/types.ts";

/**
 * Turns a fetchkit handler (or an app with `fetch`) into a Node listener
 * `(req, res, next?)`, for `node:http.createServer` or as Express/Connect
 * middleware.
 *
 * - Under Express `app.use("/p", toNode(handler))`, the handler sees the path
 *   below `/p` in `request.url`, `context(request).base` is `/p` and
 *   `context(request).originalUrl` the full URL: the same contract as fetchkit's
 *   own `mount`.
 * - A {@linkcode pass} from the handler calls `next()`, so Express goes on to
 *   its next route; a thrown error goes to `next(error)`. Without `next` a pass
 *   is sent as the 404 it is, an error as a 500.
 * - Bodies stream both ways with backpressure. When the client disconnects,
 *   the handler's `context(request).signal` (and `request.signal`) aborts and
 *   the response body is cancelled, which closes a static file behind it.
 * - Put it before body parsers: a body they already read is gone.
 *
 * @example As Express middleware and as a plain node:http server
 * ```ts ignore
 * import express from "express";
 * import { createServer } from "node:http";
 * import { serveStatic } from "@fetchkit/core";
 * import { toNode } from "@fetchkit/core/node";
 * const app = express();
 * app.use("/assets", toNode(serveStatic("./public", { fallthrough: true })));
 * createServer(toNode(() => new Response("hello"))).listen(8000);
 * ```
 */
export function toNode(app: HandlerLike): (req: IncomingMessage, res: ServerResponse, next?: NodeNext) => void {
  const handler = toHandler(app, "toNode: handler");
  return (req, res, next) => void respondWith(handler, req, res, next);
}
