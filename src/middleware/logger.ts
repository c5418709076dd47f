/**
 * Access log: one line per request in Common or Combined Log Format or JSON,
 * to stderr by default, with the duration, colour on a terminal only.
 *
 * @module
 */
import { context, type RequestContext } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { authority, pathAndQuery } from "../internal/url.ts";
import { onShutdown } from "../lifecycle.ts";
import { asyncEndOf, callTimed, declaredLength, formatMillis, startOf, syncEndOf } from "./measure.ts";
import { env as readEnv } from "../internal/process.ts";
import { stderrWriter } from "./adapters/stderr.ts";
import { isResponse } from "../internal/is_response.ts";
import { escapeCode, isUnsafeCode, queryRedactor, type Redactor } from "./redact.ts";
import { otelRecord } from "./log_otel.ts";
import type { LogEntry } from "./log_entry.ts";

export type { LogEntry } from "./log_entry.ts";
import { type SessionEnd, whenSessionEnds } from "../internal/websocket_sessions.ts";

/** Options of {@linkcode logger}. */
export interface LoggerOptions {
  /**
   * `"common"` (CLF), `"combined"` (CLF plus referer and user agent), `"json"`,
   * `"otel"` (JSON with OpenTelemetry's field names), or a function building
   * the line. CLF and Combined end with the duration, e.g. `2.314ms`, then
   * `request_id=…`, `trace_id=… span_id=…` when the request has them.
   * Default `"combined"`.
   */
  format?: "common" | "combined" | "json" | "otel" | ((entry: LogEntry) => string);
  /** Where lines go (without a trailing newline). Default: stderr. */
  write?: (line: string) => void;
  /** Colour the status. Default: when stderr is a terminal and `NO_COLOR` is unset. */
  color?: boolean;
  /**
   * Query keys whose values are logged as `REDACTED`, in the target and the
   * Referer (matched whole, case-insensitively). `[]` logs every value.
   * Default {@linkcode SENSITIVE_QUERY_KEYS}: `token`, `password`, `secret`, `key`, `code`.
   */
  redactQuery?: readonly string[];
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => (n < 10 ? "0" : "") + n;
let stampSecond = -1;
let stamp = "";

/** `10/Oct/2000:13:55:36 +0000`, rebuilt once a second at most. */
function clfTime(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    const d = new Date(second * 1000);
    stamp = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${
      pad(d.getUTCMinutes())
    }:${pad(d.getUTCSeconds())} +0000`;
    stampSecond = second;
  }
  return stamp;
}

/**
 * Escapes quotes, backslashes and the characters {@linkcode isUnsafeCode}
 * names (C0 and C1 controls, line separators, bidi overrides) as `\xHH`, so a
 * request can neither forge log lines nor drive the terminal showing them.
 */
function clean(text: string): string {
  // A character loop, not a RegExp test: on Bun the test of a short path was a
  // fifth of the logger's own time (profiled); the loop is inlined by every JIT.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && isUnsafeCode(c))) return escapeFrom(text, i);
  }
  return text;
}

function escapeFrom(text: string, start: number): string {
  let out = text.slice(0, start);
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c === 0x22 || c === 0x5c || isUnsafeCode(c) ? escapeCode(c) : text[i];
  }
  return out;
}

/**
 * JSON.stringify escapes C0 controls, quotes and backslashes but leaves DEL,
 * C1 controls, line separators and bidi overrides as they are; these only
 * occur inside strings, where `\u00HH` is their JSON spelling.
 */
function jsonSafe(json: string): string {
  for (let i = 0; i < json.length; i++) {
    if (json.charCodeAt(i) >= 0x7f && isUnsafeCode(json.charCodeAt(i))) {
      let out = json.slice(0, i);
      for (let j = i; j < json.length; j++) {
        const c = json.charCodeAt(j);
        out += c >= 0x7f && isUnsafeCode(c) ? `\\u${c.toString(16).padStart(4, "0")}` : json[j];
      }
      return out;
    }
  }
  return json;
}

/**
 * `clean` remembering its last answer: a client sends the same User-Agent and
 * mostly the same Referer request after request, and comparing equal strings
 * is cheaper than scanning them (a RegExp test of a browser's User-Agent cost
 * ~0.2 µs on Deno, measured).
 */
function cleanCache(): (text: string) => string {
  let lastText = "";
  let lastClean = "";
  return (text) => text === lastText ? lastClean : (lastClean = clean(lastText = text));
}

function colourStatus(status: number): string {
  const code = status >= 500 ? 31 : status >= 400 ? 33 : status >= 300 ? 36 : 32;
  return `\x1b[${code}m${status}\x1b[0m`;
}

/** The method needs no escaping: it is an HTTP token, which runtimes validate. */
function requestLine(method: string, target: string): string {
  return `"${method} ${clean(target)} HTTP/1.1"`;
}

function bytesField(bytes: number | undefined): string {
  return bytes === undefined ? "-" : String(bytes);
}

/** Formats an entry in Common Log Format plus the duration. */
export function formatCommon(entry: LogEntry, color = false): string {
  return common(entry.remote, entry.time.getTime(), entry.method, entry.target, entry.status, entry.bytes, color) +
    " " + entry.durationMs.toFixed(3) + "ms";
}

function common(
  remote: string | undefined,
  time: number,
  method: string,
  target: string,
  status: number,
  bytes: number | undefined,
  color: boolean,
): string {
  return `${remote ?? "-"} - - [${clfTime(time)}] ${requestLine(method, target)} ${
    color ? colourStatus(status) : status
  } ${bytesField(bytes)}`;
}

/** Formats an entry in Combined Log Format plus the duration. */
export function formatCombined(entry: LogEntry, color = false): string {
  return common(entry.remote, entry.time.getTime(), entry.method, entry.target, entry.status, entry.bytes, color) +
    ` "${clean(entry.referer ?? "-")}" "${clean(entry.userAgent ?? "-")}" ${entry.durationMs.toFixed(3)}ms`;
}

/** Formats an entry as one JSON object, with control characters escaped as `\u00HH`. */
export function formatJson(entry: LogEntry): string {
  return jsonSafe(JSON.stringify({
    time: entry.time.toISOString(),
    remote: entry.remote ?? null,
    method: entry.method,
    target: entry.target,
    status: entry.status,
    bytes: entry.bytes ?? null,
    ms: Math.round(entry.durationMs * 1000) / 1000,
    referer: entry.referer,
    userAgent: entry.userAgent,
    ...(entry.requestId === undefined ? {} : { requestId: entry.requestId }),
    ...(entry.trace === undefined ? {} : { traceId: entry.trace.traceId, spanId: entry.trace.spanId }),
    ...(entry.webSocketClose === undefined ? {} : { wsClose: entry.webSocketClose }),
  }));
}

/**
 * Formats an entry as one JSON object with the OpenTelemetry log data model's
 * and HTTP semantic conventions' field names (`http.request.method`,
 * `url.path`, `http.response.status_code`, `trace_id`, …).
 */
export function formatOtel(entry: LogEntry): string {
  return jsonSafe(JSON.stringify(otelRecord(entry)));
}

const BATCH_BYTES = 64 * 1024;
/**
 * How long a line may wait for company. Why not the next event-loop turn:
 * setting and clearing a timer cost ~2.5 µs on Deno (measured in a loop), and
 * under load a turn answers only a few requests.
 */
const BATCH_MS = 20;

/**
 * Lines written to stderr are batched: one write per 20 ms (or per 64 KiB)
 * instead of one system call per request. Pending lines are written on
 * graceful shutdown.
 */
function batched(write: (text: string) => void): (line: string) => void {
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  onShutdown(flush);
  return (line) => {
    pending += line + "\n";
    if (pending.length >= BATCH_BYTES) flush();
    else if (timer === undefined) timer = setTimeout(flush, BATCH_MS);
  };
}

/** The address as logs show it: IPv4-mapped IPv6 unwrapped. */
function remoteOf(address: string | undefined): string | undefined {
  return address?.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * Writes one access-log line per request once the handler has returned its
 * Response (a thrown error is logged as 500 and rethrown); a WebSocket's
 * line, its 101, once the socket has closed, with the session's duration and
 * `ws_close=<code>`.
 *
 * @example Combined Log Format to stderr, JSON to a custom sink
 * ```ts
 * import { logger } from "@fetchkit/core/middleware";
 * const app = logger()(() => new Response("Hello"));
 * const lines: string[] = [];
 * const quiet = logger({ format: "json", write: (line) => lines.push(line) })(() => new Response("Hi"));
 * await quiet(new Request("http://localhost/"));
 * JSON.parse(lines[0]).status; // 200
 * ```
 */
export function logger(options: LoggerOptions = {}): Middleware {
  const state = loggerState(options);
  return (next: Handler): Handler => (request) => logged(state, next, request);
}

/** One `logger()`'s settings, resolved and checked once, and its caches. */
interface LoggerState {
  readonly write: (line: string) => void;
  readonly redact: Redactor;
  /** `performance.timeOrigin`: performance.now() is the one clock read per end; wall time derives from it. */
  readonly origin: number;
  /** A custom or the JSON format; `undefined` for the built-in CLF lines. */
  readonly custom: ((entry: LogEntry) => string) | undefined;
  readonly combined: boolean;
  readonly color: boolean;
  readonly cleanReferer: (text: string) => string;
  readonly cleanUserAgent: (text: string) => string;
}

function loggerState(options: LoggerOptions): LoggerState {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`logger: options must be an object, got ${describe(options)}`);
  }
  const { format = "combined" } = options;
  const redact = queryRedactor(options.redactQuery, "logger");
  if (
    typeof format !== "function" && format !== "common" && format !== "combined" && format !== "json" &&
    format !== "otel"
  ) {
    throw new TypeError(
      `logger: format must be "common", "combined", "json", "otel" or a function, got ${describe(format)}`,
    );
  }
  if (options.write !== undefined && typeof options.write !== "function") {
    throw new TypeError(`logger: write must be a function (line) => void, got ${describe(options.write)}`);
  }
  const stderr = options.write === undefined ? stderrWriter() : undefined;
  const noColor = (readEnv("NO_COLOR") ?? "") !== "";
  return {
    write: options.write ?? (stderr ? batched(stderr.write) : (line: string) => console.error(line)),
    redact,
    origin: performance.timeOrigin,
    custom: typeof format === "function"
      ? format
      : format === "json"
      ? formatJson
      : format === "otel"
      ? formatOtel
      : undefined,
    combined: format === "combined",
    color: options.color ?? ((stderr?.terminal ?? false) && !noColor),
    cleanReferer: cleanCache(),
    cleanUserAgent: cleanCache(),
  };
}

/** The middleware's work for one request. Not an async function: a handler answering synchronously costs no promise here. */
function logged(state: LoggerState, next: Handler, request: Request): Response | Promise<Response> {
  const started = startOf(request);
  let result: Response | Promise<Response>;
  try {
    result = callTimed(next, request, started);
  } catch (error) {
    log(state, request, started, syncEndOf(request), undefined);
    throw error;
  }
  if (isResponse(result)) {
    log(state, request, started, syncEndOf(request), result);
    return result;
  }
  return Promise.resolve(result).then((response) => {
    log(state, request, started, asyncEndOf(), isResponse(response) ? response : undefined);
    return response;
  }, (error) => {
    log(state, request, started, asyncEndOf(), undefined);
    throw error;
  });
}

/**
 * Writes the line of one request; no `response` (a throw, a non-Response) is logged as 500. A WebSocket's 101
 * is logged once its socket closed (`closed`), with the whole session's duration, as nginx logs one.
 */
function log(
  state: LoggerState,
  request: Request,
  started: number,
  ended: number,
  response: Response | undefined,
  closed?: SessionEnd,
): void {
  const status = response === undefined ? 500 : response.status;
  if (status === 101 && closed === undefined && logAtClose(state, request, started, response!)) return;
  const ms = ended - started;
  const ctx = context(request);
  const remote = remoteOf(ctx.remoteAddr?.hostname);
  const target = state.redact(pathAndQuery(ctx.originalUrl));
  const bytes = response === undefined ? undefined : declaredLength(response);
  const time = state.origin + started;
  if (state.custom !== undefined) {
    state.write(state.custom({
      time: new Date(time),
      remote,
      method: request.method,
      target,
      status,
      bytes,
      durationMs: ms,
      referer: redactReferer(state, request.headers.get("referer")),
      userAgent: request.headers.get("user-agent"),
      requestId: ctx.requestId,
      trace: ctx.trace,
      route: ctx.route,
      host: request.headers.get("host") ?? authority(ctx.originalUrl),
      scheme: ctx.originalUrl.slice(0, ctx.originalUrl.indexOf(":")),
      webSocketClose: closed?.code,
    }));
    return;
  }
  let line = common(remote, time, request.method, target, status, bytes, state.color);
  if (state.combined) {
    const headers = request.headers;
    const referer = redactReferer(state, headers.get("referer")) ?? "-";
    line += ` "${state.cleanReferer(referer)}" "${state.cleanUserAgent(headers.get("user-agent") ?? "-")}"`;
  }
  state.write(line + " " + formatMillis(ms, 3) + "ms" + (closed ? ` ws_close=${closed.code}` : "") + ids(ctx));
}

/** Defers the line of a WebSocket's 101 to its close; false for a 101 that started no session fetchkit knows. */
function logAtClose(state: LoggerState, request: Request, started: number, response: Response): boolean {
  return whenSessionEnds(response, (end) => log(state, request, started, end.at, response, end));
}

/** ` request_id=… trace_id=… span_id=…` for the ids the request has (safe characters only, checked where set). */
function ids(ctx: RequestContext): string {
  const id = ctx.requestId;
  const trace = ctx.trace;
  if (id === undefined && trace === undefined) return "";
  let text = id === undefined ? "" : ` request_id=${clean(id)}`;
  if (trace !== undefined) text += ` trace_id=${trace.traceId} span_id=${trace.spanId}`;
  return text;
}

function redactReferer(state: LoggerState, referer: string | null): string | null {
  return referer === null ? null : state.redact(referer);
}
