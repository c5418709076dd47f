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
import { type HistogramBar, LatencyHistogram } from "./histogram.ts";
import { type Mode, resolveMode } from "./mode.ts";
import { renderProfilePage } from "./profile_page.ts";
import { isResponse } from "../internal/is_response.ts";

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
  /** Opens the page to requests this predicate accepts (for example an internal network). */
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

/** Accumulated statistics of one route (method + matched mount or pattern). */
export interface RouteStats {
  /** Request method; `(other)` for extension methods past the first 16 seen. */
  method: string;
  /** The route as declared (mount prefix or pattern), `(unrouted)` when dispatch set none. */
  route: string;
  /** Requests recorded. */
  count: number;
  /** Responses with status ≥ 500 and thrown errors. */
  errors: number;
  /** Sum of latencies (ms): where the time goes. */
  totalMs: number;
  /** Mean latency (ms). */
  meanMs: number;
  /** Median latency (ms), within 1.6 %. */
  p50Ms: number;
  /** 90th percentile latency (ms). */
  p90Ms: number;
  /** 99th percentile latency (ms). */
  p99Ms: number;
  /** Largest latency (ms), exact. */
  maxMs: number;
  /** Sum of declared `Content-Length`s. */
  bytesOut: number;
  /** Responses with a body of undeclared length (streamed), not in `bytesOut`. */
  unsized: number;
}

/** Everything the profiler has accumulated. */
export interface ProfileSnapshot {
  /** When accumulation started (construction or last reset), ISO 8601. */
  since: string;
  /** Requests recorded, all routes. */
  requests: number;
  /** Errors, all routes. */
  errors: number;
  /** Requests being answered right now (all routes). */
  inFlight: number;
  /** One entry per route, the most total time first. */
  routes: RouteStats[];
  /** All routes' latencies per power of two of microseconds. */
  histogram: HistogramBar[];
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

class RouteRecord {
  readonly histogram = new LatencyHistogram();
  errors = 0;
  bytesOut = 0;
  unsized = 0;
  seen = 0;
  readonly method: string;
  readonly route: string;
  constructor(method: string, route: string) {
    this.method = method;
    this.route = route;
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

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

const MAX_CPU_SECONDS = 60;
/**
 * Extension methods kept apart besides the standard ones; later ones are
 * counted as {@linkcode OTHER_METHODS}. Why a cap: the method is the one key a
 * client chooses (Deno and Bun accept any token), and each new key would hold
 * a histogram for good.
 */
const MAX_EXTENSION_METHODS = 16;
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);
const OTHER_METHODS = "(other)";

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" from sandboxed pages
  }
}

/**
 * Accumulates per-route statistics and serves them at `/__profile__`.
 *
 * Latency is the time until the handler returned its Response (headers ready);
 * a streamed body's transfer time is not included. The page is open only in
 * development, or to a `token` or `allow` predicate: in production without
 * either it answers 404.
 *
 * @example Profile an app, open the page with a token in production
 * ```ts
 * import { profile, serve } from "@fetchkit/core";
 * const profiler = profile({ token: "a-long-secret-token", logFile: "/tmp/profile.jsonl" });
 * const app = profiler(() => new Response("Hello"));
 * // GET /__profile__?token=a-long-secret-token shows the table; ?format=json the data
 * await app(new Request("http://localhost/"));
 * profiler.snapshot().requests; // 1
 * ```
 */
