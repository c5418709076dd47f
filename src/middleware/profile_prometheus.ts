/**
 * The profiler's statistics as Prometheus text (exposition format 0.0.4,
 * which OpenMetrics scrapers read too): `http_server_request_duration_seconds`,
 * a histogram per method, route and status class, with OpenTelemetry's bucket
 * bounds and label names, and `http_server_active_requests`, the requests in
 * flight; and the WebSocket sessions' (profile_websockets.ts).
 *
 * @module
 */
import { DURATION_BOUNDS, type RouteStatistics } from "./profile_stats.ts";

/** The `Content-Type` of the text. */
export const PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value as the format quotes it: backslash, double quote and line feed escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** A sample value: integers as such, others in JavaScript's shortest round-trip form. */
function sample(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}

const LE = [...DURATION_BOUNDS.map(String), "+Inf"];

/** The whole text: both metrics, counted since the profiler started or was last reset. */
export function renderPrometheus(stats: RouteStatistics): string {
  const lines = [
    "# HELP http_server_request_duration_seconds Time until the handler returned its Response (headers ready).",
    "# TYPE http_server_request_duration_seconds histogram",
  ];
  for (const series of stats.durationSeries()) {
    const labels = `http_request_method="${labelValue(series.method)}",http_route="${
      labelValue(series.route)
    }",http_response_status_class="${series.statusClass}"`;
    for (const [index, le] of LE.entries()) {
      lines.push(`http_server_request_duration_seconds_bucket{${labels},le="${le}"} ${series.cumulative[index]}`);
    }
    lines.push(`http_server_request_duration_seconds_sum{${labels}} ${sample(series.sumSeconds)}`);
    lines.push(`http_server_request_duration_seconds_count{${labels}} ${series.cumulative[LE.length - 1]}`);
  }
  lines.push(
    "# HELP http_server_active_requests Requests being answered right now.",
    "# TYPE http_server_active_requests gauge",
    `http_server_active_requests ${stats.inFlight}`,
    ...stats.webSockets.prometheus(labelValue),
  );
  return lines.join("\n") + "\n";
}
