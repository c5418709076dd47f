/**
 * What the Deno and Bun adapters do with every request, written once: refuse
 * a missing or invalid Host (400) and an oversized head (431), bind the context, call the handler (a synchronous
 * Response stays synchronous: no promise on the hot path), count a body
 * against the limit, and add `Connection: close` once the server drains.
 * Only the context init differs between the two runtimes.
 *
 * @module
 */
import { bindContext, type ContextInit } from "../context.ts";
import { declaresBody, guardBody } from "./guard_body.ts";
import { closeWhenDraining, invoke } from "./invoke.ts";
import { headSize, limitResponse } from "./limits.ts";
import type { AdapterInput } from "./types.ts";
import { isResponse } from "../internal/is_response.ts";
import { HostCheck, isHttpUrlWithHost, urlNamesHost } from "../internal/host.ts";
import { plainResponse } from "../internal/http.ts";

/** Answers requests for an adapter; `drain()` marks the server as shutting down. */
export interface Answerer {
  /** `runtimeArgs`: what the runtime passed for this request, when `init` serves the whole server. */
  answer(request: Request, init: ContextInit, runtimeArgs?: readonly unknown[]): Response | Promise<Response>;
  drain(): void;
}

/**
 * The answering loop body for an adapter. `checkHead`: whether the runtime's
 * own header limit is above ours, so ours must be checked here.
 */
export function answerer(input: AdapterInput, checkHead: boolean): Answerer {
  const { handler, limits } = input;
  const maxHead = limits.maxHeaderSize;
  let draining = false;
  const isDraining = () => draining;
  const hostCheck = new HostCheck();
  const tls = input.tls !== undefined;
  return {
    answer(request, init, runtimeArgs) {
      const refused = hostRefusal(request, hostCheck, tls);
      if (refused !== undefined) return badRequest(refused);
      if (checkHead && headSize(request) > maxHead) return limitResponse(431);
      if (request.method === "GET" || request.method === "HEAD" || !declaresBody(request)) {
        bindContext(request, init, runtimeArgs);
        const result = invoke(handler, request);
        return isResponse(result) && !draining ? result : closeWhenDraining(result, isDraining);
      }
      return closeWhenDraining(guardBody(handler, request, init, limits, runtimeArgs), isDraining);
    },
    drain() {
      draining = true;
    },
  };
}

/**
 * Why `request` cannot be served as addressed, or `undefined` when it can
 * (RFC 9112 §3.2): one valid Host, and a URL naming it or, for an
 * absolute-form target, naming a valid host of its own.
 *
 * Why both: Deno writes `http://<Host><target>` unchecked (a Host of
 * `example.com/admin` moves the request under `/admin`) and puts an
 * absolute-form target in `request.url` as sent; Bun gives a relative URL for
 * a Host its parser refuses, and joins two Hosts with a comma. Neither tells
 * the handler the HTTP version, so a request without Host is refused even on
 * HTTP/1.0 (Deno serves an HTTP/1.1 one as `localhost`).
 *
 * Over TLS, `tls`, a request may be HTTP/2, which names its host in
 * `:authority` (RFC 9113 §8.3.1): Deno then writes it into the URL and sends
 * no Host, Bun copies it into a Host. So without a Host, a TLS server takes
 * the URL's authority, which Deno has already checked (it resets a stream
 * with a bad one); an HTTP/1.1 request without Host is then served as
 * `localhost` on Deno, which gives no way to tell the two apart.
 */
function hostRefusal(request: Request, check: HostCheck, tls: boolean): string | undefined {
  const host = request.headers.get("host");
  if (host === null) return tls && isHttpUrlWithHost(request.url) ? undefined : "missing Host header";
  if (!check.accepts(host)) return "invalid Host header";
  const url = request.url;
  if (urlNamesHost(url, host) || isHttpUrlWithHost(url)) return undefined;
  return "invalid request target";
}

function badRequest(reason: string): Response {
  return plainResponse(400, `Bad Request: ${reason}`, { connection: "close" });
}
