/**
 * `defineApp()`: the one `export default` shape that serves exactly once
 * everywhere. It is a plain `{ fetch }` object, so `deno serve`, `bun run`,
 * `bun --hot` and Workers serve it themselves, the `fetchkit` command imports it and
 * serves it, and importing it (in a test, in another app) binds nothing. Its
 * `fetch` gives the request the same context `serve()` would (client address,
 * `waitUntil`, Workers `env`, the disconnect signal) from whatever the
 * runtime passed, and answers a failure with the same plain 500.
 *
 * @module
 */
import { bindContext, context, type ContextInit, type RequestContext } from "../context.ts";
import { bunContextInit, type BunServer, isBunServer } from "./adapters/bun.ts";
import { denoContextInit, isDenoServeInfo } from "./adapters/deno.ts";
import { isWorkersContext, workersContextInit } from "./adapters/workerd.ts";
import { type FetchApp, type HandlerLike, toHandler } from "../handler.ts";
import { invoke } from "./invoke.ts";
import { defaultLimits } from "./limits.ts";
import { runtime } from "../internal/runtime.ts";
import { appWebSocketHandlers } from "./adapters/websocket_bun.ts";

/** What {@linkcode defineApp} returns: a Workers-style app object. */
export interface ServableApp extends FetchApp {
  /** Answers a request; `runtimeArgs` are whatever the runtime passes (Workers `env, ctx`, Deno's info, Bun's server). */
  fetch(request: Request, ...runtimeArgs: unknown[]): Response | Promise<Response>;
  /** Bun only: the WebSocket handlers `bun run` gives its server, so `upgradeWebSocket()` works there. */
  websocket?: Record<string, unknown>;
}

const denoInit = denoContextInit();
/** One init per Bun server, as `serve()` keeps it. */
const bunInits = new WeakMap<BunServer, ContextInit>();

/**
 * Binds the context from a runtime's own handler arguments (nothing when a
 * fetchkit server already did), with the same init each runtime's adapter
 * uses in `serve()`.
 */
function bindFromRuntime(request: Request, args: unknown[]): void {
  const [first, second] = args;
  if (isWorkersContext(second)) {
    bindContext(request, workersContextInit(first, second), args);
  } else if (isDenoServeInfo(first)) {
    bindContext(request, denoInit, args);
  } else if (isBunServer(first)) {
    let init = bunInits.get(first);
    if (init === undefined) bunInits.set(first, init = bunContextInit(first));
    bindContext(request, init, args);
  }
}

function alreadyBound(context: RequestContext): boolean {
  return context.runtimeArgs.length > 0;
}

/**
 * Makes the `export default` of an app module: `export default defineApp(app)`
 * serves once under `deno serve`, `bun run`/`bun --hot`, Workers and
 * the `fetchkit` command, and importing the module never binds a port.
 *
 * @example An app module
 * ```ts
 * import { defineApp } from "@fetchkit/core";
 * export default defineApp((request) => new Response(`Hello ${new URL(request.url).pathname}`));
 * // deno serve app.ts · bun run app.ts · npx fetchkit app.ts · a Worker's main module
 * ```
 */
export function defineApp(app: HandlerLike): ServableApp {
  const handler = toHandler(app, "defineApp: app");
  const bunWebSocket = runtime === "bun" ? { websocket: appWebSocketHandlers(defaultLimits.maxMessageSize) } : {};
  return Object.freeze({
    ...bunWebSocket,
    fetch(request: Request, ...runtimeArgs: unknown[]): Response | Promise<Response> {
      if (runtimeArgs.length > 0 && !alreadyBound(context(request))) bindFromRuntime(request, runtimeArgs);
      return invoke(handler, request);
    },
  });
}
