/**
 * What Express adds to a Node request, for the bridges both ways: a mounted
 * app or middleware sees the path below its mount in `req.url`, the mount in
 * `req.baseUrl` and the full path in `req.originalUrl`.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { RequestContext } from "../context.ts";
import { pathAndQuery } from "../internal/url.ts";

/** A Node request with Express's mount fields. */
export interface MountedRequest extends IncomingMessage {
  baseUrl?: string;
  originalUrl?: string;
}

/** Sets `req`'s URLs as Express sets them for a sub-app mounted where `ctx` says. */
export function setMountedUrls(req: MountedRequest, request: Request, ctx: RequestContext): void {
  req.url = pathAndQuery(request.url);
  if (ctx.base !== "") {
    req.baseUrl = ctx.base;
    req.originalUrl = pathAndQuery(ctx.originalUrl);
  }
}
