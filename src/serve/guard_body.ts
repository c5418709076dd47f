/**
 * Request bodies under the limits, for runtimes that hand us a ready Request
 * (Deno, Bun): a declared oversize body is refused before the handler runs; any
 * other body is counted as it streams and must arrive within the request
 * timeout. Only requests with a body pay for this (a GET never does), so the
 * copy it needs cannot break a WebSocket upgrade.
 *
 * @module
 */
import { bindContext, type ContextInit } from "../context.ts";
import type { Handler } from "../handler.ts";
import { invoke } from "./invoke.ts";
import { BodyGuard, guardStream, limitResponse, type Limits } from "./limits.ts";

/** Runs `handler` on `request` with its body guarded; binds the context to what the handler sees. */
export function guardBody(
  handler: Handler,
  request: Request,
  init: ContextInit,
  limits: Limits,
  runtimeArgs?: readonly unknown[],
): Response | Promise<Response> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBodySize) {
    void request.body?.cancel().catch(() => {});
    return limitResponse(413);
  }
  const guard = new BodyGuard(limits.maxBodySize);
  guard.startTimer(limits.requestTimeout);
  const guarded = new Request(request, {
    body: guardStream(request.body!, guard),
    // @ts-ignore: `duplex` is required for streaming bodies but missing from some DOM typings.
    duplex: "half",
  });
  bindContext(guarded, { originalUrl: request.url, ...init }, runtimeArgs);
  return invoke(handler, guarded, guard);
}
