/**
 * Bun adapter: `Bun.serve`.
 *
 * @module
 */
import { bindContext } from "../context.ts";
import type { AdapterInput, AdapterServer } from "./types.ts";

interface BunServer {
  port: number;
  requestIP(request: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunGlobal {
  serve(options: Record<string, unknown>): BunServer;
}

/** Serves with `Bun.serve`. */
export function serveBun(input: AdapterInput): AdapterServer {
  const Bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const { handler, track } = input;
  const server = Bun.serve({
    port: input.port,
    hostname: input.hostname,
    fetch(request: Request, server: BunServer) {
      const ip = server.requestIP(request);
      bindContext(request, {
        remoteAddr: ip ? { hostname: ip.address, port: ip.port } : undefined,
        runtimeArgs: [server],
        waitUntil: track,
      });
      return handler(request);
    },
    ...input.native,
  });
  return { port: server.port, runtime: "bun", close: () => server.stop(false) };
}
