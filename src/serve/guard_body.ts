/**
 * Request bodies under the limits, for runtimes that hand us a ready Request
 * (Deno, Bun): a declared oversize body is refused before the handler runs; any
 * other body is counted as it streams and must arrive within the request
 * timeout. Only requests that declare a body pay for this (a GET, or a CORS
 * preflight, never does), so the copy it needs cannot break a WebSocket upgrade.
 *
 * A body the handler never reads costs nothing past the exchange: the
 * runtime's stream is opened, and the request timer started, on the first
 * read only. A timer started up front kept every ignored body (and its
 * Request) alive for the whole timeout: +100 MiB over 20 000 small POSTs.
 *
 * @module
 */
import { bindContext, type ContextInit } from "../context.ts";
import type { Handler } from "../handler.ts";
import { invoke } from "./invoke.ts";
import { BodyGuard, declaresBody, guardStream, refuseOversize } from "../internal/body_guard.ts";
import { limitResponse, type Limits } from "./limits.ts";

export { declaresBody };

/**
 * Whether `request` uses a transfer coding other than plain `chunked`: the
 * runtime would hand the still-encoded body on as if it were the content
 * (RFC 9112 §6.1 answers 501).
 */
export function unsupportedCoding(request: Request): boolean {
  const coding = request.headers.get("transfer-encoding");
  return coding !== null && coding.trim().toLowerCase() !== "chunked";
}

/** Runs `handler` on `request` with its body guarded; binds the context to what the handler sees. */
export function guardBody(
  handler: Handler,
  request: Request,
  init: ContextInit,
  limits: Limits,
  runtimeArgs?: readonly unknown[],
): Response | Promise<Response> {
  if (unsupportedCoding(request)) return limitResponse(501);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBodySize) return refuseOversize(request);
  const guard = new BodyGuard(limits.maxBodySize, Date.now() + limits.requestTimeout);
  const guarded = new Request(request, {
    body: guardStream(() => request.body!, guard),
    // @ts-ignore: `duplex` is required for streaming bodies but missing from some DOM typings.
    duplex: "half",
  });
  bindContext(guarded, { originalUrl: request.url, ...init }, runtimeArgs);
  return invoke(handler, guarded, guard);
}
