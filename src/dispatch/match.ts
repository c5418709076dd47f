/**
 * Pattern and predicate dispatch: `match(pattern, handler)` answers the
 * requests the pattern matches and declines the others with `pass()`.
 *
 * @module
 */

import { context, type RequestContext } from "../context.ts";
import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { canonicalPathOf, canonicalUrl } from "../internal/canonical_path.ts";
import { pathStart } from "../internal/url.ts";
import { isPass, pass } from "../pass.ts";
import { joinRoute } from "./prefix.ts";
import { activeRoute, setActiveRoute } from "./route.ts";
import { isResponse } from "../internal/is_response.ts";

/** The part of the standard `URLPattern` that dispatch uses. */
export interface URLPatternLike {
  /** Matches a URL; the result holds `groups` per component. */
  exec(input: string): object | null;
  /** Pattern of the scheme (`*` for any). */
  readonly protocol: string;
  /** Pattern of the user name (`*` for any). */
  readonly username: string;
  /** Pattern of the password (`*` for any). */
  readonly password: string;
  /** Pattern of the host name (`*` for any). */
  readonly hostname: string;
  /** Pattern of the port (`*` for any). */
  readonly port: string;
  /** Pattern of the path, e.g. `/users/:id`. */
  readonly pathname: string;
  /** Pattern of the query (`*` for any). */
  readonly search: string;
  /** Pattern of the fragment (`*` for any). */
  readonly hash: string;
}

/**
 * What {@linkcode match} accepts:
 * - a `RegExp`, tested against the canonical raw path of `request.url`
 *   (relative to the mount, percent-encoded, no query; the form `mount` and
 *   `serveStatic` read, see `mount`); groups become params: named groups by
 *   name, the others by position (`"1"` is `$1`);
 * - a `URLPattern`, or a string that is a `URLPattern` pathname such as
 *   `/users/:id` (where the runtime has `URLPattern`: Deno, Bun, Node 24,
 *   workerd), matched against the URL with its canonical path; its groups
 *   become params, raw as in that URL;
 * - a predicate `(request) => boolean`, which captures nothing.
 */
export type Pattern = RegExp | URLPatternLike | string | ((request: Request) => boolean);

type Capture = (request: Request) => Record<string, string> | null;

const noParams: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** How `cascade` tries a matcher without allocating a `pass()` for a miss. */
export const attempts: WeakMap<Handler, (request: Request) => Response | Promise<Response> | undefined> = new WeakMap();

const components = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"] as const;

/** The runtime's URLPattern, or a polyfill's: anything that execs URLs and has the component patterns. */
function isURLPattern(value: unknown): value is URLPatternLike {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Partial<Record<keyof URLPatternLike, unknown>>;
  return typeof candidate.exec === "function" && components.every((name) => typeof candidate[name] === "string");
}

function compile(pattern: Pattern): { capture: Capture; route: string | undefined } {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps `lastIndex` between requests; a copy without those flags does not.
    const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    return {
      route: `${regexp.ignoreCase ? "~*" : "~"} ${regexp.source}`,
      capture(request) {
        const path = canonicalPathOf(request.url, pathStart(request.url));
        const found = path === undefined ? null : regexp.exec(path);
        if (found === null) return null;
        if (found.length === 1) return noParams;
        const params: Record<string, string> = {};
        for (let i = 1; i < found.length; i++) if (found[i] !== undefined) params[i] = found[i];
        if (found.groups) {
          for (const name in found.groups) if (found.groups[name] !== undefined) params[name] = found.groups[name];
        }
        return params;
      },
    };
  }
  if (typeof pattern === "string") {
    const URLPattern = (globalThis as { URLPattern?: new (init: { pathname: string }) => URLPatternLike }).URLPattern;
    if (URLPattern === undefined) {
      throw new TypeError(
        `match: pattern ${JSON.stringify(pattern)} needs URLPattern, which this runtime lacks; use a RegExp`,
      );
    }
    if (!pattern.startsWith("/")) {
      throw new TypeError(`match: a string pattern is a path and must start with "/", got ${JSON.stringify(pattern)}`);
    }
    return compile(new URLPattern({ pathname: pattern }));
  }
  if (isURLPattern(pattern)) {
    const used = components.filter((name) => pattern[name] !== "*");
    return {
      route: used.length === 1 && used[0] === "pathname"
        ? pattern.pathname
        : used.map((name) => `${name}=${pattern[name]}`).join(" "),
      capture(request) {
        const url = canonicalUrl(request.url, pathStart(request.url));
        const result = (url === undefined ? null : pattern.exec(url)) as
          | Record<string, { groups: Record<string, string | undefined> }>
          | null;
        if (result === null) return null;
        let params = noParams;
        for (const name of used) {
          const groups = result[name].groups;
          for (const key in groups) {
            if (groups[key] === undefined) continue;
            if (params === noParams) params = {};
            params[key] = groups[key];
          }
        }
        return params;
      },
    };
  }
  if (typeof pattern === "function") {
    return { route: undefined, capture: (request) => (pattern(request) ? noParams : null) };
  }
  throw new TypeError(
    `match: pattern must be a RegExp, a URLPattern, a path string or a predicate, got ${describe(pattern)}`,
  );
}

