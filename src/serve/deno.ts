/**
 * Deno adapter: `Deno.serve`.
 *
 * @module
 */
import { bindContext } from "../context.ts";
import type { AdapterInput, AdapterServer } from "./types.ts";

interface DenoServeInfo {
  remoteAddr: { hostname: string; port: number };
}
interface DenoHttpServer {
  addr: { port: number };
  finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoGlobal {
  serve(
    options: Record<string, unknown>,
    handler: (request: Request, info: DenoServeInfo) => Response | Promise<Response>,
  ): DenoHttpServer;
}

/** Serves with `Deno.serve`. */
export function serveDeno(input: AdapterInput): AdapterServer {
  const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;
  const { handler, track } = input;
  const server = Deno.serve(
    { port: input.port, hostname: input.hostname, onListen() {}, ...input.native },
    (request, info) => {
      bindContext(request, {
        remoteAddr: { hostname: info.remoteAddr.hostname, port: info.remoteAddr.port },
        runtimeArgs: [info],
        waitUntil: track,
      });
      return handler(request);
    },
  );
  return { port: server.addr.port, runtime: "deno", close: () => server.shutdown() };
}
