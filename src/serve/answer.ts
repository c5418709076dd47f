/**
 * What the Deno and Bun adapters do with every request, written once: refuse
 * an oversized head (431), bind the context, call the handler (a synchronous
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
  return {
    answer(request, init, runtimeArgs) {
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
