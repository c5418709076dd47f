/**
 * Per-request context that travels with the Request itself.
 *
 * Why a WeakMap keyed by the Request and not a second handler argument:
 * a second argument already means something different on every runtime
 * (Deno's serve info, Bun's server, Workers' `env`), so a foreign app mounted
 * inside fetchkit would misread it; and a handler that ignores the context must
 * stay a plain `(request) => Response`. Dispatch never copies the Request
 * (a copy breaks WebSocket upgrades on Deno and Bun), so the key stays valid
 * from the server adapter down to the innermost mounted app. A middleware that
 * must build a new Request carries the context over with {@linkcode copyContext}.
 *
 * @module
 */

/** The client's address as the server saw it. */
export interface RemoteAddress {
  /** IP address (no brackets for IPv6). */
  hostname: string;
  /** Client port, 0 when unknown. */
  port: number;
}

/**
 * What fetchkit knows about one request besides the Request itself.
 */
export interface RequestContext {
  /**
   * The mount prefix (SCRIPT_NAME) accumulated through nested mounts, raw
   * (percent-encoded as received), `""` at the top level. Never ends in `/`.
   */
  base: string;
  /** The full URL as the server received it, before any mount stripped it. */
  readonly originalUrl: string;
  /** Parameters captured by pattern dispatch (`URLPattern` groups, RegExp groups). */
  params: Record<string, string>;
  /**
   * The route that matched, as declared (mount prefix or pattern source), for
   * per-route statistics: never the raw URL.
   */
  route: string;
  /** The client's address, when the runtime tells it. */
  remoteAddr: RemoteAddress | undefined;
  /** Workers `env` (bindings); `undefined` elsewhere. */
  env: unknown;
  /**
   * Extra arguments the runtime passed to the server's handler (Workers
   * `env, ctx`; Bun's server; Deno's serve info). Apps with a `fetch` method
   * receive them, so foreign frameworks keep their runtime integration.
   */
  runtimeArgs: readonly unknown[];
  /** Keeps the runtime alive for background work after the response is sent. */
  waitUntil(promise: Promise<unknown>): void;
  /** Aborts when the client goes away (falls back to `request.signal`). */
  signal: AbortSignal;
}

const contexts = new WeakMap<Request, RequestContext>();

function fallbackContext(request: Request): RequestContext {
  return {
    base: "",
    originalUrl: request.url,
    params: {},
    route: "",
    remoteAddr: undefined,
    env: undefined,
    runtimeArgs: [],
    // Without a runtime to keep alive, background work just runs; errors must not go unhandled.
    waitUntil: (promise) => void promise.catch(() => {}),
    signal: request.signal,
  };
}

/**
 * Returns the context of a request, creating a default one (top level, no
 * client address) for a Request that did not come through `serve`, such as a
 * Request built in a test.
 *
 * @example Building an absolute link from inside a mounted app
 * ```ts
 * import { context, mount } from "@fetchkit/core";
 * const app = mount({
 *   "/blog": (request) => new Response(`${context(request).base}/posts/1`),
 * });
 * const response = await app(new Request("http://localhost/blog/"));
 * await response.text(); // "/blog/posts/1"
 * ```
 */
export function context(request: Request): RequestContext {
  let found = contexts.get(request);
  if (!found) {
    found = fallbackContext(request);
    contexts.set(request, found);
  }
  return found;
}

/**
 * Attaches a context to a request; used by server adapters. Fields not given
 * take their defaults.
 *
 * @example What a server adapter does
 * ```ts
 * import { bindContext, context } from "@fetchkit/core";
 * const request = new Request("http://localhost/");
 * bindContext(request, { remoteAddr: { hostname: "127.0.0.1", port: 50000 } });
 * context(request).remoteAddr?.hostname; // "127.0.0.1"
 * ```
 */
export function bindContext(request: Request, fields: Partial<RequestContext>): RequestContext {
  const bound = Object.assign(fallbackContext(request), fields);
  contexts.set(request, bound);
  return bound;
}

/**
 * Gives a new Request the context of the one it was made from, for middleware
 * that must build a new Request (for example to change headers). Returns `to`.
 *
 * @example Changing a header without losing the context
 * ```ts
 * import { context, copyContext } from "@fetchkit/core";
 * const original = new Request("http://localhost/");
 * context(original).params.id = "7";
 * const changed = copyContext(original, new Request(original, { headers: { "x-a": "1" } }));
 * context(changed).params.id; // "7"
 * ```
 */
export function copyContext(from: Request, to: Request): Request {
  const source = context(from);
  contexts.set(to, { ...source, params: { ...source.params } });
  return to;
}
