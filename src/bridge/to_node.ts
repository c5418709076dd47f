/**
 * Fetch → Node: a fetchkit handler as a `node:http` request listener or as
 * Express/Connect middleware.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bindContext } from "../context.ts";
import { isPass } from "../pass.ts";
import { type HandlerLike, toHandler } from "../handler.ts";
import type { NodeNext } from "./from_node.ts";
import { requestFromNode } from "../node/request.ts";
import { sendResponse } from "../node/response.ts";
import { isResponse } from "../internal/is_response.ts";
import { plainResponse } from "../internal/http.ts";

/** What Express adds to `req` that the bridge reads. */
interface ExpressFields {
  baseUrl?: string;
  originalUrl?: string;
}

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
 * import { serveStatic, toNode } from "@fetchkit/core";
 * const app = express();
 * app.use("/assets", toNode(serveStatic("./public", { fallthrough: true })));
 * createServer(toNode(() => new Response("hello"))).listen(8000);
 * ```
 */
export function toNode(app: HandlerLike): (req: IncomingMessage, res: ServerResponse, next?: NodeNext) => void {
  const handler = toHandler(app, "toNode: handler");
  return (req, res, next) => void respond(handler, req, res, next);
}

async function respond(
  handler: (request: Request) => Response | Promise<Response>,
  req: IncomingMessage & ExpressFields,
  res: ServerResponse,
  next: NodeNext | undefined,
): Promise<void> {
  const aborter = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort(new DOMException("the client disconnected", "AbortError"));
  });
  const request = requestFromNode(req, aborter.signal);
  if (request === undefined) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("Bad Request: invalid URL or Host\n");
    return;
  }
  const url = request.url;
  const origin = url.slice(0, url.indexOf("/", url.indexOf("://") + 3));
  bindContext(request, {
    base: req.baseUrl ?? "",
    originalUrl: req.originalUrl !== undefined && req.originalUrl !== req.url ? origin + req.originalUrl : undefined,
    remoteAddr: () =>
      req.socket?.remoteAddress ? { hostname: req.socket.remoteAddress, port: req.socket.remotePort ?? 0 } : undefined,
    runtimeArgs: [{ incoming: req, outgoing: res }],
    signal: aborter.signal,
  });
  let response: Response;
  try {
    response = await handler(request);
    if (!isResponse(response)) throw new TypeError(`handler returned ${typeof response}, not a Response`);
  } catch (error) {
    if (next) return next(error);
    console.error(error);
    response = plainResponse(500, "Internal Server Error");
  }
  if (next && isPass(response)) {
    await response.body?.cancel().catch(() => {});
    return next();
  }
  await sendResponse(response, res, aborter.signal);
}
