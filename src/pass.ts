/**
 * Declining a request: a handler that does not want a request answers with
 * {@linkcode pass}, a 404 that dispatch recognises, and the request goes on to
 * the next candidate (the next-shorter mount, the app behind a static
 * middleware). A pass that reaches the server is an ordinary 404.
 *
 * @module
 */

import { plainResponse } from "./internal/http.ts";

const passes = new WeakSet<Response>();

/**
 * A 404 response that tells dispatch "not mine, try the next one".
 *
 * @example A handler that only serves JSON requests
 * ```ts
 * import { pass } from "@fetchkit/core";
 * const jsonOnly = (request: Request) =>
 *   request.headers.get("accept")?.includes("json") ? Response.json({ ok: true }) : pass();
 * ```
 */
export function pass(): Response {
  const response = plainResponse(404, "Not Found");
  passes.add(response);
  return response;
}

/**
 * True when a response is a {@linkcode pass}.
 *
 * @example
 * ```ts
 * import { isPass, pass } from "@fetchkit/core";
 * isPass(pass()); // true
 * isPass(new Response("", { status: 404 })); // false
 * ```
 */
export function isPass(response: Response): boolean {
  return passes.has(response);
}
