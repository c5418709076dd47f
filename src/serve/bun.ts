/**
 * Bun adapter: `Bun.serve`.
 *
 * @module
 */
import { bindContext, type ContextInit } from "../context.ts";
import { guardBody } from "./guard_body.ts";
import { closeWhenDraining, internalError, invoke } from "./invoke.ts";
import { headSize, limitResponse } from "./limits.ts";
import type { AdapterInput, AdapterServer } from "./types.ts";

interface BunServer {
  port: number;
  requestIP(request: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunGlobal {
  serve(options: Record<string, unknown>): BunServer;
}

/** Bun refuses heads above this itself (its `--max-http-header-size` default), with 431. */
const BUN_HEAD_LIMIT = 16 * 1024;

/** Serves with `Bun.serve`. */
export function serveBun(input: AdapterInput): AdapterServer {
  const Bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const { handler, track, limits } = input;
  const checkHead = limits.maxHeaderSize < BUN_HEAD_LIMIT;
  const maxHead = limits.maxHeaderSize;
  let draining = false;
  const isDraining = () => draining;
  const server = Bun.serve({
    port: input.port,
    hostname: input.hostname,
    reusePort: input.reusePort,
    // Bun counts in whole seconds, at most 255.
    idleTimeout: Math.min(255, Math.max(1, Math.round(limits.idleTimeout / 1000))),
    // Our guard decides (413 with the same body everywhere); Bun's own limit is a backstop above it.
    maxRequestBodySize: limits.maxBodySize * 2 + 65_536,
    development: false,
    fetch(request: Request, server: BunServer) {
      const init: ContextInit = {
        remoteAddr: () => {
          const ip = server.requestIP(request);
          return ip ? { hostname: ip.address, port: ip.port } : undefined;
        },
        runtimeArgs: [server],
        waitUntil: track,
      };
      if (checkHead && headSize(request) > maxHead) return limitResponse(431);
      if (request.method === "GET" || request.method === "HEAD" || request.body === null) {
        bindContext(request, init);
        const result = invoke(handler, request);
        // Synchronous and not draining: the hot path stays free of promises.
        return result instanceof Response && !draining ? result : closeWhenDraining(result, isDraining);
      }
      return closeWhenDraining(guardBody(handler, request, init, limits), isDraining);
    },
    error(error: unknown) {
      console.error(error);
      return internalError();
    },
    ...input.native,
  });
  return {
    port: server.port,
    runtime: "bun",
    close: () => {
      draining = true;
      return server.stop(false);
    },
    forceClose: () => server.stop(true),
  };
}
