/**
 * A request's header fields as the server parsed them, for the few hot paths
 * that only look a header or two up: `[name, value, …]`, names as sent.
 *
 * Why: on Node, `request.headers` is a Headers object built on first use
 * from Node's raw list (fetchkit's light Request), a microsecond or more for
 * a browser's dozen headers, and serveStatic asks five of them on every
 * cached answer. A Request that can answer from the list it already holds
 * offers it under {@linkcode RAW_HEADERS}; every other Request is read
 * through its Headers as usual.
 *
 * @module
 */

/**
 * The name of the getter by which a Request offers its raw header list:
 * `undefined` once its Headers exist (they may have been changed since).
 *
 * @example
 * ```ts
 * import { RAW_HEADERS } from "./raw_headers.ts";
 * const offers = RAW_HEADERS in new Request("http://localhost/");
 * ```
 */
export const RAW_HEADERS: unique symbol = Symbol.for("fetchkit.rawHeaders");

type OffersRawHeaders = { [RAW_HEADERS]?: readonly string[] | undefined };

/**
 * The raw header list of `request` while that is still what its Headers
 * would say, else `undefined` (then read `request.headers`).
 *
 * @example
 * ```ts
 * import { rawHeaderList } from "./raw_headers.ts";
 * rawHeaderList(new Request("http://localhost/")); // undefined: an ordinary Request
 * ```
 */
export function rawHeaderList(request: Request): readonly string[] | undefined {
  return (request as OffersRawHeaders)[RAW_HEADERS];
}
