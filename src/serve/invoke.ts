/**
 * Calling the handler the same way on every runtime: a thrown error or a
 * non-Response is logged and answered 500 (never the runtime's own error page),
 * and a body refused by a limit is answered 413/408 whatever the handler did
 * with the failed read.
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import { type BodyGuard, LimitError, limitResponse } from "./limits.ts";
import { isResponse } from "../internal/is_response.ts";
import { plainResponse } from "../internal/http.ts";

/** The plain 500 every adapter answers for a failed handler. */
export function internalError(): Response {
  return plainResponse(500, "Internal Server Error");
}

function failed(error: unknown, guard: BodyGuard | undefined): Response {
  if (guard?.refused) return limitResponse(guard.refused);
  if (error instanceof LimitError) return limitResponse(error.status);
  console.error(error);
  return internalError();
}

function checked(response: unknown, guard: BodyGuard | undefined): Response {
  if (guard?.refused) {
    if (isResponse(response)) void response.body?.cancel().catch(() => {});
    return limitResponse(guard.refused);
  }
  if (isResponse(response)) return response;
  console.error(new TypeError(`handler returned ${describeValue(response)}, not a Response`));
  return internalError();
}

function describeValue(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? `an object (${value.constructor?.name})` : typeof value;
}

async function settle(pending: Promise<Response>, guard: BodyGuard | undefined): Promise<Response> {
  try {
    return checked(await pending, guard);
  } catch (error) {
    return failed(error, guard);
  }
}

/**
 * Calls `handler`; synchronous Responses stay synchronous (no promise on the
 * hot path of a plain handler).
 */
export function invoke(handler: Handler, request: Request, guard?: BodyGuard): Response | Promise<Response> {
  try {
    const result = handler(request);
    if (isResponse(result) && guard === undefined) return result;
    if (result instanceof Promise) return settle(result, guard);
    return checked(result, guard);
  } catch (error) {
    return failed(error, guard);
  }
}

/**
 * The response with `Connection: close`, for a server that is draining: the
 * client reconnects elsewhere instead of reusing a connection about to close.
 */
export function closing(response: Response): Response {
  // A 101 hands the connection over: it is closed by the WebSocket, not after this answer.
  if (response.status === 101) return response;
  try {
    response.headers.set("connection", "close");
    return response;
  } catch {
    // Immutable headers (a fetched or redirect Response): copy the head, keep the body stream.
    const copy = new Response(response.body, response);
    copy.headers.set("connection", "close");
    return copy;
  }
}

/** Adds `Connection: close` once `draining()` says so, checked when the response is ready. */
export function closeWhenDraining(
  result: Response | Promise<Response>,
  draining: () => boolean,
): Response | Promise<Response> {
  if (isResponse(result)) return draining() ? closing(result) : result;
  return result.then((response) => (draining() ? closing(response) : response));
}
