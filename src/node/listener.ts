/**
 * A fetchkit handler answering Node's `(req, res, next?)`: what `toNode`
 * returns does this for each request. The Request comes from
 * {@linkcode listenerRequest}, the answer goes out through
 * {@linkcode writeResponse} with the head shared with Express
 * ({@linkcode SHARED_HEAD}).
 *
 * @module
 */
import type { ServerResponse } from "node:http";
import { bindContext } from "../context.ts";
import type { Handler } from "../handler.ts";
import { plainResponse } from "../internal/http.ts";
import { isResponse } from "../internal/is_response.ts";
import { isPass } from "../pass.ts";
import { disconnectSignal } from "./disconnect.ts";
import type { NodeExchange } from "./exchange.ts";
import type { MountedRequest } from "./express.ts";
import { listenerRequest } from "./request.ts";
import { SHARED_HEAD, writeResponse } from "./response.ts";
import type { NodeNext } from "./types.ts";

/**
 * Answers `req` on `res` with `handler`. With `next` (Express, Connect), a
 * {@linkcode pass} calls `next()` and an error `next(error)`; without, they
 * are answered as the 404 and the 500 they are.
 */
export async function respondWith(
  handler: Handler,
  req: MountedRequest,
  res: ServerResponse,
  next: NodeNext | undefined,
): Promise<void> {
  const signal = disconnectSignal(res);
  const request = listenerRequest(req, signal);
  if (request === undefined) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("Bad Request: invalid URL or Host\n");
    return;
  }
  bindListenerContext(request, req, res, signal);
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
  await writeResponse(response, request, req, res, SHARED_HEAD);
}

/** The context of a request under Express: its mount (`baseUrl`, `originalUrl`), peer and Node objects. */
function bindListenerContext(
  request: Request,
  req: MountedRequest,
  res: ServerResponse,
  signal: AbortSignal,
): void {
  const url = request.url;
  const origin = url.slice(0, url.indexOf("/", url.indexOf("://") + 3));
  const exchange: NodeExchange = { incoming: req, outgoing: res };
  bindContext(request, {
    base: req.baseUrl ?? "",
    originalUrl: req.originalUrl !== undefined && req.originalUrl !== req.url ? origin + req.originalUrl : undefined,
    remoteAddr: () =>
      req.socket?.remoteAddress ? { hostname: req.socket.remoteAddress, port: req.socket.remotePort ?? 0 } : undefined,
    runtimeArgs: [exchange],
    signal,
  });
}
