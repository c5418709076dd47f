/**
 * `bodyLimit(bytes)`: a per-route request body limit below the server's
 * global `limits.maxBodySize`, counted with the same stream.
 *
 * @module
 */
import { copyContext } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import {
  BodyGuard,
  declaresBody,
  guardStream,
  LimitError,
  limitResponse,
  refuseOversize,
} from "../internal/body_guard.ts";
import { describe } from "../internal/describe.ts";
import { isResponse } from "../internal/is_response.ts";

/**
 * Middleware refusing request bodies over `bytes` with 413 Content Too
 * Large. A declared `Content-Length` over the limit is refused before the
 * handler runs; any other body is counted as the handler reads it (never
 * buffered), and the read that crosses the limit fails, so the request is
 * answered 413 whatever the handler made of the failed read. Requests that
 * declare no body pass untouched (the same Request object, so WebSocket
 * upgrades still work).
 *
 * @example 1 KiB for a form, the server's default elsewhere
 * ```ts
 * import { mount } from "@fetchkit/core";
 * import { bodyLimit } from "@fetchkit/core/middleware";
 * const app = mount({ "/comment": bodyLimit(1024)(async (request) => new Response(await request.text())) });
 * const response = await app(new Request("http://localhost/comment", { method: "POST", body: "x".repeat(2000) }));
 * response.status; // 413
 * ```
 */
export function bodyLimit(bytes: number): Middleware {
  if (typeof bytes !== "number" || !(bytes >= 0) || !Number.isFinite(bytes)) {
    throw new TypeError(`bodyLimit: bytes must be a number ≥ 0, got ${describe(bytes)}`);
  }
  return (next: Handler): Handler => (request) => limited(next, request, bytes);
}

function limited(next: Handler, request: Request, max: number): Response | Promise<Response> {
  if (!declaresBody(request) || request.body === null) return next(request);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > max) return refuseOversize(request);
  const guard = new BodyGuard(max);
  const guarded = new Request(request, {
    body: guardStream(() => request.body!, guard),
    // @ts-ignore: `duplex` is required for streaming bodies but missing from some DOM typings.
    duplex: "half",
  });
  return settle(next, copyContext(request, guarded), guard);
}

/** The handler's answer, unless the body crossed the limit: then 413 (the handler's own answer is dropped). */
async function settle(next: Handler, request: Request, guard: BodyGuard): Promise<Response> {
  let response: Response;
  try {
    response = await next(request);
  } catch (error) {
    if (guard.refused === 413 || (error instanceof LimitError && error.status === 413)) return limitResponse(413);
    throw error;
  }
  if (guard.refused !== 413) return response;
  if (isResponse(response)) void response.body?.cancel().catch(() => {});
  return limitResponse(413);
}
