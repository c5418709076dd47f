/**
 * `serve()`: one entry that picks the runtime's own server.
 *
 * @module
 */
import { type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { resolveLimits } from "./limits.ts";
import { delay, printAddresses, type Resolved, wrap } from "./server.ts";
import { env } from "../internal/process.ts";
import { runtime } from "../internal/runtime.ts";
import { containUncaught } from "./adapters/uncaught.ts";
import { checkTlsOptions, loadTls } from "./adapters/tls.ts";
import type { AdapterInput, AdapterServer, ServeOptions, Server } from "./types.ts";
import { WORKER_ENV, workerIndex } from "./worker_env.ts";

function resolvePort(value: unknown): number {
  const port = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`serve: port must be an integer from 0 to 65535, got ${describe(value)}`);
  }
  return port;
}

/** `workers: N | "auto"` as a count; a bad value is a TypeError. */
export function resolveWorkers(value: unknown): number {
  if (value === undefined) return 1;
  if (value === "auto") return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1024) {
    throw new TypeError(`serve: workers must be a positive integer or "auto", got ${describe(value)}`);
  }
  return value;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`serve: ${name} must be a non-negative number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

/**
 * Serves a handler (or an app with `fetch`) on the current runtime: `Deno.serve`
 * on Deno, `Bun.serve` on Bun, `node:http` on Node (`node:http2` with `tls`).
 * SIGINT and SIGTERM stop it gracefully (unless `handleSignals: false`).
 *
 * @example Serve on an ephemeral port, then stop
 * ```ts
 * import { serve } from "@fetchkit/core";
 * const server = await serve(() => new Response("hi"), { port: 0, onListen() {} });
 * const text = await (await fetch(server.url)).text(); // "hi"
 * await server.shutdown();
 * ```
 */
export async function serve(app: HandlerLike, options: ServeOptions = {}): Promise<Server> {
  const handler = toHandler(app, "serve: handler");
  if (options === null || typeof options !== "object") {
    throw new TypeError(`serve: options must be an object, got ${describe(options)}`);
  }
  const worker = workerIndex();
  // A worker process binds the port its primary chose (which may have been 0).
  const port = resolvePort(worker !== undefined ? env(WORKER_ENV.port) : options.port ?? env("PORT") ?? 8000);
  const hostname = options.hostname ?? env("HOST") ?? "127.0.0.1";
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(`serve: hostname must be a non-empty string, got ${describe(hostname)}`);
  }
  if (options.onListen !== undefined && typeof options.onListen !== "function") {
    throw new TypeError(`serve: onListen must be a function, got ${describe(options.onListen)}`);
  }
  if (options.overrideGlobals !== undefined && typeof options.overrideGlobals !== "boolean") {
    throw new TypeError(`serve: overrideGlobals must be a boolean, got ${describe(options.overrideGlobals)}`);
  }
  if (options.handleUncaught !== undefined && typeof options.handleUncaught !== "boolean") {
    throw new TypeError(`serve: handleUncaught must be a boolean, got ${describe(options.handleUncaught)}`);
  }
  const deadline = positive("shutdownDeadline", options.shutdownDeadline, 10_000);
  const workers = worker !== undefined ? 1 : resolveWorkers(options.workers);
  const limits = resolveLimits(options.limits);
  if (options.tls !== undefined) checkTlsOptions(options.tls);
  // Read and checked before anything listens (a multi-process primary too), so a bad file fails the start.
  const tls = options.tls === undefined ? undefined : await loadTls(options.tls);
  const resolved: Resolved = { options, port, hostname, deadline, workers, scheme: tls ? "https" : "http" };
  if (workers > 1) return (await import("./adapters/workers.ts")).servePrimary(resolved);

  const pending = new Set<Promise<unknown>>();
  const input: AdapterInput = {
    handler,
    port,
    hostname,
    limits,
    reusePort: worker !== undefined,
    native: options.native ?? {},
    overrideGlobals: options.overrideGlobals ?? true,
    tls,
    track(promise) {
      const settled = promise.catch((error) => console.error(error)).finally(() => pending.delete(settled));
      pending.add(settled);
    },
  };
  const adapter = await start(input);
  const releaseUncaught = options.handleUncaught === false ? () => {} : containUncaught();
  const server = wrap(adapter, resolved, 1, async () => {
    // waitUntil work started before shutdown gets what is left of the deadline.
    const left = delay(deadline);
    const drained = (async () => {
      while (pending.size > 0) await Promise.all(pending);
    })();
    await Promise.race([drained, left.promise]);
    left.cancel();
    releaseUncaught();
  });
  if (worker !== undefined) {
    (await import("./adapters/workers.ts")).followPrimary(server);
  } else (options.onListen ?? printAddresses)([...server.addresses]);
  return server;
}

/** Starts the adapter of the runtime we are on. */
export async function start(input: AdapterInput): Promise<AdapterServer> {
  if (runtime === "deno") return (await import("./adapters/deno.ts")).serveDeno(input);
  if (runtime === "bun") return (await import("./adapters/bun.ts")).serveBun(input);
  return (await import("./adapters/node.ts")).serveNode(input);
}
