/**
 * `defineApp()`: the one `export default` shape that serves exactly once
 * everywhere. It is a plain `{ fetch }` object, so `deno serve`, `bun run`,
 * `bun --hot` and Workers serve it themselves, `serve.ts` imports it and
 * serves it, and importing it (in a test, in another app) binds nothing. Its
 * `fetch` gives the request the same context `serve()` would (client address,
 * `waitUntil`, Workers `env`, the disconnect signal) from whatever the
 * runtime passed, and answers a failure with the same plain 500.
 *
 * @module
 */
import { bindContext, context, type RequestContext } from "../context.ts";
import { type FetchApp, type HandlerLike, toHandler } from "../handler.ts";
import { invoke } from "./invoke.ts";

/** What {@linkcode defineApp} returns: a Workers-style app object. */
export interface ServableApp extends FetchApp {
  /** Answers a request; `runtimeArgs` are whatever the runtime passes (Workers `env, ctx`, Deno's info, Bun's server). */
  fetch(request: Request, ...runtimeArgs: unknown[]): Response | Promise<Response>;
}

interface WorkersContext {
  waitUntil(promise: Promise<unknown>): void;
}
interface DenoInfo {
  remoteAddr: { hostname: string; port: number };
  completed?: Promise<void>;
}
interface BunServer {
  requestIP(request: Request): { address: string; port: number } | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Binds the context from a runtime's own handler arguments (nothing when a fetchkit server already did). */
function bindFromRuntime(request: Request, args: unknown[]): void {
  const [first, second] = args;
  if (isObject(second) && typeof second.waitUntil === "function") {
    const ctx = second as unknown as WorkersContext;
    bindContext(request, { env: first, runtimeArgs: args, waitUntil: (promise) => ctx.waitUntil(promise) });
  } else if (isObject(first) && isObject(first.remoteAddr)) {
    const info = first as unknown as DenoInfo;
    bindContext(request, {
      remoteAddr: { hostname: info.remoteAddr.hostname, port: info.remoteAddr.port },
      runtimeArgs: args,
      signal: () => {
        // Deno's request.signal also aborts after a successful response; `completed` rejects only on failure.
        if (!info.completed) return request.signal;
        const controller = new AbortController();
        info.completed.catch((error) => controller.abort(error));
        return controller.signal;
      },
    });
  } else if (isObject(first) && typeof first.requestIP === "function") {
    const server = first as unknown as BunServer;
    bindContext(request, {
      remoteAddr: () => {
        const ip = server.requestIP(request);
        return ip ? { hostname: ip.address, port: ip.port } : undefined;
      },
      runtimeArgs: args,
    });
  }
}

function alreadyBound(context: RequestContext): boolean {
  return context.runtimeArgs.length > 0;
}

/**
 * Makes the `export default` of an app module: `export default defineApp(app)`
 * serves once under `deno serve`, `bun run`/`bun --hot`, Workers and
 * `serve.ts`, and importing the module never binds a port.
 *
 * @example An app module
 * ```ts
 * import { defineApp } from "@fetchkit/core";
 * export default defineApp((request) => new Response(`Hello ${new URL(request.url).pathname}`));
 * // deno serve app.ts · bun run app.ts · node serve.ts app.ts · a Worker's main module
 * ```
 */
export function defineApp(app: HandlerLike): ServableApp {
  const handler = toHandler(app, "defineApp: app");
  return Object.freeze({
    fetch(request: Request, ...runtimeArgs: unknown[]): Response | Promise<Response> {
      if (runtimeArgs.length > 0 && !alreadyBound(context(request))) bindFromRuntime(request, runtimeArgs);
      return invoke(handler, request);
    },
  });
}
