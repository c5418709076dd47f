/**
 * Node → Fetch: run an Express, Connect or plain `(req, res)` app as a fetchkit
 * handler, on Node and on Deno and Bun through their `node:http`.
 *
 * Why a socket and not a hand-written `res`: Express replaces the prototypes of
 * `req` and `res` with its own (which inherit from `node:http`), so methods put
 * on a subclass vanish. The objects handed to the app are therefore the
 * runtime's genuine `IncomingMessage` and `ServerResponse`, and the bridge sits
 * where the network would: a `Duplex` socket that receives the serialized
 * response (an HTTP head, then the body) and turns it into a Fetch Response.
 * The Node side of it is src/node/ (app_handler.ts and what it uses).
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { nodeAppHandler } from "../node/app_handler.ts";
import type { IncomingMessage, NodeListener, ServerResponse } from "../node/types.ts";

export type { NodeListener, NodeNext } from "../node/types.ts";

/**
 * Runs a Node `(req, res)` app (Express, Connect, a `node:http` listener) as a
 * fetchkit handler, without a socket: the app gets the runtime's own
 * `IncomingMessage` and `ServerResponse`, fed from the Request and turned back
 * into a Response as it writes.
 *
 * - Under a mount at `/p`, `req.url` is the path below the prefix, `req.baseUrl`
 *   is `/p` and `req.originalUrl` the full path, as Express sets them for a
 *   sub-app.
 * - Bodies stream both ways with backpressure; a response finished in the tick
 *   it started (`res.send`) becomes a plain byte body.
 * - When the client goes away, `req` emits `'aborted'` and `'close'`, and `res`
 *   `'close'` (so `res.sendFile` closes its file).
 * - The app's `next()` (a Connect/Express app that matched nothing) answers
 *   {@linkcode pass}, so dispatch tries the next candidate; `next(error)`
 *   answers the error's 4xx/5xx `status`, or 500.
 *
 * - On fetchkit's own Node server, a request that is still exactly as it
 *   arrived (no body, headers not read by anything before the app) skips the
 *   copies: the app gets the server's real `req` and `res` and writes to the
 *   client itself, as fast as on `node:http` alone. Middleware around it then
 *   receives a body-less record of the status and headers sent (enough to log
 *   and measure), and headers it adds can no longer reach the client.
 *
 * Works on Node, Deno and Bun (through `node:http`); a TypeError at
 * construction on runtimes without it.
 *
 * @example An Express app under /legacy
 * ```ts ignore
 * import express from "express";
 * import { fromNode } from "@fetchkit/core/node";
 * import { mount, serve } from "@fetchkit/core";
 * const legacy = express();
 * legacy.get("/users", (req, res) => res.json({ baseUrl: req.baseUrl, url: req.url }));
 * await serve(mount({ "/legacy": fromNode(legacy) }));
 * ```
 */
export function fromNode<Req extends IncomingMessage, Res extends ServerResponse>(
  app: NodeListener<Req, Res>,
): Handler {
  if (typeof app !== "function") {
    throw new TypeError(`fromNode: app must be a function (req, res, next), got ${describe(app)}`);
  }
  return nodeAppHandler(app as NodeListener, "fromNode");
}
