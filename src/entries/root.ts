/**
 * The root entry's names that are the same on every runtime: the handler
 * model, the context, dispatch, `defineApp` and the shutdown hooks. The two
 * root modules (`mod.ts`, and `mod.workerd.ts` for Workers) add `serve` and
 * `serveStatic` as each runtime has them.
 *
 * @module
 */
export { compose, toHandler } from "../handler.ts";
export type { FetchApp, Handler, HandlerLike, Middleware } from "../handler.ts";
export { context, copyContext } from "../context.ts";
export type { RemoteAddress, RequestContext } from "../context.ts";
export { isPass, pass } from "../pass.ts";
export { isWebSocketRequest, upgradeRequired, upgradeWebSocket, webSocket } from "../websocket.ts";
export type { UpgradeWebSocketOptions, WebSocketUpgrade } from "../websocket.ts";
export { onShutdown } from "../lifecycle.ts";
export type { ShutdownHook } from "../lifecycle.ts";
export { byMethod, cascade, hosts, match, mount } from "../dispatch/mod.ts";
export type {
  HostTable,
  MethodTable,
  MountOptions,
  MountTable,
  Pattern,
  TrailingSlash,
  URLPatternLike,
} from "../dispatch/mod.ts";
export { defineApp } from "../serve/app.ts";
export type { ServableApp } from "../serve/app.ts";
export type { ServeOptions, Server, TlsOptions } from "../serve/types.ts";
export type { Limits } from "../serve/limits.ts";
export type { ServeStaticOptions, StaticCacheOptions } from "../static/serve_static.ts";
