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
import { BodyGuard, guardStream, limitResponse, type Limits } from "./limits.ts";

/** Methods whose requests carry no body unless their head declares one. */
const BODILESS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * Whether the head of `request` declares a body: a non-zero Content-Length,
 * a Transfer-Encoding, or neither on a method that usually carries one (so an
 * HTTP/2 body without a length is still guarded). Deno hands a non-null body
 * to every request, so the Request's own `body` cannot tell.
 */
export function declaresBody(request: Request): boolean {
  const headers = request.headers;
  const length = headers.get("content-length");
  if (length !== null) return length !== "0";
  return headers.has("transfer-encoding") || !BODILESS.has(request.method);
}

/**
 * Whether `request` uses a transfer coding other than plain `chunked`: the
 * runtime would hand the still-encoded body on as if it were the content
 * (RFC 9112 §6.1 answers 501).
 */
export function unsupportedCoding(request: Request): boolean {
  const coding = request.headers.get("transfer-encoding");
  return coding !== null && coding.trim().toLowerCase() !== "chunked";
}

/** How long a refused body is read and dropped before its 413 goes out, at most (ms). */
const DISCARD_FOR = 1000;

/**
 * The 413 for a declared oversize body, sent once the body was read and
 * dropped (for at most {@linkcode DISCARD_FOR}): a client that sends its body
 * right after the head is still writing when the answer comes, and a
 * connection closed on unread bytes is reset, which took the 413 with it
 * (Bun: the client saw only a reset in over half of the tries).
 */
async function refuseOversize(request: Request): Promise<Response> {
  const body = request.body;
  if (body === null) return limitResponse(413);
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const enough = new Promise<void>((resolve) => (timer = setTimeout(resolve, DISCARD_FOR)));
  await Promise.race([discard(reader), enough]);
  clearTimeout(timer);
  void reader.cancel().catch(() => {});
  return limitResponse(413);
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done) { /* dropped */ }
  } catch { /* the client left: nothing to wait for */ }
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
