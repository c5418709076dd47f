/**
 * A deadline for the handler to produce its Response: past it the client
 * gets a 504 (or a custom answer) and the context's signal aborts, so the
 * work below (a `fetch`, the proxy's upstream request) stops.
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { plainResponse } from "../internal/http.ts";
import { isResponse } from "../internal/is_response.ts";

/** Options of {@linkcode timeout}. */
export interface TimeoutOptions {
  /** The answer once the deadline passed. Default a plain `504 Gateway Timeout`. */
  answer?: (request: Request) => Response | Promise<Response>;
}

/** The reason the context's signal aborts with: a `TimeoutError`, as `AbortSignal.timeout()` uses. */
function timeoutReason(ms: number): DOMException {
  return new DOMException(`the handler did not answer within ${ms} ms`, "TimeoutError");
}

function gatewayTimeout(): Response {
  return plainResponse(504, "Gateway Timeout: the server did not answer in time");
}

/**
 * Gives the handler `ms` milliseconds to return its Response. Past that, the
 * client gets `504 Gateway Timeout` (or `options.answer`), and
 * `context(request).signal` aborts with a `TimeoutError` (it also still aborts
 * when the client goes away): pass it to `fetch` and long work; `proxy` uses
 * it. A late Response is discarded (its body cancelled). Only the headers are
 * timed: a body already streaming when they arrive is never cut.
 *
 * @example Five seconds for a slow upstream
 * ```ts
 * import { mount } from "@fetchkit/core";
 * import { proxy, timeout } from "@fetchkit/core/middleware";
 * const app = mount({ "/reports": timeout(5_000)(proxy("http://127.0.0.1:9000")) });
 * ```
 */
export function timeout(ms: number, options: TimeoutOptions = {}): Middleware {
  if (typeof ms !== "number" || !(ms > 0) || ms > 2 ** 31 - 1) {
    throw new TypeError(`timeout: ms must be a number of milliseconds from 1 to 2147483647, got ${describe(ms)}`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`timeout: options must be an object, got ${describe(options)}`);
  }
  const answer = options.answer ?? gatewayTimeout;
  if (typeof answer !== "function") {
    throw new TypeError(`timeout: answer must be a function (request) => Response, got ${describe(answer)}`);
  }
  return (next: Handler): Handler => (request) => withDeadline(next, request, ms, answer);
}

/** Races the handler against the deadline; the loser is cleaned up (the timer cleared, or the late body cancelled). */
function withDeadline(
  next: Handler,
  request: Request,
  ms: number,
  answer: (request: Request) => Response | Promise<Response>,
): Promise<Response> {
  const ctx = context(request);
  const deadline = new AbortController();
  ctx.signal = AbortSignal.any([ctx.signal, deadline.signal]);
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      deadline.abort(timeoutReason(ms));
      Promise.resolve().then(() => answer(request)).then(resolve, reject);
    }, ms);
    const onAnswer = (response: Response) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(response);
      } else if (isResponse(response)) void response.body?.cancel().catch(() => {});
    };
    const onError = (error: unknown) => {
      if (settled) return; // a failure after the deadline: the client already has its answer
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    try {
      Promise.resolve(next(request)).then(onAnswer, onError);
    } catch (error) {
      onError(error);
    }
  });
}