/**
 * Answers the requests a pattern matches with `handler`, and declines the
 * others with {@linkcode pass}, so it composes with `mount` (falls through)
 * and {@linkcode cascade} (tries the next). While `handler` runs,
 * `context(request).params` holds the captured groups (merged over any outer
 * ones) and `context(request).route` the pattern as declared; both are
 * restored when it declines.
 *
 * @example Apache's `<LocationMatch "\.(jpg|gif|png)$">`, and a URLPattern
 * ```ts
 * import { cascade, context, match } from "@fetchkit/core";
 * const images = (request: Request) => new Response(`image of type ${context(request).params[1]}`);
 * const user = (request: Request) => new Response(`user ${context(request).params.id}`);
 * const site = cascade(
 *   match(/\.(jpg|gif|png)$/, images),
 *   match("/users/:id", user),
 *   () => new Response("the rest"),
 * );
 * await (await site(new Request("http://localhost/a/b.png"))).text(); // "image of type png"
 * ```
 */
export function match(pattern: Pattern, handler: HandlerLike): Handler {
  const { capture, route } = compile(pattern);
  const inner = toHandler(handler, "match: handler");
  const attempt = (request: Request): Response | Promise<Response> | undefined => {
    const params = capture(request);
    if (params === null) return undefined;
    const ctx = context(request);
    const view: View = {
      ctx,
      params: params === noParams ? undefined : ctx.params,
      route: ctx.route,
      active: route === undefined ? undefined : activeRoute(ctx),
    };
    if (view.params !== undefined) ctx.params = { ...view.params, ...params };
    if (view.active !== undefined) {
      const joined = joinRoute(view.active, route!);
      ctx.route = joined;
      setActiveRoute(ctx, joined);
    }
    let result: Response | Promise<Response>;
    try {
      result = inner(request);
    } catch (error) {
      leave(view, undefined);
      throw error;
    }
    if (!isResponse(result)) return settle(view, result);
    leave(view, result);
    return result;
  };
  const matched = (request: Request): Response | Promise<Response> => attempt(request) ?? pass();
  attempts.set(matched, attempt);
  return matched;
}

/** What a match changed in the context, to undo. */
interface View {
  ctx: RequestContext;
  /** The params before the match added its own; `undefined` when it captured none. */
  params: Record<string, string> | undefined;
  /** `context(request).route` before. */
  route: string;
  /** The enclosing dispatchers' route; `undefined` when the pattern adds no route (a predicate). */
  active: string | undefined;
}

/**
 * After the handler: the enclosing route is active again; when it declined,
 * params and route are as before too. (After an answer they stay, naming what
 * answered.)
 */
function leave(view: View, response: Response | undefined): void {
  if (view.active !== undefined) setActiveRoute(view.ctx, view.active);
  if (response !== undefined && !isPass(response)) return;
  if (view.params !== undefined) view.ctx.params = view.params;
  view.ctx.route = view.route;
}

async function settle(view: View, pending: Promise<Response>): Promise<Response> {
  let response: Response | undefined;
  try {
    response = await pending;
  } finally {
    leave(view, response);
  }
  return response;
}
