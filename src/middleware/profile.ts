/**
 * The accumulating profiler (after repoze.profile): per-route statistics
 * across requests, a `Server-Timing` header on every response, and a page at
 * `/__profile__` with a sortable table, a latency histogram, a reset button,
 * JSON, and CPU profiles where the runtime has `node:inspector`.
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { canonicalEnd, canonicalPath, canonicalPathOf } from "../internal/canonical_path.ts";
import { pathStart } from "../internal/url.ts";
import { onShutdown } from "../lifecycle.ts";
import { asyncEndOf, callTimed, declaredLength, formatMillis, startOf, syncEndOf } from "./measure.ts";
import { type Mode, resolveMode } from "./mode.ts";
import { answerPage, type Endpoint } from "./profile_endpoint.ts";
import { NO_RESPONSE, RouteStatistics, UNSIZED } from "./profile_stats.ts";
import type { ProfileSnapshot } from "./profile_types.ts";
import { isResponse } from "../internal/is_response.ts";

export type { ProfileSnapshot, RouteStats, WebSocketRouteStats, WebSocketSnapshot } from "./profile_types.ts";

/** Options of {@linkcode profile}. */
export interface ProfileOptions {
  /** Where the page is served, below the mount prefix. Default `/__profile__`. */
  path?: string;
  /** The page is open in development; see {@linkcode resolveMode}. Default from `FETCHKIT_ENV`/`NODE_ENV`. */
  mode?: Mode;
  /**
   * Opens the page in production to whoever sends this token, as
   * `Authorization: Bearer <token>` or `?token=<token>`.
   */
  token?: string;
  /**
   * Opens the page to requests this predicate accepts (for example an
   * internal network). The same guard (development, `token`, `allow`)
   * protects `?format=json` and `?format=prometheus`.
   */
  allow?: (request: Request) => boolean | Promise<boolean>;
  /** Leaves each route's first request out of the statistics (lazy imports, cold JIT). Default false. */
  discardFirst?: boolean;
  /** A file that {@linkcode Profiler.flush} appends one JSON line per route to. */
  logFile?: string;
  /** Flush to `logFile` when the server shuts down gracefully. Default true when `logFile` is set. */
  flushOnShutdown?: boolean;
  /** Add `Server-Timing: app;dur=<ms>` to every response. Default true. */
  serverTiming?: boolean;
  /** Seconds between page refreshes; 0 turns it off. Default 5. */
  refreshSeconds?: number;
}

/** The middleware returned by {@linkcode profile}, with its data at hand. */
export interface Profiler extends Middleware {
  /** The statistics so far. */
  snapshot(): ProfileSnapshot;
  /** Forgets everything accumulated. */
  reset(): void;
  /** Appends the current statistics to `logFile` as JSON lines (one per route). */
  flush(): Promise<void>;
}

/** The label of requests for which dispatch named no route. */
export const UNROUTED = "(unrouted)";

