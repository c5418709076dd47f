/**
 * The profiler's statistics: one latency histogram, error count and byte
 * count per route (method + declared route), in memory bounded by the routes
 * an app declares, whatever the clients send.
 *
 * @module
 */
import { LatencyHistogram } from "./histogram.ts";
import type { ProfileSnapshot, RouteStats } from "./profile_types.ts";
import { WebSocketSessions } from "./profile_websockets.ts";

/**
 * Extension methods kept apart besides the standard ones; later ones are
 * counted as {@linkcode OTHER_METHODS}. Why a cap: the method is the one key a
 * client chooses (Deno and Bun accept any token), and each new key would hold
 * a histogram for good.
 */
const MAX_EXTENSION_METHODS = 16;
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);
const OTHER_METHODS = "(other)";

/** `bytes` of {@linkcode RouteStatistics.record} for a body of undeclared length. */
export const UNSIZED = -1;
/** `bytes` of {@linkcode RouteStatistics.record} when there is no response (a throw, a non-Response). */
export const NO_RESPONSE = -2;

/**
 * Upper bounds (seconds) of the Prometheus histogram buckets: OpenTelemetry's
 * advice for `http.server.request.duration`, so dashboards made for it fit.
 */
export const DURATION_BOUNDS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
];
const BOUNDS_MS = DURATION_BOUNDS.map((seconds) => seconds * 1000);
/** Buckets per status class: the bounds, then +Inf. */
const SLOTS = BOUNDS_MS.length + 1;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/** One Prometheus series of a route: a histogram of one status class. */
export interface DurationSeries {
  method: string;
  route: string;
  /** `1xx` … `5xx`. */
  statusClass: string;
  /** Cumulative counts per bound of {@linkcode DURATION_BOUNDS}, then the total (+Inf). */
  cumulative: number[];
  /** Sum of durations in seconds. */
  sumSeconds: number;
}

/** What is accumulated for one route. */
class RouteRecord {
  readonly histogram = new LatencyHistogram();
  /** Per status class (1xx to 5xx), a count per duration bucket: what the Prometheus text needs. */
  readonly classCounts = new Float64Array(STATUS_CLASSES.length * SLOTS);
  readonly classSums = new Float64Array(STATUS_CLASSES.length);
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

  /** The record as the snapshot shows it. */
  stats(): RouteStats {
    const h = this.histogram;
    return {
      method: this.method,
      route: this.route,
      count: h.count,
      errors: this.errors,
      totalMs: h.totalMs,
      meanMs: h.meanMs,
      p50Ms: h.percentile(50),
      p90Ms: h.percentile(90),
      p99Ms: h.percentile(99),
      maxMs: h.maxMs,
      bytesOut: this.bytesOut,
      unsized: this.unsized,
    };
  }
}

/**
 * Per-route statistics since construction or the last {@linkcode reset}.
 * {@linkcode record} is the per-request cost: two string compares when the
 * route repeats the previous one, two Map lookups otherwise.
 */
export class RouteStatistics {
  /** Leave each route's first request out (lazy imports, cold JIT). */
  readonly discardFirst: boolean;
  /** Requests being answered right now; kept by the middleware. */
  inFlight = 0;
  /** The WebSocket sessions, kept apart from the latencies. */
  readonly webSockets: WebSocketSessions = new WebSocketSessions();
  private since = new Date();
  private readonly byMethod = new Map<string, Map<string, RouteRecord>>();
  private extensionMethods = 0;
  // The last route recorded: most traffic repeats it, and two Map lookups cost more than two compares.
  private lastMethod = "";
  private lastRoute = "";
  private lastEntry: RouteRecord | undefined;

  constructor(discardFirst: boolean) {
    this.discardFirst = discardFirst;
  }

  /**
   * `status`: the response's (500 for a throw); ≥ 500 counts as an error.
   * `bytes`: the declared length, or {@linkcode UNSIZED}, or {@linkcode NO_RESPONSE}.
   */
  record(method: string, route: string, ms: number, status: number, bytes: number): void {
    let entry = this.lastEntry;
    if (entry === undefined || method !== this.lastMethod || route !== this.lastRoute) {
      entry = this.entryOf(method, route);
      this.lastMethod = method;
      this.lastRoute = route;
      this.lastEntry = entry;
    }
    if (this.discardFirst && entry.seen++ === 0) return;
    entry.histogram.record(ms);
    if (status >= 500) entry.errors++;
    const statusClass = status < 100 ? 4 : status >= 600 ? 4 : Math.floor(status / 100) - 1;
    let slot = 0;
    while (slot < BOUNDS_MS.length && ms > BOUNDS_MS[slot]) slot++;
    entry.classCounts[statusClass * SLOTS + slot]++;
    entry.classSums[statusClass] += ms / 1000;
    if (bytes >= 0) entry.bytesOut += bytes;
    else if (bytes === UNSIZED) entry.unsized++;
  }

  /** The record of a route, created on first use; extension methods past the cap share one. */
  private entryOf(method: string, route: string): RouteRecord {
    let byRoute = this.byMethod.get(method);
    if (byRoute === undefined) {
      if (!STANDARD_METHODS.has(method) && method !== OTHER_METHODS) {
        if (this.extensionMethods >= MAX_EXTENSION_METHODS) return this.entryOf(OTHER_METHODS, route);
        this.extensionMethods++;
      }
      this.byMethod.set(method, byRoute = new Map());
    }
    let entry = byRoute.get(route);
    if (entry === undefined) byRoute.set(route, entry = new RouteRecord(method, route));
    return entry;
  }

  /** Everything so far, the routes with the most total time first. */
  snapshot(): ProfileSnapshot {
    const routes: RouteStats[] = [];
    // All routes' histogram is summed here, not kept per request: one record per request instead of two.
    const total = new LatencyHistogram();
    let errors = 0;
    for (const byRoute of this.byMethod.values()) {
      for (const entry of byRoute.values()) {
        if (entry.histogram.count === 0) continue;
        errors += entry.errors;
        total.merge(entry.histogram);
        routes.push(entry.stats());
      }
    }
    routes.sort((a, b) => b.totalMs - a.totalMs);
    return {
      since: this.since.toISOString(),
      requests: total.count,
      errors,
      inFlight: this.inFlight,
      routes,
      histogram: total.octaves(),
      webSockets: this.webSockets.snapshot(),
    };
  }

  /** Every route's histograms per status class that has requests, for the Prometheus text. */
  durationSeries(): DurationSeries[] {
    const series: DurationSeries[] = [];
    for (const byRoute of this.byMethod.values()) {
      for (const entry of byRoute.values()) {
        for (let statusClass = 0; statusClass < STATUS_CLASSES.length; statusClass++) {
          const cumulative: number[] = [];
          let total = 0;
          for (let slot = 0; slot < SLOTS; slot++) {
            cumulative.push(total += entry.classCounts[statusClass * SLOTS + slot]);
          }
          if (total === 0) continue;
          series.push({
            method: entry.method,
            route: entry.route,
            statusClass: STATUS_CLASSES[statusClass],
            cumulative,
            sumSeconds: entry.classSums[statusClass],
          });
        }
      }
    }
    return series;
  }

  /** Forgets everything recorded; requests in flight stay counted. */
  reset(): void {
    this.byMethod.clear();
    this.extensionMethods = 0;
    this.lastEntry = undefined;
    this.webSockets.reset();
    this.since = new Date();
  }
}
