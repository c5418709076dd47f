/**
 * `mount()`: a table from URL prefix to app, with the WSGI contract of
 * SCRIPT_NAME and PATH_INFO.
 *
 * @module
 */

import { context, type RequestContext } from "../context.ts";
import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { pathStart } from "../internal/url.ts";
import { isPass, pass } from "../pass.ts";
import { badPath } from "./path.ts";
import { canonicalEnd, canonicalUrl, MALFORMED, pathStop } from "../internal/canonical_path.ts";
import { joinRoute, normalizePrefix } from "./prefix.ts";
import { activeRoute, setActiveRoute } from "./route.ts";
import { shadow, unshadow } from "../internal/shadow.ts";
import { buildTrie, longestPrefix, type TrieNode } from "./trie.ts";
import { isResponse } from "../internal/is_response.ts";
import { isWebSocketRequest } from "../websocket.ts";

/**
 * What a mount does with a request for its prefix without the trailing slash
 * (`/docs` for a mount at `/docs`):
 * - `"accept"` (the default): hand it to the app, as Express, Werkzeug's
 *   dispatcher and Hono do; a stripping mount shows it as `/` (the one
 *   declared collapse, `context(request).originalUrl` still tells them apart),
 *   a non-stripping mount shows `/docs` unchanged. `mount({ "/health": h })`
 *   answers `/health` itself. A page served at `/docs` resolves relative
 *   links against `/`, not `/docs/`: build links from `context(request).base`
 *   (`serveStatic` redirects a directory to its slash form itself).
 * - `"redirect"`: answer 308 (which keeps the method and body) to `/docs/`,
 *   query kept: for an app whose pages use relative links. A WebSocket
 *   handshake is accepted instead (its clients follow no redirect).
 * - `"strict"`: `/docs` is not part of this mount; dispatch falls through to
 *   the next-shorter prefix.
 */
export type TrailingSlash = "redirect" | "accept" | "strict";

/**
 * A mount with options; a bare handler or app in the table means
 * `{ app }` with every option at its default.
 */
export interface MountOptions {
  /** The handler, or anything with a `fetch` method (a Hono app, a Workers `{ fetch }`). */
  app: HandlerLike;
  /**
   * Strip the prefix from `request.url` (the app sees PATH_INFO). Default
   * `true`; `false` shows the app the path its mount saw, prefix included.
   */
  stripPrefix?: boolean;
  /**
   * Set the `X-Forwarded-Prefix` request header to the app's mount prefix
   * (SCRIPT_NAME), and remove any the client sent: for foreign apps that only
   * see a Request. Default `false`.
   */
  forwardedPrefix?: boolean;
  /** Policy for the prefix without its trailing slash; see {@linkcode TrailingSlash}. */
  trailingSlash?: TrailingSlash;
  /**
   * Treat any 404 from this app as a {@linkcode pass}, so dispatch falls
   * through to the next-shorter prefix: for foreign apps that cannot call
   * `pass()`. Default `false`.
   */
  passOn404?: boolean;
}

/** The table given to {@linkcode mount}: prefix to handler, app or {@linkcode MountOptions}. */
export type MountTable = Record<string, HandlerLike | MountOptions>;

interface Mount {
  /** Normalized and percent-encoded; `/` for the root. */
  prefix: string;
  /** Characters stripped from the path: 0 for the root. */
  length: number;
  handler: Handler;
  strip: boolean;
  forwarded: boolean;
  trailingSlash: TrailingSlash;
  passOn404: boolean;
  /** The mount of the nearest shorter prefix, tried when this one declines. */
  fallback: Mount | undefined;
}

const optionNames = new Set(["app", "stripPrefix", "forwardedPrefix", "trailingSlash", "passOn404"]);
const policies = new Set<unknown>(["redirect", "accept", "strict"]);

