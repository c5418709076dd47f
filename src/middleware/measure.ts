/**
 * Per-request measurement shared by the profiler and the logger, kept cheap:
 * a response's declared length is read once even when both want it (reading a
 * Response's headers costs up to a microsecond on Deno, whose Headers object is
 * built on first use), and durations are formatted without `toFixed`.
 *
 * @module
 */
import { bodyLengthOf } from "../internal/body_length.ts";

let lastResponse: Response | undefined;
let lastLength: number | undefined;

/**
 * The response's body length in bytes: its `Content-Length`; 0 for statuses
 * without a body; else what its Response class tells ({@linkcode bodyLengthOf}:
 * fetchkit's light Response on Node knows its string and bytes bodies);
 * `undefined` when unknown (a stream, or a string on Deno, Bun and Workers
 * without `Content-Length`). The body itself is never touched: reading
 * `response.body` would turn a runtime's fast static body into a stream.
 */
export function declaredLength(response: Response): number | undefined {
  if (response === lastResponse) return lastLength;
  const status = response.status;
  const header = response.headers.get("content-length");
  const length = header !== null
    ? Number(header) || 0
    : status === 204 || status === 304 || status < 200
    ? 0
    : bodyLengthOf(response);
  lastResponse = response;
  lastLength = length;
  return length;
}

/*
 * One clock for nested measuring middleware. `performance.now()` is an op on
 * Deno (≈0.1–0.2 µs a call, measured), and profile() + logger() read it four
 * times per request; sharing the reads halves that. Reuse is safe by
 * construction: a start is inherited only by a middleware entered
 * synchronously inside `callTimed`, and an end only by an outer middleware
 * whose inner one finished synchronously within its own call (a reused
 * Request or an async gap never sees a stale time).
 */
let startRequest: Request | undefined;
let startTime = 0;
let endRequest: Request | undefined;
let endTime = 0;

/** The request's start time: the enclosing measuring middleware's, or now. */
export function startOf(request: Request): number {
  return request === startRequest ? startTime : performance.now();
}

/**
 * Calls `next(request)` so that measuring middleware inside it inherit
 * `started` instead of reading the clock again.
 */
export function callTimed(
  next: (request: Request) => Response | Promise<Response>,
  request: Request,
  started: number,
): Response | Promise<Response> {
  const outerRequest = startRequest;
  const outerTime = startTime;
  startRequest = request;
  startTime = started;
  endRequest = undefined;
  try {
    return next(request);
  } finally {
    startRequest = outerRequest;
    startTime = outerTime;
  }
}

/**
 * The end time of a request whose handler answered synchronously: the inner
 * measuring middleware's reading when it took one during this call, else now.
 */
export function syncEndOf(request: Request): number {
  if (request === endRequest) return endTime;
  endRequest = request;
  return endTime = performance.now();
}

/** The end time of a request answered asynchronously (always read: an await may lie between). */
export function asyncEndOf(): number {
  endRequest = undefined;
  return performance.now();
}

/** Milliseconds with `digits` decimals, without `toFixed` (several times slower on Deno). */
export function formatMillis(ms: number, digits: 1 | 3): string {
  const scale = digits === 1 ? 10 : 1000;
  const scaled = Math.round(ms * scale);
  const whole = Math.floor(scaled / scale);
  const fraction = scaled - whole * scale;
  // Zero-padded by hand: padStart showed in Bun's profile.
  return whole + (digits === 1 || fraction >= 100 ? "." : fraction >= 10 ? ".0" : ".00") + fraction;
}