export function profile(options: ProfileOptions = {}): Profiler {
  validate(options);
  // Requests are compared in canonical form, so the page's own path is kept in it too.
  const path = canonicalPath(options.path ?? "/__profile__") ?? "/__profile__";
  const mode = resolveMode(options.mode, "profile: mode");
  const { token, allow, logFile } = options;
  const discardFirst = options.discardFirst ?? false;
  const serverTiming = options.serverTiming ?? true;
  const refreshSeconds = options.refreshSeconds ?? 5;

  const byMethod = new Map<string, Map<string, RouteRecord>>();
  let extensionMethods = 0;
  // The last route recorded: most traffic repeats it, and two Map lookups cost more than two compares.
  let lastMethod = "";
  let lastRoute = "";
  let lastEntry: RouteRecord | undefined;
  let since = new Date();
  let inFlight = 0;
  let cpuBusy = false;
  let cpuSupport: Promise<string | undefined> | undefined;

  /** `bytes`: the declared length, or -1 for a body of unknown length, or -2 for no response. */
  function record(method: string, route: string, ms: number, failed: boolean, bytes: number) {
    let entry = lastEntry;
    if (entry === undefined || method !== lastMethod || route !== lastRoute) {
      entry = entryOf(method, route);
      lastMethod = method;
      lastRoute = route;
      lastEntry = entry;
    }
    if (discardFirst && entry.seen++ === 0) return;
    entry.histogram.record(ms);
    if (failed) entry.errors++;
    if (bytes >= 0) entry.bytesOut += bytes;
    else if (bytes === -1) entry.unsized++;
  }

  /** The record of a route, created on first use; extension methods past the cap share one. */
  function entryOf(method: string, route: string): RouteRecord {
    let byRoute = byMethod.get(method);
    if (byRoute === undefined) {
      if (!STANDARD_METHODS.has(method) && method !== OTHER_METHODS) {
        if (extensionMethods >= MAX_EXTENSION_METHODS) return entryOf(OTHER_METHODS, route);
        extensionMethods++;
      }
      byMethod.set(method, byRoute = new Map());
    }
    let entry = byRoute.get(route);
    if (entry === undefined) byRoute.set(route, entry = new RouteRecord(method, route));
    return entry;
  }

  function snapshot(): ProfileSnapshot {
    const routes: RouteStats[] = [];
    // All routes' histogram is summed here, not kept per request: one record per request instead of two.
    const total = new LatencyHistogram();
    let errors = 0;
    for (const byRoute of byMethod.values()) {
      for (const entry of byRoute.values()) {
        const h = entry.histogram;
        if (h.count === 0) continue;
        errors += entry.errors;
        total.merge(h);
        routes.push({
          method: entry.method,
          route: entry.route,
          count: h.count,
          errors: entry.errors,
          totalMs: h.totalMs,
          meanMs: h.meanMs,
          p50Ms: h.percentile(50),
          p90Ms: h.percentile(90),
          p99Ms: h.percentile(99),
          maxMs: h.maxMs,
          bytesOut: entry.bytesOut,
          unsized: entry.unsized,
        });
      }
    }
    routes.sort((a, b) => b.totalMs - a.totalMs);
    return { since: since.toISOString(), requests: total.count, errors, inFlight, routes, histogram: total.octaves() };
  }

  function reset(): void {
    byMethod.clear();
    extensionMethods = 0;
    lastEntry = undefined;
    since = new Date();
  }

  async function flush(): Promise<void> {
    if (logFile === undefined) return;
    const time = new Date().toISOString();
    const lines = snapshot().routes.map((route) => JSON.stringify({ time, ...route }) + "\n").join("");
    if (lines === "") return;
    const { appendText } = await import("./adapters/files.ts");
    await appendText(logFile, lines);
  }

  if (logFile !== undefined && (options.flushOnShutdown ?? true)) onShutdown(flush);

  async function allowed(request: Request, url: URL): Promise<boolean> {
    if (mode === "development") return true;
    if (token !== undefined) {
      const header = request.headers.get("authorization");
      const offered = header?.startsWith("Bearer ") ? header.slice(7).trim() : url.searchParams.get("token");
      if (offered !== null && constantTimeEqual(offered, token)) return true;
    }
    return allow !== undefined && (await allow(request)) === true;
  }

  async function page(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!(await allowed(request, url))) {
      return new Response("Not Found\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
      });
    }
    const headers = {
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
      "x-content-type-options": "nosniff",
      // The page's links carry its ?token=: no Referer may take it anywhere.
      "referrer-policy": "no-referrer",
    };
    // The page's public address: a mount shows the app its own path, the prefix is in base.
    const here = context(request).base + url.pathname +
      (url.searchParams.has("token") ? `?token=${encodeURIComponent(url.searchParams.get("token")!)}` : "");
    if (request.method === "POST") {
      // A cross-site form must not reset the data: browsers send Origin on POST.
      // Hosts, not origins, are compared: behind a TLS-terminating proxy the schemes differ.
      const origin = request.headers.get("origin");
      if (origin !== null && originHost(origin) !== url.host) {
        return new Response("Forbidden: cross-origin reset\n", { status: 403, headers });
      }
      reset();
      return new Response(null, { status: 303, headers: { ...headers, location: here } });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed\n", { status: 405, headers: { ...headers, allow: "GET, HEAD, POST" } });
    }
    if (url.searchParams.get("format") === "json") return Response.json(snapshot(), { headers });
    cpuSupport ??= import("./adapters/inspector.ts").then((m) => m.unavailableReason(), (error) => String(error));
    const cpuUnavailable = await cpuSupport;
    const cpu = url.searchParams.get("cpu");
    if (cpu !== null) {
      const seconds = Number(cpu);
      if (!(seconds > 0 && seconds <= MAX_CPU_SECONDS)) {
        return new Response(`Bad Request: cpu must be seconds from 0 to ${MAX_CPU_SECONDS}\n`, {
          status: 400,
          headers,
        });
      }
      if (cpuUnavailable !== undefined) {
        return new Response(`Not Implemented: ${cpuUnavailable}\n`, { status: 501, headers });
      }
      if (cpuBusy) return new Response("Conflict: a CPU profile is already being recorded\n", { status: 409, headers });
      cpuBusy = true;
      try {
        const { recordCpuProfile } = await import("./adapters/inspector.ts");
        const body = await recordCpuProfile(seconds, context(request).signal);
        const stamp = new Date().toISOString().replace(/[:.]/g, "-");
        return new Response(body, {
          headers: {
            ...headers,
            "content-type": "application/json",
            "content-disposition": `attachment; filename="fetchkit-${stamp}.cpuprofile"`,
          },
        });
      } finally {
        cpuBusy = false;
      }
    }
    const html = renderProfilePage(snapshot(), {
      action: here,
      token: url.searchParams.get("token") ?? undefined,
      refreshSeconds,
      cpuUnavailable,
      maxCpuSeconds: MAX_CPU_SECONDS,
    });
    return new Response(html, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
  }

  /** Whether the request is for the page: its path, as this app sees it, is exactly `path`. */
  function isPage(request: Request): boolean {
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

  function failed(request: Request, ms: number): void {
    inFlight--;
    record(request.method, context(request).route || UNROUTED, ms, true, -2);
  }

  function finish(request: Request, ms: number, response: Response): Response {
    inFlight--;
    const route = context(request).route || UNROUTED;
    if (!isResponse(response)) {
      record(request.method, route, ms, true, -2);
      return response;
    }
    const status = response.status;
    record(request.method, route, ms, status >= 500, declaredLength(response) ?? -1);
    if (!serverTiming) return response;
    const timing = "app;dur=" + formatMillis(ms, 1);
    try {
      response.headers.append("server-timing", timing);
    } catch {
      // Immutable headers (a fetch() or Response.redirect() result): a new Response shares the body.
      if (status === 101) return response;
      response = new Response(response.body, response);
      response.headers.append("server-timing", timing);
    }
    return response;
  }

  // Not an async function: a handler answering synchronously costs no promise here.
  const middleware = (next: Handler): Handler => (request) => {
    if (isPage(request)) return page(request);
    const started = startOf(request);
    inFlight++;
    let result: Response | Promise<Response>;
    try {
      result = callTimed(next, request, started);
    } catch (error) {
      failed(request, syncEndOf(request) - started);
      throw error;
    }
    if (isResponse(result)) return finish(request, syncEndOf(request) - started, result);
    return Promise.resolve(result).then(
      (response) => finish(request, asyncEndOf() - started, response),
      (error) => {
        failed(request, asyncEndOf() - started);
        throw error;
      },
    );
  };
  return Object.assign(middleware, { snapshot, reset, flush });
}
