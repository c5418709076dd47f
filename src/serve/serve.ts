/**
 * `serve()`: one entry that picks the runtime's own server.
 *
 * @module
 */
import { type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import type { AdapterInput, AdapterServer, ServeOptions, Server } from "./types.ts";

function environment(name: string): string | undefined {
  const global = globalThis as {
    Deno?: { env: { get(name: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  try {
    return global.Deno ? global.Deno.env.get(name) : global.process?.env[name];
  } catch {
    return undefined; // Deno without --allow-env: fall back to defaults
  }
}

function resolvePort(value: unknown): number {
  const port = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`serve: port must be an integer from 0 to 65535, got ${describe(value)}`);
  }
  return port;
}

function printAddresses(addresses: URL[]): void {
  for (const url of addresses) console.log(`Listening on ${url.href}`);
}

/**
 * Serves a handler (or an app with `fetch`) on the current runtime: `Deno.serve`
 * on Deno, `Bun.serve` on Bun, `node:http` on Node.
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
  const port = resolvePort(options.port ?? environment("PORT") ?? 8000);
  const hostname = options.hostname ?? environment("HOST") ?? "127.0.0.1";
  const pending = new Set<Promise<unknown>>();
  const input: AdapterInput = {
    handler,
    port,
    hostname,
    native: options.native ?? {},
    track(promise) {
      const settled = promise.catch((error) => console.error(error)).finally(() => pending.delete(settled));
      pending.add(settled);
    },
  };
  const adapter = await start(input);
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  const addresses = [new URL(`http://${shown}:${adapter.port}/`)];
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      await adapter.close();
      while (pending.size > 0) await Promise.all(pending);
      resolveFinished();
    })();
  options.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  (options.onListen ?? printAddresses)(addresses);
  return {
    url: addresses[0],
    addresses,
    port: adapter.port,
    runtime: adapter.runtime,
    shutdown,
    finished,
    [Symbol.asyncDispose]: shutdown,
  };
}

async function start(input: AdapterInput): Promise<AdapterServer> {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno) return (await import("./deno.ts")).serveDeno(input);
  if (global.Bun) return (await import("./bun.ts")).serveBun(input);
  return (await import("./node.ts")).serveNode(input);
}
