/**
 * `byMethod()`: dispatch on the request method.
 *
 * @module
 */

import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { plainResponse } from "../internal/http.ts";

/** The table given to {@linkcode byMethod}: method to handler, `"*"` for every other method. */
export type MethodTable = Record<string, HandlerLike>;

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Sends each method to its own handler. `HEAD` goes to the `GET` handler when
 * it has none of its own (servers drop the body). The key `"*"` takes every
 * other method; without it, another method is answered 405 with an `Allow`
 * header, as RFC 9110 requires, and `OPTIONS` (when the table has no handler
 * for it) is answered 204 with that `Allow` header. A CORS preflight is an
 * `OPTIONS` too: put `cors()` outside `byMethod` so it answers first.
 * Methods are case-sensitive: keys are written in upper case, as `fetch`
 * normalizes the standard ones.
 *
 * @example POSTs to the primary, the rest to the replicas
 * ```ts
 * import { byMethod } from "@fetchkit/core";
 * const primary = () => new Response("primary");
 * const replicas = () => new Response("replica");
 * const db = byMethod({ POST: primary, "*": replicas });
 * await (await db(new Request("http://localhost/", { method: "POST" }))).text(); // "primary"
 * ```
 */
export function byMethod(table: MethodTable): Handler {
  if (table === null || typeof table !== "object" || Array.isArray(table)) {
    throw new TypeError(`byMethod: table must be an object from method to handler, got ${describe(table)}`);
  }
  const handlers: Record<string, Handler> = Object.create(null);
  let other: Handler | undefined;
  for (const [method, handler] of Object.entries(table)) {
    if (method === "*") {
      other = toHandler(handler, `byMethod: "*"`);
      continue;
    }
    if (!token.test(method)) throw new TypeError(`byMethod: ${JSON.stringify(method)} is not an HTTP method`);
    if (method !== method.toUpperCase()) {
      throw new TypeError(
        `byMethod: methods are case-sensitive and written in upper case; write ${JSON.stringify(method.toUpperCase())}`,
      );
    }
    handlers[method] = toHandler(handler, `byMethod: ${method}`);
  }
  if (handlers.GET !== undefined && handlers.HEAD === undefined) handlers.HEAD = handlers.GET;
  const answersOptions = handlers.OPTIONS === undefined && other === undefined;
  const allow = [...Object.keys(handlers), ...(answersOptions ? ["OPTIONS"] : [])].join(", ");
  return function methodDispatched(request: Request): Response | Promise<Response> {
    const handler = handlers[request.method] ?? other;
    if (handler !== undefined) return handler(request);
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { allow } });
    return plainResponse(405, `Method Not Allowed: ${request.method}`, { allow });
  };
}
