/**
 * Deno adapter: `Deno.serve`.
 *
 * @module
 */
import type { ContextInit, RequestContext } from "../../context.ts";
import { answerer } from "../answer.ts";
import { defaultLimits } from "../limits.ts";
import { denoUpgrader } from "./websocket_deno.ts";
import type { AdapterInput, AdapterServer } from "../types.ts";

/** The second argument Deno passes a serve handler. */
export interface DenoServeInfo {
  remoteAddr: { hostname: string; port: number };
  completed?: Promise<void>;
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

/**
 * The client-disconnect signal. Deno's own `request.signal` also aborts after
 * a *successful* response (its legacy behaviour), which would cancel work a
 * handler left running on purpose; `info.completed` rejects only when the
 * response could not be delivered.
 */
function disconnectSignal(info: DenoServeInfo, request: Request): AbortSignal {
  const completed = info.completed;
  if (!completed) return request.signal;
  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  // Delivering the response failed (the client left while the body streamed).
  completed.catch(abort);
  // The client left before the handler answered: request.signal aborts while
  // `completed` is still pending. The same abort after a success finds
  // `completed` settled, and is ignored.
  request.signal.addEventListener("abort", () => {
    let settled = false;
    completed.then(() => (settled = true), () => (settled = true));
    setTimeout(() => settled || abort(request.signal.reason), 0);
  }, { once: true });
  return controller.signal;
}

const infoOf = (context: RequestContext) => context.runtimeArgs[0] as DenoServeInfo;

/**
 * The context of a request Deno served, read from its serve info (the
 * first of the context's `runtimeArgs`): one init serves every request, with
 * no closure allocated per request. `serve()` and `defineApp` both bind with
 * it, so the two cannot drift.
 */
export function denoContextInit(
  waitUntil?: (promise: Promise<unknown>) => void,
  maxMessageSize = defaultLimits.maxMessageSize,
): ContextInit {
  return {
    remoteAddr: (_request, context) => infoOf(context).remoteAddr,
    signal: (request, context) => disconnectSignal(infoOf(context), request),
    webSocket: denoUpgrader(maxMessageSize),
    ...(waitUntil ? { waitUntil } : {}),
  };
}

/** Whether a handler argument is Deno's serve info. */
export function isDenoServeInfo(value: unknown): value is DenoServeInfo {
  const remoteAddr = (value as { remoteAddr?: unknown } | null)?.remoteAddr;
  return typeof remoteAddr === "object" && remoteAddr !== null;
}

/** Serves with `Deno.serve`. */
export function serveDeno(input: AdapterInput): AdapterServer {
  const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;
  const { track, limits } = input;
  // Measuring the head means walking every header of every request, a real
  // cost on Deno's hot path; Deno itself refuses heads over ~64 KiB (with 400).
  // So the 431 check runs when a limit was set explicitly, not for the default.
  const { answer, drain } = answerer(input, limits.maxHeaderSize !== defaultLimits.maxHeaderSize);
  const init = denoContextInit(track, limits.maxMessageSize);
  const server = Deno.serve(
    {
      port: input.port,
      hostname: input.hostname,
      reusePort: input.reusePort,
      onListen() {},
      // Given a certificate, Deno offers HTTP/2 and HTTP/1.1 through ALPN by itself.
      ...input.tls,
      ...input.native,
    },
    (request, info) => answer(request, init, [info]),
  );
  return {
    port: server.addr.port,
    runtime: "deno",
    close: () => {
      drain();
      return server.shutdown();
    },
    // Deno has no API to cut open connections; the process exit does it.
    forceClose: () => Promise.resolve(),
  };
}
