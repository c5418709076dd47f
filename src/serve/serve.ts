/**
 * `serve()`: one entry that picks the runtime's own server.
 *
 * @module
 */
import { type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { resolveLimits, unref } from "./limits.ts";
import { env } from "../internal/process.ts";
import { stopOnSignals } from "./shutdown.ts";
import { containUncaught } from "./uncaught.ts";
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

/** Prints each address as a URL a terminal makes clickable. */
export function printAddresses(addresses: readonly URL[]): void {
  for (const url of addresses) console.log(`Listening on ${url.href}`);
}

/** The URLs a server bound to `hostname` answers on (a wildcard lists loopback). */
function addressesOf(hostname: string, port: number): URL[] {
  const show = (host: string) => new URL(`http://${host.includes(":") ? `[${host}]` : host}:${port}/`);
  if (hostname === "0.0.0.0") return [show("127.0.0.1"), show("0.0.0.0")];
  if (hostname === "::") return [show("::1"), show("::")];
  return [show(hostname)];
}

const delay = (ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  unref(timer);
  return { promise, cancel: () => clearTimeout(timer) };
};

/** Resolved options shared by the single server and the multi-process one. */
export interface Resolved {
  options: ServeOptions;
  port: number;
  hostname: string;
  deadline: number;
  workers: number;
}

/**
 * Serves a handler (or an app with `fetch`) on the current runtime: `Deno.serve`
 * on Deno, `Bun.serve` on Bun, `node:http` on Node. SIGINT and SIGTERM stop it
 * gracefully (unless `handleSignals: false`).
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
  const resolved: Resolved = { options, port, hostname, deadline, workers };
  if (workers > 1) return (await import("./workers.ts")).servePrimary(resolved);

  const pending = new Set<Promise<unknown>>();
  const input: AdapterInput = {
    handler,
    port,
    hostname,
    limits,
    reusePort: worker !== undefined,
    native: options.native ?? {},
    overrideGlobals: options.overrideGlobals ?? true,
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
    (await import("./workers.ts")).followPrimary(server);
  } else (options.onListen ?? printAddresses)([...server.addresses]);
  return server;
}

/**
 * Wraps an adapter into a {@linkcode Server}: deadline-bounded shutdown,
 * `finished`, the abort signal and the signal handlers.
 */
export function wrap(
  adapter: AdapterServer,
  resolved: Resolved,
  workers: number,
  afterClose: () => Promise<void>,
): Server {
  const { options, deadline } = resolved;
  const addresses = addressesOf(resolved.hostname, adapter.port);
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<void> | undefined;
  let release = () => {};
  const shutdown = () =>
    stopping ??= (async () => {
      const limit = delay(deadline);
      const closed = adapter.close().then(() => true, (error) => (console.error(error), true));
      const inTime = await Promise.race([closed, limit.promise.then(() => false)]);
      limit.cancel();
      if (!inTime) {
        console.error(`fetchkit: shutdown deadline (${deadline} ms) reached, closing the remaining connections`);
        await adapter.forceClose();
      }
      await afterClose();
      release();
      resolveFinished();
    })();
  const server: Server = {
    url: addresses[0],
    addresses,
    port: adapter.port,
    runtime: adapter.runtime,
    workers,
    shutdown,
    finished,
    [Symbol.asyncDispose]: shutdown,
  };
  if (options.handleSignals !== false) {
    release = stopOnSignals({ shutdown, forceClose: () => adapter.forceClose() });
  }
  if (options.signal) {
    if (options.signal.aborted) void shutdown();
    else options.signal.addEventListener("abort", () => void shutdown(), { once: true });
  }
  return server;
}

/** Starts the adapter of the runtime we are on. */
export async function start(input: AdapterInput): Promise<AdapterServer> {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno) return (await import("./deno.ts")).serveDeno(input);
  if (global.Bun) return (await import("./bun.ts")).serveBun(input);
  return (await import("./adapters/node.ts")).serveNode(input);
}
