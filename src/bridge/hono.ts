/**
 * Hono ↔ fetchkit. A Hono app needs no bridge to go inside fetchkit (it has
 * `fetch`, and `mount` shows it the path below its prefix); {@linkcode honoBase}
 * tells it that prefix. The other way, {@linkcode toHono} makes any fetchkit
 * handler a Hono middleware. Structural types only: no dependency on `hono`.
 *
 * @module
 */
import { context } from "../context.ts";
import { isPass } from "../pass.ts";
import { pathStart } from "../internal/url.ts";
import { shadow, unshadow } from "../internal/shadow.ts";
import { type HandlerLike, toHandler } from "../handler.ts";

/**
 * Workers' `ExecutionContext`, as far as the bridge uses it.
 *
 * @example
 * ```ts
 * import type { ExecutionContextLike } from "@fetchkit/core/hono";
 * const ctx: ExecutionContextLike = { waitUntil: (promise) => void promise };
 * ```
 */
export interface ExecutionContextLike {
  /** Keeps the Worker alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The part of Hono's `Context` the bridge reads: `c.req.raw`, `c.req.routePath`,
 * `c.env` and `c.executionCtx`.
 *
 * @example Any Hono context fits
 * ```ts ignore
 * import type { HonoContextLike } from "@fetchkit/core/hono";
 * import type { Context } from "hono";
 * const fits = (c: Context): HonoContextLike => c;
 * ```
 */
export interface HonoContextLike {
  /** Hono's request wrapper. */
  req: {
    /** The Request as the runtime (or fetchkit's mount) delivered it. */
    raw: Request;
    /** The route pattern of the running handler, e.g. `/files/*`. */
    routePath: string;
  };
  /** Workers bindings, or what the runtime passed as the second `fetch` argument. */
  env?: unknown;
  /** Workers `ExecutionContext`; Hono's getter throws where there is none. */
  readonly executionCtx?: ExecutionContextLike;
}

/** A Hono middleware: returns a Response, or calls `next()` and returns nothing. */
export type HonoMiddlewareLike = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | void>;

/**
 * The prefix fetchkit mounted a Hono app at (`context(c.req.raw).base`): `""`
 * at the top level, `/api` for an app mounted at `/api`. For absolute links
 * and redirects from inside the app.
 *
 * @example A Hono app that links to itself wherever it is mounted
 * ```ts ignore
 * import { Hono } from "hono";
 * import { honoBase } from "@fetchkit/core/hono";
 * import { mount } from "@fetchkit/core";
 * const api = new Hono();
 * api.get("/", (c) => c.json({ self: `${honoBase(c)}/` }));
 * const app = mount({ "/api": api }); // GET /api/ → {"self":"/api/"}
 * ```
 */
export function honoBase(c: { req: { raw: Request } }): string {
  return context(c.req.raw).base;
}

function executionContext(c: HonoContextLike): ExecutionContextLike | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // Hono's getter throws outside Workers
  }
}

/**
 * Index in `url` just past the part of the path that `routePath` matched: as
 * many segments as the pattern has before its trailing `*` (parameters count
 * as one segment each), the whole path for a pattern without one.
 */
function prefixEnd(routePath: string, url: string, start: number): number {
  let pathEnd = url.length;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 63 /* ? */ || code === 35 /* # */) {
      pathEnd = i;
      break;
    }
  }
  if (!routePath.endsWith("*")) return pathEnd;
  const pattern = routePath.slice(0, -1).replace(/\/+$/, "");
  const segments = pattern === "" ? 0 : pattern.split("/").length - 1;
  let end = start;
  for (let k = 0; k < segments; k++) {
    const slash = url.indexOf("/", end + 1);
    end = slash < 0 || slash > pathEnd ? pathEnd : slash;
    if (end === pathEnd) break;
  }
  return end;
}

/**
 * Makes a fetchkit handler (a `mount` table, `serveStatic`, any Handler or
 * app with `fetch`) a Hono middleware.
 *
 * - With a route such as `app.use("/files/*", toHono(handler))` the handler
 *   sees the path below `/files` in `request.url`, `context(request).base` is
 *   `/files` (added to any outer fetchkit prefix) and `originalUrl` the full
 *   URL: the same Request object, never a copy.
 * - A {@linkcode pass} from the handler calls `next()`, so the Hono routes
 *   after it run: `serveStatic(root, { fallthrough: true })` is a drop-in for
 *   Hono's `serveStatic` on every runtime.
 * - On Workers the handler keeps Hono's `c.env` (`context(request).env`) and
 *   `c.executionCtx` (`waitUntil`, and `runtimeArgs` for an app with `fetch`).
 *
 * @example Static files and a fetchkit app inside Hono
 * ```ts ignore
 * import { Hono } from "hono";
 * import { mount, serveStatic } from "@fetchkit/core";
 * import { toHono } from "@fetchkit/core/hono";
 * const app = new Hono();
 * app.use("/static/*", toHono(serveStatic("./static", { fallthrough: true })));
 * app.use("/kit/*", toHono(mount({ "/hello": () => new Response("hi") })));
 * export default app;
 * ```
 */
export function toHono(app: HandlerLike): HonoMiddlewareLike {
  const handler = toHandler(app, "toHono: handler");
  return async function fetchkit(c, next) {
    const request = c.req.raw;
    const ctx = context(request);
    if (ctx.runtimeArgs.length === 0) {
      // Not served by fetchkit (Hono is the Worker's entry): adopt what Hono was given.
      const executionCtx = executionContext(c);
      if (c.env !== undefined || executionCtx !== undefined) {
        ctx.env = c.env;
        ctx.runtimeArgs = executionCtx ? [c.env, executionCtx] : [c.env];
        if (executionCtx) ctx.waitUntil = (promise) => executionCtx.waitUntil(promise);
      }
    }
    const url = request.url;
    const start = pathStart(url);
    const end = start < 0 ? -1 : prefixEnd(c.req.routePath, url, start);
    let response: Response;
    if (end <= start) {
      response = await handler(request);
    } else {
      const outerBase = ctx.base;
      ctx.base = outerBase + url.slice(start, end);
      const rest = url.slice(end);
      const previous = shadow(request, "url", url.slice(0, start) + (rest.startsWith("/") ? rest : "/" + rest));
      try {
        response = await handler(request);
      } finally {
        unshadow(request, "url", previous);
        ctx.base = outerBase;
      }
    }
    if (!isPass(response)) return response;
    await next();
  };
}
