/**
 * Finding the handler in an imported module, like the seeds' runserver script
 * looking for `application` in a WSGI file: the default export, a handler or
 * an object with `fetch`.
 *
 * @module
 */
import { type Handler, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";

/** What {@linkcode findHandler} found: a handler, or a one-line reason. */
export type Found = { handler: Handler; error?: undefined } | { handler?: undefined; error: string };

/**
 * Picks the handler of a module namespace: its default export when that is a
 * function or has a `fetch` method. Otherwise a one-line error naming what
 * was found.
 *
 * @example
 * ```ts
 * import { findHandler } from "@fetchkit/core";
 * const found = findHandler({ default: { fetch: () => new Response("ok") } }, "app.ts");
 * found.handler !== undefined; // true
 * ```
 */
export function findHandler(namespace: Record<string, unknown>, name: string): Found {
  const exported = Object.keys(namespace).filter((key) => key !== "default");
  if (!("default" in namespace) || namespace.default === undefined) {
    const others = exported.length ? `found exports [${exported.join(", ")}]` : "it exports nothing";
    return { error: `${name} has no default export (${others}); export default a handler or { fetch }` };
  }
  const value = namespace.default;
  if (typeof value === "function" || (typeof value === "object" && value !== null && "fetch" in value)) {
    if (typeof value === "object" && typeof (value as { fetch: unknown }).fetch !== "function") {
      return {
        error: `${name}: default export's fetch is ${describe((value as { fetch: unknown }).fetch)}, not a function`,
      };
    }
    return { handler: toHandler(value as Handler) };
  }
  return {
    error: `${name}: default export is ${describe(value)}, not a handler (request) => Response or an object with fetch`,
  };
}
