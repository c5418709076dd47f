/**
 * The access log's `otel` format: one JSON object per request whose fields
 * are the OpenTelemetry log data model's (`timestamp`, `severity_text`,
 * `body`, `trace_id`, `span_id`) and the HTTP semantic conventions'
 * attribute names (`http.request.method`, `url.path`, `http.route`,
 * `http.response.status_code`, …), flat, so a collector's JSON parser maps
 * them without a schema of ours.
 *
 * @module
 */
import type { LogEntry } from "./log_entry.ts";

/** The methods the conventions name; any other is `_OTHER`, with the original beside it. */
const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "QUERY",
  "TRACE",
]);

/** OpenTelemetry severity numbers: INFO 9, WARN 13, ERROR 17 (5xx is the server's error, 4xx the client's). */
function severity(status: number): [text: string, number: number] {
  return status >= 500 ? ["ERROR", 17] : status >= 400 ? ["WARN", 13] : ["INFO", 9];
}

/** `host[:port]` split; IPv6 literals keep no brackets, as `server.address` wants. */
function hostAndPort(host: string): [address: string, port: number | undefined] {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (match === null) return [host, undefined];
  const address = match[1].startsWith("[") ? match[1].slice(1, -1) : match[1];
  return [address, match[2] === undefined ? undefined : Number(match[2])];
}

/** The record of one request, ready for `JSON.stringify`. */
export function otelRecord(entry: LogEntry): Record<string, unknown> {
  const [severityText, severityNumber] = severity(entry.status);
  const query = entry.target.indexOf("?");
  const path = query < 0 ? entry.target : entry.target.slice(0, query);
  const known = KNOWN_METHODS.has(entry.method);
  const record: Record<string, unknown> = {
    timestamp: entry.time.toISOString(),
    severity_text: severityText,
    severity_number: severityNumber,
    body: `${entry.method} ${path} ${entry.status}`,
  };
  if (entry.trace !== undefined) {
    record.trace_id = entry.trace.traceId;
    record.span_id = entry.trace.spanId;
    record.trace_flags = entry.trace.flags;
  }
  record["http.request.method"] = known ? entry.method : "_OTHER";
  if (!known) record["http.request.method_original"] = entry.method;
  if (entry.scheme !== undefined) record["url.scheme"] = entry.scheme;
  record["url.path"] = path;
  if (query >= 0) record["url.query"] = entry.target.slice(query + 1);
  if (entry.route) record["http.route"] = entry.route;
  record["http.response.status_code"] = entry.status;
  if (entry.bytes !== undefined) record["http.response.body.size"] = entry.bytes;
  if (entry.remote !== undefined) record["client.address"] = entry.remote;
  if (entry.userAgent !== null) record["user_agent.original"] = entry.userAgent;
  if (entry.referer !== null) record["http.request.header.referer"] = [entry.referer];
  if (entry.host) {
    const [address, port] = hostAndPort(entry.host);
    record["server.address"] = address;
    if (port !== undefined) record["server.port"] = port;
  }
  record["http.server.request.duration"] = Math.round(entry.durationMs * 1000) / 1e6;
  if (entry.requestId !== undefined) record["http.request.id"] = entry.requestId;
  return record;
}
