/**
 * `serveStatic(root, options)`: the HTTP logic of static files, written once
 * above a {@linkcode FileSource}.
 *
 * Two paths through it. The cold path decodes and checks the request path,
 * stats the file (and its precompressed siblings), and precomputes everything
 * a response needs: validators and whole header sets. Its result is kept per
 * raw URL path for a short time (the stat cache), so the hot path is a Map
 * lookup, a few header reads and `new Response` — no `new URL`, no regex, and
 * for small files no file I/O at all (the body cache).
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { canonicalPathOf } from "../internal/canonical_path.ts";
import { pathStart, rawPath as rawPathOf } from "../internal/url.ts";
import { isPass, pass } from "../pass.ts";
import { checkOptions, type ServeStaticOptions, settingsOf } from "./options.ts";
import { lookup } from "./resolve.ts";
import { fromMemory, miss, plain, redirect, respond } from "./respond.ts";
import { createServer, type StaticServer } from "./server.ts";
import type { FileSource } from "./source.ts";
import { fsRuntime } from "./sources/fs.ts";
import type { FileEntry, Variant } from "./variant.ts";

export type { ServeStaticOptions, StaticCacheOptions } from "./options.ts";

const ALLOW = "GET, HEAD";

/**
 * Serves the files under `root` (a directory path on Deno, Bun and Node, or
 * any {@linkcode FileSource}, such as {@linkcode memorySource} on Workers).
 *
 * The path served is the path of `request.url`: mount the handler at a
 * prefix and the prefix is already stripped; `context(request).base` is used
 * to build the directory redirect (`/static/docs` → `/static/docs/`).
 *
 * RFC 9110 semantics: strong ETags and Last-Modified, If-Match,
 * If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304), Range
 * with single, suffix, open and multiple ranges (multipart/byteranges),
 * If-Range, 416; HEAD; 405 with Allow for other methods. Precompressed
 * siblings are negotiated by Accept-Encoding; small files are kept in memory.
 *
 * @example Standalone, mounted at a prefix
 * ```ts
 * import { mount, serve, serveStatic } from "@fetchkit/core";
 * const app = mount({ "/static": serveStatic("./public") });
 * ```
 *
 * @example In front of an app: misses fall through
 * ```ts
 * import { serveStatic } from "@fetchkit/core";
 * const files = serveStatic("./public", { fallthrough: true, listing: false });
 * ```
 */
export function serveStatic(root: string | FileSource, options: ServeStaticOptions = {}): Handler {
  checkOptions(root, options);
  if (typeof root === "string" && fsRuntime() === undefined) {
    throw new TypeError("serveStatic: this runtime has no filesystem; pass a FileSource such as memorySource()");
  }
  const server = createServer(root, settingsOf(options));
  return (request) => handle(server, request);
}

/**
 * One request: the method, the canonical path, then its entry. A small file
 * in memory asked for without conditions or ranges is answered synchronously
 * (a Map lookup and a clone); everything else goes through `respond`.
 */
function handle(server: StaticServer, request: Request): Response | Promise<Response> {
  const method = request.method;
  const isHead = method === "HEAD";
  if (method !== "GET" && !isHead) return server.settings.fallthrough ? pass() : plain(405, { allow: ALLOW });
  const rawPath = servedPath(request);
  if (rawPath === undefined) return miss(server, 400);
  if (rawPath === "") return redirect(server, request, "");
  const found = lookup(server, rawPath, Date.now());
  if (found instanceof Promise) return respond(server, request, rawPath, isHead, found);
  if (found.kind === "file" && !isHead) {
    // The hot path: synchronous whenever the body is in memory.
    const v = unconditionalHit(found, request.headers);
    if (v !== undefined) return fromMemory(v, v.body!);
  }
  return respond(server, request, rawPath, isHead, found);
}

/**
 * The canonical path, the one mount dispatched on: a file under `admin/` is
 * reached only by a request that a `/admin` mount in front of this would have
 * routed there. `""` asks for the redirect to the mount's slashed URL;
 * `undefined` is a malformed path.
 */
function servedPath(request: Request): string | undefined {
  const url = request.url;
  const rawPath = canonicalPathOf(url, pathStart(url));
  if (rawPath === "/" && context(request).base !== "") {
    // Mounted at /static and asked for /static (no slash): mount hands us "/", but relative
    // links in an index page only work from /static/.
    const original = rawPathOf(context(request).originalUrl);
    if (!original.endsWith("/")) return "";
  }
  return rawPath;
}

/** The only variant of `entry` when its body is in memory and the request has no condition or range. */
function unconditionalHit(entry: FileEntry, headers: Headers): Variant | undefined {
  const v = entry.variants.length === 1 ? entry.variants[0] : undefined;
  if (
    v !== undefined && v.body !== undefined && headers.get("if-none-match") === null &&
    headers.get("if-modified-since") === null && headers.get("range") === null &&
    headers.get("if-match") === null && headers.get("if-unmodified-since") === null
  ) {
    return v;
  }
  return undefined;
}

/**
 * Static files in front of an app, as Django's StaticFilesHandler: GET and
 * HEAD requests for existing files are answered from `root`; everything else
 * (misses, refused paths, other methods) goes to the app unchanged.
 *
 * @example Files from ./public, the rest to the app
 * ```ts
 * import { serve, staticFiles } from "@fetchkit/core";
 * const app = (request: Request) => new Response("from the app");
 * const handler = staticFiles("./public")(app);
 * ```
 */
export function staticFiles(
  root: string | FileSource,
  options: Omit<ServeStaticOptions, "fallthrough"> = {},
): Middleware {
  const files = serveStatic(root, { ...options, fallthrough: true });
  return (next) => async (request) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return next(request);
    const response = await files(request);
    return isPass(response) ? next(request) : response;
  };
}
