/**
 * Shutdown hooks: work that must run when the server stops gracefully (the
 * profiler's flush, closing caches). Portable: `serve()` runs them on SIGINT and
 * SIGTERM on Deno, Bun and Node; a test or an embedding app may call
 * {@linkcode runShutdownHooks} itself.
 *
 * @module
 */

/**
 * Work to run on graceful shutdown.
 *
 * @example
 * ```ts
 * import type { ShutdownHook } from "@fetchkit/core";
 * const flush: ShutdownHook = async () => {};
 * ```
 */
export type ShutdownHook = () => void | Promise<void>;
const hooks = new Set<ShutdownHook>();

/**
 * Registers a hook to run on graceful shutdown; returns a function that
 * unregisters it.
 *
 * @example Flush a buffer when the server stops
 * ```ts
 * import { onShutdown } from "@fetchkit/core";
 * const lines: string[] = [];
 * const remove = onShutdown(() => console.log(lines.join("\n")));
 * remove(); // no longer needed
 * ```
 */
export function onShutdown(hook: ShutdownHook): () => void {
  if (typeof hook !== "function") throw new TypeError("onShutdown: hook must be a function");
  hooks.add(hook);
  return () => void hooks.delete(hook);
}

/**
 * Runs every registered hook once, concurrently, and waits for all of them; a
 * failing hook is reported and does not stop the others. Hooks are removed
 * once run.
 *
 * @example What serve does on SIGTERM
 * ```ts
 * import { onShutdown } from "@fetchkit/core";
 * import { runShutdownHooks } from "@fetchkit/core/adapter";
 * onShutdown(() => console.log("flushed"));
 * await runShutdownHooks();
 * ```
 */
export async function runShutdownHooks(): Promise<void> {
  const running = [...hooks];
  hooks.clear();
  const results = await Promise.allSettled(running.map((hook) => hook()));
  for (const result of results) {
    if (result.status === "rejected") console.error("shutdown hook failed:", result.reason);
  }
}
