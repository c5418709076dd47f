/**
 * The profiler's page endpoint: who may see it (development, a token, an
 * `allow` predicate), the reset (POST, same origin only), the JSON, the
 * Prometheus text, the CPU profile and the HTML page.
 *
 * @module
 */
import { context } from "../context.ts";
import type { Mode } from "./mode.ts";
import { renderProfilePage } from "./profile_page.ts";
import { PROMETHEUS_TYPE, renderPrometheus } from "./profile_prometheus.ts";
import type { RouteStatistics } from "./profile_stats.ts";
import { textResponse } from "../internal/body_length.ts";

/** The longest CPU profile the page records, in seconds. */
const MAX_CPU_SECONDS = 60;

/** What the endpoint needs: the settings it was made with, the statistics, and the one CPU profile running. */
export interface Endpoint {
  readonly mode: Mode;
  readonly token: string | undefined;
  readonly allow: ((request: Request) => boolean | Promise<boolean>) | undefined;
  readonly refreshSeconds: number;
  readonly stats: RouteStatistics;
  /** A CPU profile is being recorded: the inspector records one at a time. */
  cpuBusy: boolean;
  /** Why CPU profiles are unavailable (`undefined`: they work), found out on the first visit. */
  cpuSupport: Promise<string | undefined> | undefined;
}

/** Headers of every answer of the page's own. */
const PAGE_HEADERS = {
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
  "x-content-type-options": "nosniff",
  // The page's links carry its ?token=: no Referer may take it anywhere.
  "referrer-policy": "no-referrer",
};

/** Answers a request for the page; whoever may not see it gets `app()`, the app's own answer, as if there were no page. */
export async function answerPage(
  endpoint: Endpoint,
  request: Request,
  app: () => Response | Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  if (!(await allowed(endpoint, request, url))) return app();
  if (request.method === "POST") return answerReset(endpoint, request, url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return textResponse("Method Not Allowed\n", {
      status: 405,
      headers: { ...PAGE_HEADERS, allow: "GET, HEAD, POST" },
    });
  }
  if (url.searchParams.get("format") === "json") {
    return textResponse(JSON.stringify(endpoint.stats.snapshot()), {
      headers: { ...PAGE_HEADERS, "content-type": "application/json" },
    });
  }
  if (url.searchParams.get("format") === "prometheus") {
    return textResponse(renderPrometheus(endpoint.stats), {
      headers: { ...PAGE_HEADERS, "content-type": PROMETHEUS_TYPE },
    });
  }
  endpoint.cpuSupport ??= import("./adapters/inspector.ts").then(
    (m) => m.unavailableReason(),
    (error) => String(error),
  );
  const cpuUnavailable = await endpoint.cpuSupport;
  const cpu = url.searchParams.get("cpu");
  if (cpu !== null) return answerCpuProfile(endpoint, request, cpu, cpuUnavailable);
  const html = renderProfilePage(endpoint.stats.snapshot(), {
    action: pageAddress(request, url),
    token: url.searchParams.get("token") ?? undefined,
    refreshSeconds: endpoint.refreshSeconds,
    cpuUnavailable,
    maxCpuSeconds: MAX_CPU_SECONDS,
  });
  return textResponse(html, { headers: { ...PAGE_HEADERS, "content-type": "text/html; charset=utf-8" } });
}

/** Open in development; else to the token (header or query) or to what `allow` accepts. */
async function allowed(endpoint: Endpoint, request: Request, url: URL): Promise<boolean> {
  if (endpoint.mode === "development") return true;
  const { token, allow } = endpoint;
  if (token !== undefined) {
    const header = request.headers.get("authorization");
    const offered = header?.startsWith("Bearer ") ? header.slice(7).trim() : url.searchParams.get("token");
    if (offered !== null && constantTimeEqual(offered, token)) return true;
  }
  return allow !== undefined && (await allow(request)) === true;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The page's public address: a mount shows the app its own path, the prefix is in base. */
function pageAddress(request: Request, url: URL): string {
  const token = url.searchParams.get("token");
  return context(request).base + url.pathname + (token !== null ? `?token=${encodeURIComponent(token)}` : "");
}

/** The reset button: forgets the statistics and sends the browser back to the page. */
function answerReset(endpoint: Endpoint, request: Request, url: URL): Response {
  // A cross-site form must not reset the data: browsers send Origin on POST.
  // Hosts, not origins, are compared: behind a TLS-terminating proxy the schemes differ.
  if (!sameOrigin(request, url)) {
    return textResponse("Forbidden: cross-origin reset\n", { status: 403, headers: PAGE_HEADERS });
  }
  endpoint.stats.reset();
  return new Response(null, {
    status: 303,
    headers: { ...PAGE_HEADERS, location: pageAddress(request, url), "content-length": "0" },
  });
}

/**
 * Whether a POST comes from this page's own origin (or from no browser page).
 * Why Sec-Fetch-Site too: this page's `Referrer-Policy: no-referrer` makes a
 * browser send `Origin: null` with its own Reset form; the browser's
 * `Sec-Fetch-Site` still says where the form was.
 */
function sameOrigin(request: Request, url: URL): boolean {
  const origin = request.headers.get("origin");
  if (origin === null || originHost(origin) === url.host) return true;
  return origin === "null" && request.headers.get("sec-fetch-site") === "same-origin";
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" from sandboxed pages
  }
}

/** `?cpu=<seconds>`: records a CPU profile for that long and answers it as a `.cpuprofile` download. */
async function answerCpuProfile(
  endpoint: Endpoint,
  request: Request,
  cpu: string,
  cpuUnavailable: string | undefined,
): Promise<Response> {
  const seconds = Number(cpu);
  if (!(seconds > 0 && seconds <= MAX_CPU_SECONDS)) {
    return textResponse(`Bad Request: cpu must be seconds from 0 to ${MAX_CPU_SECONDS}\n`, {
      status: 400,
      headers: PAGE_HEADERS,
    });
  }
  if (cpuUnavailable !== undefined) {
    return textResponse(`Not Implemented: ${cpuUnavailable}\n`, { status: 501, headers: PAGE_HEADERS });
  }
  if (endpoint.cpuBusy) {
    return textResponse("Conflict: a CPU profile is already being recorded\n", { status: 409, headers: PAGE_HEADERS });
  }
  endpoint.cpuBusy = true;
  try {
    const { recordCpuProfile } = await import("./adapters/inspector.ts");
    const body = await recordCpuProfile(seconds, context(request).signal);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return textResponse(body, {
      headers: {
        ...PAGE_HEADERS,
        "content-type": "application/json",
        "content-disposition": `attachment; filename="fetchkit-${stamp}.cpuprofile"`,
      },
    });
  } finally {
    endpoint.cpuBusy = false;
  }
}