function boolean(value: unknown, fallback: boolean, where: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${where} must be true or false, got ${describe(value)}`);
  return value;
}

function toMount(declared: string, value: unknown): Mount {
  const prefix = normalizePrefix(declared, "mount");
  const where = `mount: ${JSON.stringify(declared)}`;
  const isOptions = value !== null && typeof value === "object" &&
    typeof (value as { fetch?: unknown }).fetch !== "function" && "app" in value;
  if (!isOptions) {
    const handler = toHandler(value as HandlerLike, where);
    return {
      prefix,
      length: prefix === "/" ? 0 : prefix.length,
      handler,
      strip: true,
      forwarded: false,
      trailingSlash: "accept",
      passOn404: false,
      fallback: undefined,
    };
  }
  const options = value as MountOptions;
  for (const name of Object.keys(options)) {
    if (!optionNames.has(name)) {
      throw new TypeError(`${where}: unknown option ${JSON.stringify(name)}; known: ${[...optionNames].join(", ")}`);
    }
  }
  const strip = boolean(options.stripPrefix, true, `${where}: stripPrefix`);
  const trailingSlash = options.trailingSlash ?? "accept";
  if (!policies.has(trailingSlash)) {
    throw new TypeError(
      `${where}: trailingSlash must be "redirect", "accept" or "strict", got ${describe(trailingSlash)}`,
    );
  }
  return {
    prefix,
    length: prefix === "/" ? 0 : prefix.length,
    handler: toHandler(options.app, `${where}: app`),
    strip,
    forwarded: boolean(options.forwardedPrefix, false, `${where}: forwardedPrefix`),
    trailingSlash,
    passOn404: boolean(options.passOn404, false, `${where}: passOn404`),
    fallback: undefined,
  };
}

/**
 * Mounts apps by URL prefix, CherryPy's `WSGIPathInfoDispatcher` for Fetch
 * handlers.
 *
 * - The longest prefix wins, on segment boundaries, whatever the declaration
 *   order: `/static` matches `/static/a`, never `/staticky`.
 * - The app sees the path relative to its mount (PATH_INFO) in `request.url`;
 *   `context(request).base` is the mount prefix (SCRIPT_NAME) accumulated
 *   through nested mounts, and `context(request).originalUrl` the full URL.
 *   The Request is never copied: a WebSocket upgrade works through a mount.
 * - It matches the canonical path (src/internal/canonical_path.ts), the one
 *   `serveStatic` resolves files from: `//admin`, `/%61dmin`, `/./admin` and
 *   `/admin` all reach the `/admin` mount, so a guard mounted there cannot be
 *   walked around. A request whose path is not canonical is dispatched (and
 *   seen by the app) as its canonical twin; `context(request).originalUrl`
 *   keeps what was received. A malformed `%` escape is answered 400.
 * - The prefix is stripped from the raw (percent-encoded) canonical path.
 * - An app declines with {@linkcode pass} (or any 404 with `passOn404`), and
 *   the next-shorter prefix gets the request; when nothing is left the mount
 *   itself answers `pass()`, a 404 an outer dispatcher can fall through.
 *
 * A prefix starts with `/` and does not end with `/` (except the root `/`);
 * anything else is a `TypeError` that shows the corrected prefix.
 *
 * @example Apps side by side, one of them foreign
 * ```ts
 * import { context, mount } from "@fetchkit/core";
 * const app = mount({
 *   "/": () => new Response("home"),
 *   "/blog": (request) => {
 *     const path = new URL(request.url).pathname; // "/posts/1" for /blog/posts/1
 *     return new Response(`<a href="${context(request).base}/feed">feed</a> ${path}`);
 *   },
 *   "/api": { app: { fetch: () => Response.json({ ok: true }) }, forwardedPrefix: true },
 * });
 * await (await app(new Request("http://localhost/blog/posts/1"))).text();
 * // '<a href="/blog/feed">feed</a> /posts/1'
 * ```
 */
export function mount(routes: MountTable): Handler {
  if (routes === null || typeof routes !== "object" || Array.isArray(routes)) {
    throw new TypeError(`mount: routes must be an object from prefix to handler, got ${describe(routes)}`);
  }
  const mounts = new Map<string, Mount>();
  const declaredAs = new Map<string, string>();
  for (const [declared, value] of Object.entries(routes)) {
    const entry = toMount(declared, value);
    const twin = declaredAs.get(entry.prefix);
    if (twin !== undefined) {
      throw new TypeError(`mount: prefixes ${JSON.stringify(twin)} and ${JSON.stringify(declared)} are the same path`);
    }
    declaredAs.set(entry.prefix, declared);
    mounts.set(entry.prefix, entry);
  }
  const root = buildTrie(mounts, (entry, shorter) => (entry.fallback = shorter));

  return function mounted(request: Request): Response | Promise<Response> {
    const url = request.url;
    const start = pathStart(url);
    if (start < 0) return badPath("the URL has no path");
    const end = canonicalEnd(url, start);
    if (end === MALFORMED) return badPath("malformed percent-escape in the path");
    if (end < 0) return dispatchCanonical(request, url, start, root);
    const first = longestPrefix(root, url, start, end);
    return first === undefined ? pass() : dispatch(request, url, start, end, first);
  };
}

/**
 * Dispatches a request whose path is not canonical (`//admin`, `/%61dmin`,
 * Deno's raw `/static/../admin`) on its canonical twin, which the app sees
 * too, so every part after dispatch reads the path dispatch matched.
 */
function dispatchCanonical(
  request: Request,
  raw: string,
  start: number,
  root: TrieNode<Mount>,
): Response | Promise<Response> {
  const url = canonicalUrl(raw, start);
  if (url === undefined) return badPath("malformed percent-escape in the path");
  const end = pathStop(url, start);
  const first = longestPrefix(root, url, start, end);
  if (first === undefined) return pass();
  if (url === raw) return dispatch(request, url, start, end, first); // "/caf%C3%A9" is canonical already
  shadow(request, "url", url);
  let result: Response | Promise<Response>;
  try {
    result = dispatch(request, url, start, end, first);
  } catch (error) {
    unshadow(request, "url", raw);
    throw error;
  }
  if (isResponse(result)) {
    unshadow(request, "url", raw);
    return result;
  }
  return Promise.resolve(result).finally(() => unshadow(request, "url", raw));
}

/**
 * Tries `first`, then the shorter prefixes it falls back to. Synchronous as
 * long as the apps answer synchronously: no promise, no closure per request;
 * an app that returns a promise continues in {@linkcode settle}, which keeps
 * the app's view in place until the promise settles.
 */
function dispatch(
  request: Request,
  url: string,
  start: number,
  end: number,
  first: Mount | undefined,
): Response | Promise<Response> {
  const ctx = context(request);
  const outerBase = ctx.base;
  const previousRoute = ctx.route;
  const outerRoute = activeRoute(ctx);
  for (let entry = first; entry !== undefined; entry = entry.fallback) {
    const bare = entry.length > 0 && start + entry.length === end;
    // A WebSocket client follows no redirect: its handshake at `/ws` is the mounted app's `/`.
    if (bare && entry.trailingSlash !== "accept" && !isWebSocketRequest(request)) {
      if (entry.trailingSlash === "strict") continue;
      ctx.route = joinRoute(outerRoute, entry.prefix);
      return redirectToDirectory(outerBase + url.slice(start, end) + "/" + url.slice(end));
    }
    const route = joinRoute(outerRoute, entry.prefix);
    ctx.route = route;
    setActiveRoute(ctx, route);
    const stripping = entry.strip && entry.length > 0;
    let result: Response | Promise<Response>;
    let headers: Headers | undefined;
    if (!stripping && !entry.forwarded) {
      try {
        result = entry.handler(request);
      } catch (error) {
        setActiveRoute(ctx, outerRoute);
        throw error;
      }
      if (!isResponse(result)) {
        return settle(result, { request, ctx, url, start, end, entry, outerBase, outerRoute, previousRoute, headers });
      }
      setActiveRoute(ctx, outerRoute);
    } else {
      // The app's view: PATH_INFO in `url`, SCRIPT_NAME in `base`, undone once it has answered.
      const base = stripping ? outerBase + entry.prefix : outerBase;
      if (entry.forwarded) headers = shadow(request, "headers", withForwardedPrefix(request.headers, base));
      if (stripping) {
        shadow(
          request,
          "url",
          bare ? url.slice(0, start) + "/" + url.slice(end) : url.slice(0, start) + url.slice(start + entry.length),
        );
      }
      ctx.base = base;
      try {
        result = entry.handler(request);
      } catch (error) {
        unshadowView(request, url, headers);
        leaveMount(ctx, outerBase, outerRoute);
        throw error;
      }
      if (!isResponse(result)) {
        return settle(result, { request, ctx, url, start, end, entry, outerBase, outerRoute, previousRoute, headers });
      }
      unshadowView(request, url, headers);
      leaveMount(ctx, outerBase, outerRoute);
    }
    if (!declined(result, entry)) return result;
    ctx.route = previousRoute;
  }
  return pass();
}

/** Shows the Request as it was before the app's view: `url` and, when they were shadowed, its own `headers`. */
function unshadowView(request: Request, url: string, headers: Headers | undefined): void {
  if (request.url !== url) unshadow(request, "url", url);
  if (headers !== undefined) unshadow(request, "headers", headers);
}

/** Puts back the context outside the mount: its base (SCRIPT_NAME) and the route inner dispatchers build on. */
function leaveMount(ctx: RequestContext, outerBase: string, outerRoute: string): void {
  ctx.base = outerBase;
  setActiveRoute(ctx, outerRoute);
}

/**
 * A dispatch waiting for an app that answered with a promise: what
 * {@linkcode settle} undoes once it settles, and where dispatch goes on when
 * the app declines. Made only then, so the synchronous path allocates
 * nothing; the asynchronous one allocates a promise anyway.
 */
interface Pending {
  readonly request: Request;
  readonly ctx: RequestContext;
  /** The URL dispatch matched on, and its path's bounds. */
  readonly url: string;
  readonly start: number;
  readonly end: number;
  /** The mount whose app is answering. */
  readonly entry: Mount;
  /** The base and the active route outside the mount, put back once the app has answered. */
  readonly outerBase: string;
  readonly outerRoute: string;
  /** `context(request).route` before this dispatch, put back when the app declines. */
  readonly previousRoute: string;
  /** The Request's own headers when the app sees shadowed ones, else `undefined`. */
  readonly headers: Headers | undefined;
}

/**
 * The asynchronous half of {@linkcode dispatch}: the app's view stays in
 * place until its promise settles, since an async app (or a mount nested in
 * it) reads `request.url` and the context after its first `await`.
 */
async function settle(answer: Promise<Response>, at: Pending): Promise<Response> {
  let response: Response;
  try {
    response = await answer;
  } finally {
    unshadowView(at.request, at.url, at.headers);
    leaveMount(at.ctx, at.outerBase, at.outerRoute);
  }
  if (!declined(response, at.entry)) return response;
  at.ctx.route = at.previousRoute;
  return dispatch(at.request, at.url, at.start, at.end, at.entry.fallback);
}

function declined(response: Response, entry: Mount): boolean {
  if (isPass(response)) return true;
  if (!entry.passOn404 || response?.status !== 404) return false;
  discard(response);
  return true;
}

function withForwardedPrefix(headers: Headers, base: string): Headers {
  const copy = new Headers(headers);
  // Always overwritten: a client must not choose the prefix an app builds links with.
  if (base === "") copy.delete("x-forwarded-prefix");
  else copy.set("x-forwarded-prefix", base);
  return copy;
}

/**
 * The 308 from `/p` to `/p/`. The location is a path (same origin); a leading
 * `//` or `/\` would make it protocol-relative (`//evil.com/`), so any run of
 * slashes at its start is collapsed to one. Mount prefixes cannot produce one;
 * this holds even when a foreign middleware set an odd `base`.
 */
function redirectToDirectory(location: string): Response {
  const safe = location.replace(/^[/\\]+/, "/");
  return new Response(null, { status: 308, headers: { location: safe, "content-length": "0" } });
}

/** Releases the body of a declined 404 (a foreign app's may hold a stream). */
function discard(response: Response): void {
  if (response.body === null || response.bodyUsed) return;
  response.body.cancel().catch(() => {});
}
