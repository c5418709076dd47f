/**
 * The data `profile()` accumulates, as its snapshot and its page show
 * it: a file of its own so the statistics, the page and the middleware share
 * the shapes without importing each other.
 *
 * @module
 */
import type { HistogramBar } from "./histogram.ts";

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
  /** WebSocket sessions, apart from the latencies (a handshake's 101 is a request above, the session is here). */
  webSockets: WebSocketSnapshot;
}

/** The WebSocket sessions of one route (the route of their handshake), each counted once, when it closed. */
export interface WebSocketRouteStats {
  /** The handshake's method (GET). */
  method: string;
  /** The route of the handshake, as declared. */
  route: string;
  /** Sessions that closed. */
  count: number;
  /** Sessions open right now. */
  open: number;
  /** Closed with 1006 (the connection broke) or 1011 (a server error). */
  abnormal: number;
  /** Sum of session durations (ms), from the 101 to the close. */
  totalMs: number;
  /** Mean session duration (ms) of the closed sessions. */
  meanMs: number;
  /** Longest session (ms). */
  maxMs: number;
}

/** The profiler's WebSocket sessions. */
export interface WebSocketSnapshot {
  /** Sessions open right now, all routes. */
  open: number;
  /** Routes with sessions, the most total time first. */
  routes: WebSocketRouteStats[];
}
