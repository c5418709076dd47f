/**
 * Bun adapter: `Bun.serve`.
 *
 * @module
 */
import type { ContextInit } from "../../context.ts";
import { answerer } from "../answer.ts";
import { internalError } from "../invoke.ts";
import type { AdapterInput, AdapterServer } from "../types.ts";
import { BunSockets, bunUpgrader } from "./websocket_bun.ts";

/** The server object Bun passes a fetch handler as its second argument. */
export interface BunServer {
  port: number;
  requestIP(request: Request): { address: string; port: number } | null;
  /** Sets the idle timer of the request's connection, in seconds; 0 turns it off. */
  timeout(request: Request, seconds: number): void;
  stop(closeActiveConnections?: boolean): Promise<void>;
  upgrade(request: Request, options: { data: unknown; headers?: Record<string, string> }): boolean;
}
interface BunGlobal {
  serve(options: Record<string, unknown>): BunServer;
}

/**
 * The context of the requests one Bun server serves: one init for all of
 * them, no object or closure allocated per request. `serve()` and
 * `defineApp` both bind with it.
 */
export function bunContextInit(server: BunServer, waitUntil?: (promise: Promise<unknown>) => void): ContextInit {
  return {
    remoteAddr: (request) => {
      const ip = server.requestIP(request);
      return ip ? { hostname: ip.address, port: ip.port } : undefined;
    },
    runtimeArgs: [server],
    webSocket: bunUpgrader(server),
    ...(waitUntil ? { waitUntil } : {}),
  };
}

/** Whether a handler argument is Bun's server. */
export function isBunServer(value: unknown): value is BunServer {
  return typeof (value as { requestIP?: unknown } | null)?.requestIP === "function";
}

/** Bun refuses heads above this itself (its `--max-http-header-size` default), with 431. */
const BUN_HEAD_LIMIT = 16 * 1024;

/**
 * How long a draining Bun server goes on answering (with `Connection: close`)
 * before `stop(false)` closes the idle keep-alive connections. Bun closes them
 * without reading what is pending, so a request already sent on one is reset;
 * the grace answers every request that was on its way when the drain began.
 * One arriving in the very instant of the close can still be reset: Bun offers
 * no half-close (its bare `stop(false)` does the same).
 */
const DRAIN_GRACE_MS = 50;

const drainGrace = () => new Promise<void>((resolve) => setTimeout(resolve, DRAIN_GRACE_MS));

/**
 * Bun's idle timer also runs while a handler works, so a handler slower than
 * `idleTimeout` lost its connection; `idleTimeout` is the time between
 * requests. So the timer is off while the handler works and set again when
 * its response is ready. (A synchronous handler cannot outlast it.)
 */
async function whileWorking(
  server: BunServer,
  request: Request,
  pending: Promise<Response>,
  idleSeconds: number,
): Promise<Response> {
  server.timeout(request, 0);
  try {
    return await pending;
  } finally {
    server.timeout(request, idleSeconds);
  }
}

/** Serves with `Bun.serve`. */
export function serveBun(input: AdapterInput): AdapterServer {
  const Bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const { track, limits } = input;
  const { answer, drain } = answerer(input, limits.maxHeaderSize < BUN_HEAD_LIMIT);
  // Bun counts in whole seconds, at most 255 (and checks only every 4 s).
  const idleSeconds = Math.min(255, Math.max(1, Math.round(limits.idleTimeout / 1000)));
  const sockets = new BunSockets();
  const server = Bun.serve({
    port: input.port,
    hostname: input.hostname,
    reusePort: input.reusePort,
    idleTimeout: idleSeconds,
    // Our guard decides (413 with the same body everywhere); Bun's own limit is a backstop above it.
    maxRequestBodySize: limits.maxBodySize * 2 + 65_536,
    development: false,
    // `http2`: HTTP/2 through ALPN beside HTTP/1.1 (Bun 1.4+; an older Bun ignores it and speaks HTTP/1.1).
    ...(input.tls ? { tls: input.tls, http2: true } : {}),
    fetch(request: Request) {
      const result = answer(request, init);
      return result instanceof Promise ? whileWorking(server, request, result, idleSeconds) : result;
    },
    websocket: sockets.handlers(limits.maxMessageSize),
    error(error: unknown) {
      console.error(error);
      return internalError();
    },
    ...input.native,
  });
  const init = bunContextInit(server, track);
  return {
    port: server.port,
    runtime: "bun",
    close: async () => {
      drain();
      await drainGrace();
      const stopped = server.stop(false);
      await sockets.goAway(server);
      return stopped;
    },
    forceClose: () => server.stop(true),
  };
}
