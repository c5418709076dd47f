/**
 * Per-request measurement shared by the profiler and the logger, kept cheap:
 * a response's declared length is read once even when both want it (reading a
 * Response's headers costs up to a microsecond on Deno, whose Headers object is
 * built on first use), and durations are formatted without `toFixed`.
 *
 * @module
 */

let lastResponse: Response | undefined;
let lastLength: number | undefined;

/**
 * The response's declared body length in bytes; 0 for statuses without a
 * body; `undefined` when unknown (a body without `Content-Length`). The body
 * itself is never touched: reading `response.body` would turn a runtime's fast
 * static body into a stream.
 */
export function declaredLength(response: Response): number | undefined {
  if (response === lastResponse) return lastLength;
  const status = response.status;
  const header = response.headers.get("content-length");
  const length = header !== null
    ? Number(header) || 0
    : status === 204 || status === 304 || status < 200
    ? 0
    : undefined;
  lastResponse = response;
  lastLength = length;
  return length;
}

/** Milliseconds with `digits` decimals, without `toFixed` (several times slower on Deno). */
export function formatMillis(ms: number, digits: 1 | 3): string {
  const scale = digits === 1 ? 10 : 1000;
  const scaled = Math.round(ms * scale);
  const whole = Math.floor(scaled / scale);
  const fraction = String(scaled - whole * scale);
  return `${whole}.${digits === 1 ? fraction : fraction.padStart(3, "0")}`;
}
