/**
 * `serveStatic(root, options)`: the HTTP logic of static files, written once
 * above a {@linkcode FileSource}. It imports no file system: the entry
 * points bind it to one (files.ts) or to none (files_workerd.ts, so a
 * Worker's bundle never reaches a `node:` module).
 *
 * Two paths through it. The cold path decodes and checks the request path,
 * stats the file (and its precompressed siblings), and precomputes everything
 * a response needs: validators and whole header sets. Its result is kept per
 * raw URL path for a short time (the stat cache), so the hot path is a Map
 * lookup, a few header reads and a cached answer (hot.ts) — no `new URL`, no
 * regex, and for small files no file I/O at all (the body cache).
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { canonicalPathOf } from "../internal/canonical_path.ts";
import { pathStart, rawPath as rawPathOf } from "../internal/url.ts";
import { isPass, pass } from "../pass.ts";
import { compressingStatic } from "./compress.ts";
import { checkOptions, type ServeStaticOptions, settingsOf } from "./options.ts";
import { lookup } from "./resolve.ts";
import { hotAnswer } from "./hot.ts";
import { miss, plain, redirect, respond } from "./respond.ts";
import { createServer, type StaticServer } from "./server.ts";
import { withSpaFallback } from "./spa.ts";
import type { FileSource, FileSystemAccess } from "./source.ts";

export type { ServeStaticOptions, StaticCacheOptions } from "./options.ts";

const ALLOW = "GET, HEAD";

/**
 * A `serveStatic` handler over `fileSystem`, the way its entry point's
 * runtime opens a directory path (none on Workers, where `root` must be a
 * source). The public `serveStatic` of files.ts and files_workerd.ts.
 */
export function staticHandler(
  fileSystem: FileSystemAccess | undefined,
  root: string | FileSource,
  options: ServeStaticOptions,
): Handler {
  checkOptions(root, options);
  if (typeof root === "string" && fileSystem?.available() !== true) {
    throw new TypeError("serveStatic: this runtime has no filesystem; pass a FileSource such as memorySource()");
  }
  const server = createServer(root, settingsOf(options), fileSystem);
  const handler: Handler = server.settings.spa
    ? (request) => withSpaFallback(server, request, rawPathOf(request.url), handle(server, request))
    : (request) => handle(server, request);
  return options.compress === true ? compressingStatic(handler, server.settings) : handler;
}

/**
 * One request: the method, the canonical path, then its entry. A cached
 * answer (a small file in memory, a 304, one range of a small file) is given
 * synchronously (hot.ts); everything else goes through `respond`.
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
  if (found.kind === "file") {
    const hot = hotAnswer(server, found, request, isHead);
    if (hot !== undefined) return hot;
  } else if (found.kind === "status") {
    return miss(server, found.status, request);
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

/** A `staticFiles` middleware over `fileSystem` (see {@linkcode staticHandler}). */
export function staticFilesOver(
  fileSystem: FileSystemAccess | undefined,
  root: string | FileSource,
  options: Omit<ServeStaticOptions, "fallthrough">,
): Middleware {
  const files = staticHandler(fileSystem, root, { ...options, fallthrough: true });
  return (next) => async (request) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return next(request);
    const response = await files(request);
    return isPass(response) ? next(request) : response;
  };
}