function validate(options: ProfileOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`profile: options must be an object, got ${describe(options)}`);
  }
  const { path, token, allow, logFile, refreshSeconds } = options;
  if (path !== undefined && (typeof path !== "string" || !path.startsWith("/") || /[?#]/.test(path))) {
    throw new TypeError(`profile: path must be a string starting with "/" (no query), got ${describe(path)}`);
  }
  if (token !== undefined && (typeof token !== "string" || token.length < 8)) {
    throw new TypeError(`profile: token must be a string of at least 8 characters, got ${describe(token)}`);
  }
  if (allow !== undefined && typeof allow !== "function") {
    throw new TypeError(`profile: allow must be a function (request) => boolean, got ${describe(allow)}`);
  }
  if (logFile !== undefined && (typeof logFile !== "string" || logFile === "")) {
    throw new TypeError(`profile: logFile must be a file path, got ${describe(logFile)}`);
  }
  if (refreshSeconds !== undefined && !(typeof refreshSeconds === "number" && refreshSeconds >= 0)) {
    throw new TypeError(`profile: refreshSeconds must be a number ≥ 0, got ${describe(refreshSeconds)}`);
  }
}

/**
 * Accumulates per-route statistics and serves them at `/__profile__`.
 *
 * Latency is the time until the handler returned its Response (headers ready);
 * a streamed body's transfer time is not included. The page is open only in
 * development, or to a `token` or `allow` predicate: to anyone else the
 * request goes on to the app, which answers it as any path it does not know
 * (its own 404), so the page's existence is not given away.
 *
 * @example Profile an app, open the page with a token in production
 * ```ts
 * import { profile } from "@fetchkit/core/middleware";
 * import { serve } from "@fetchkit/core";
 * const profiler = profile({ token: "a-long-secret-token", logFile: "/tmp/profile.jsonl" });
 * const app = profiler(() => new Response("Hello"));
 * // GET /__profile__?token=a-long-secret-token shows the table; ?format=json the data
 * await app(new Request("http://localhost/"));
 * profiler.snapshot().requests; // 1
 * ```
 */
export function profile(options: ProfileOptions = {}): Profiler {
  validate(options);
  const state = profileState(options);
  const snapshot = () => state.stats.snapshot();
  const reset = () => state.stats.reset();
  const flush = () => flushStats(state);
  if (state.logFile !== undefined && (options.flushOnShutdown ?? true)) onShutdown(flush);
  const middleware = (next: Handler): Handler => (request) => profiled(state, next, request);
  return Object.assign(middleware, { snapshot, reset, flush });
}

/** One profiler's settings and data: what its middleware, its page and its {@linkcode Profiler} methods share. */
interface ProfileState extends Endpoint {
  /** The page's path, canonical: requests are compared in canonical form. */
  readonly path: string;
  readonly serverTiming: boolean;
  readonly logFile: string | undefined;
}

function profileState(options: ProfileOptions): ProfileState {
  return {
    path: canonicalPath(options.path ?? "/__profile__") ?? "/__profile__",
    mode: resolveMode(options.mode, "profile: mode"),
    token: options.token,
    allow: options.allow,
    refreshSeconds: options.refreshSeconds ?? 5,
    serverTiming: options.serverTiming ?? true,
    logFile: options.logFile,
    stats: new RouteStatistics(options.discardFirst ?? false),
    cpuBusy: false,
    cpuSupport: undefined,
  };
}

/** Appends one JSON line per route to `logFile`, when there is one and anything to write. */
async function flushStats(state: ProfileState): Promise<void> {
  const logFile = state.logFile;
  if (logFile === undefined) return;
  const time = new Date().toISOString();
  const lines = state.stats.snapshot().routes.map((route) => JSON.stringify({ time, ...route }) + "\n").join("");
  if (lines === "") return;
  const { appendText } = await import("./adapters/files.ts");
  await appendText(logFile, lines);
}

/**
 * The middleware's work for one request: the page, or the app timed and
 * recorded. Not an async function: a handler answering synchronously costs no
 * promise here.
 */
function profiled(state: ProfileState, next: Handler, request: Request): Response | Promise<Response> {
  // Whoever may not see the page gets what the app answers for that path, so nothing tells them it is there.
  if (isPage(state.path, request)) return answerPage(state, request, () => timed(state, next, request));
  return timed(state, next, request);
}

/** The app's answer, timed and recorded. */
function timed(state: ProfileState, next: Handler, request: Request): Response | Promise<Response> {
  const started = startOf(request);
  state.stats.inFlight++;
  let result: Response | Promise<Response>;
  try {
    result = callTimed(next, request, started);
  } catch (error) {
    failed(state, request, syncEndOf(request) - started);
    throw error;
  }
  if (isResponse(result)) return finish(state, request, syncEndOf(request) - started, result);
  return Promise.resolve(result).then(
    (response) => finish(state, request, asyncEndOf() - started, response),
    (error) => {
      failed(state, request, asyncEndOf() - started);
      throw error;
    },
  );
}

/** Whether the request is for the page: its path, as this app sees it, is exactly `path`. */
function isPage(path: string, request: Request): boolean {
  const url = request.url;
  const start = pathStart(url);
  if (start < 0) return false;
  // Fast: the URL names the page as written; else the page is found by the canonical path, as a mount would.
  if (url.startsWith(path, start)) {
    const after = url.charCodeAt(start + path.length);
    if (Number.isNaN(after) || after === 63 /* ? */ || after === 35 /* # */) return true;
  }
  return canonicalEnd(url, start) < 0 && canonicalPathOf(url, start) === path;
}

/** Records a request whose handler threw or rejected. */
function failed(state: ProfileState, request: Request, ms: number): void {
  state.stats.inFlight--;
  state.stats.record(request.method, context(request).route || UNROUTED, ms, 500, NO_RESPONSE);
}

/** Records an answered request and adds its `Server-Timing`. */
function finish(state: ProfileState, request: Request, ms: number, response: Response): Response {
  const stats = state.stats;
  stats.inFlight--;
  const route = context(request).route || UNROUTED;
  if (!isResponse(response)) {
    stats.record(request.method, route, ms, 500, NO_RESPONSE);
    return response;
  }
  const status = response.status;
  stats.record(request.method, route, ms, status, declaredLength(response) ?? UNSIZED);
  if (status === 101) stats.webSockets.watch(request.method, route, response);
  return state.serverTiming ? withServerTiming(response, "app;dur=" + formatMillis(ms, 1)) : response;
}

function withServerTiming(response: Response, timing: string): Response {
  try {
    response.headers.append("server-timing", timing);
  } catch {
    // Immutable headers (a fetch() or Response.redirect() result): a new Response shares the body.
    if (response.status === 101) return response;
    response = new Response(response.body, response);
    response.headers.append("server-timing", timing);
  }
  return response;
}
