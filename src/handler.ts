/**
 * The handler model: everything is a Fetch handler, and a middleware is a
 * function from handler to handler, so composition is plain code.
 *
 * @module
 */

import { context } from "./context.ts";
import { describe } from "./internal/describe.ts";

/**
 * A Fetch handler: takes a Request, returns a Response (or a promise of one).
 *
 * Per-request information (client address, mount prefix, Workers `env`) is not
 * a second argument: it travels with the Request itself, see {@linkcode context}.
 * That keeps every handler a plain `(request) => Response`.
 *
 * @example A handler
 * ```ts
 * import type { Handler } from "@fetchkit/core";
 * const hello: Handler = () => new Response("Hello");
 * ```
 */
export type Handler = (request: Request) => Response | Promise<Response>;

/**
 * A middleware wraps a handler and returns a new handler.
 *
 * @example A middleware that adds a header
 * ```ts
 * import type { Middleware } from "@fetchkit/core";
 * const poweredBy: Middleware = (next) => async (request) => {
 *   const response = await next(request);
 *   response.headers.set("x-powered-by", "fetchkit");
 *   return response;
 * };
 * ```
 */
export type Middleware = (next: Handler) => Handler;

/**
 * Anything with a Workers-style `fetch(request, env?, ctx?)` method: a Hono app,
 * an itty router, a `{ fetch }` object.
 *
 * @example A Workers-style app object
 * ```ts
 * import type { FetchApp } from "@fetchkit/core";
 * const app: FetchApp = { fetch: () => new Response("ok") };
 * ```
 */
export interface FetchApp {
  /** Answers one request; extra arguments are the runtime's (Workers `env`, `ctx`). */
  fetch(request: Request, ...runtimeArgs: never[]): Response | Promise<Response>;
}

/**
 * What dispatch and `serve` accept: a handler or an app with a `fetch` method.
 *
 * @example Both shapes are accepted
 * ```ts
 * import type { HandlerLike } from "@fetchkit/core";
 * const a: HandlerLike = () => new Response("a");
 * const b: HandlerLike = { fetch: () => new Response("b") };
 * ```
 */
export type HandlerLike = Handler | FetchApp;

/**
 * Composes middleware: `compose(a, b, c)(handler)` is `a(b(c(handler)))`, so the
 * first middleware sees the request first and the response last.
 *
 * @example Three middleware around a handler
 * ```ts
 * import { compose, type Middleware } from "@fetchkit/core";
 * const tag = (name: string): Middleware => (next) => async (request) => {
 *   const response = await next(request);
 *   response.headers.append("x-trace", name);
 *   return response;
 * };
 * const app = compose(tag("outer"), tag("inner"))(() => new Response("ok"));
 * const response = await app(new Request("http://localhost/"));
 * response.headers.get("x-trace"); // "inner, outer"
 * ```
 */
export function compose(...middleware: Middleware[]): Middleware {
  for (const [index, item] of middleware.entries()) {
    if (typeof item !== "function") {
      throw new TypeError(`compose: middleware[${index}] must be a function (next) => handler, got ${describe(item)}`);
    }
  }
  return (handler) => middleware.reduceRight((next, wrap) => wrap(next), handler);
}

/**
 * Turns a {@linkcode HandlerLike} into a plain handler. An app with a `fetch`
 * method is called as the runtime would call it, with the runtime's extra
 * arguments (Workers `env` and `ctx`, Bun's server, Deno's serve info), so a
 * Hono app keeps its `c.env` and `executionCtx`.
 *
 * @example Mount-ready handler from a Workers-style object
 * ```ts
 * import { toHandler } from "@fetchkit/core";
 * const handler = toHandler({ fetch: () => new Response("from an app") });
 * await handler(new Request("http://localhost/"));
 * ```
 */
export function toHandler(app: HandlerLike, option = "handler"): Handler {
  if (typeof app === "function") return app;
  if (app !== null && typeof app === "object" && typeof (app as FetchApp).fetch === "function") {
    const fetch = (app as FetchApp).fetch as (request: Request, ...rest: unknown[]) => Response | Promise<Response>;
    return (request) => fetch.call(app, request, ...context(request).runtimeArgs);
  }
  throw new TypeError(
    `${option} must be a function (request) => Response or an object with a fetch method, got ${describe(app)}`,
  );
}
