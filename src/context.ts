/**
 * Per-request context that travels with the Request itself.
 *
 * Why it rides on the Request and not in a second handler argument:
 * a second argument already means something different on every runtime
 * (Deno's serve info, Bun's server, Workers' `env`), so a foreign app mounted
 * inside fetchkit would misread it; and a handler that ignores the context must
 * stay a plain `(request) => Response`. Dispatch never copies the Request
 * (a copy breaks WebSocket upgrades on Deno and Bun), so the context stays
 * from the server adapter down to the innermost mounted app. A middleware that
 * must build a new Request carries the context over with {@linkcode copyContext}.
 *
 * @module
 */

import type { WebSocketUpgrader } from "./internal/upgrade.ts";

/** The client's address as the server saw it. */
export interface RemoteAddress {
  /** IP address (no brackets for IPv6). */
  hostname: string;
  /** Client port, 0 when unknown. */
  port: number;
}

/**
 * A request's place in a distributed trace (W3C Trace Context), as
 * `traceContext()` in `fetchkit/middleware` sets it: the trace it belongs to,
 * the span this server opened for it, and the caller's span.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** This server's span for the request: 16 lowercase hex digits, new for every request. */
  readonly spanId: string;
  /** The caller's span (`parent-id` of the incoming `traceparent`); `undefined` when this server started the trace. */
  readonly parentId: string | undefined;
  /** `trace-flags` as two hex digits (`"01"`: sampled). */
  readonly flags: string;
  /** The incoming `tracestate`, checked, or `undefined`. */
  readonly state: string | undefined;
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
  /**
   * The request's id, shared by the response's `X-Request-Id`, the access log
   * and the error log: set by `requestId()`, else by `errors()` when it
   * answers a failure. `undefined` until one of them sets it.
   */
  requestId: string | undefined;
  /** The W3C trace context, set by `traceContext()`; `undefined` without it. */
  trace: TraceContext | undefined;
}

/**
 * What a server adapter knows when a request arrives. Costly fields may be
 * given as functions: they are evaluated on first use only (reading
 * `request.signal` or the peer address costs a measurable share of a hello
 * world on Deno and Bun, and most handlers never look). They receive the
 * request and its context, whose `runtimeArgs` hold what the runtime passed
 * for this request ({@linkcode bindContext}'s third argument), so one init
 * object can serve every request of a server.
 */
export interface ContextInit {
  /** The client's address, or a function computing it on first use. */
  remoteAddr?: RemoteAddress | undefined | ((request: Request, context: RequestContext) => RemoteAddress | undefined);
  /** The disconnect signal, or a function creating it on first use. */
  signal?: AbortSignal | ((request: Request, context: RequestContext) => AbortSignal);
  /** Workers `env`. */
  env?: unknown;
  /** The runtime's extra handler arguments, passed on to apps with `fetch`. */
  runtimeArgs?: readonly unknown[];
  /** Keeps the runtime alive for background work. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Mount prefix so far (default `""`). */
  base?: string;
  /** Captured parameters (default none). */
  params?: Record<string, string>;
  /** The declared route that matched (default `""`). */
  route?: string;
  /** The URL as received (default: the Request's own URL). */
  originalUrl?: string;
  /** How the server switches a request to WebSocket, for `upgradeWebSocket()`; none where it cannot. */
  webSocket?: WebSocketUpgrader;
}

/** The URL a Request's prototype answers, under any `url` a mount shadowed on the object itself. */
function receivedUrl(request: Request): string {
  if (!Object.hasOwn(request, "url")) return request.url;
  return Reflect.get(Object.getPrototypeOf(request), "url", request);
}
const swallow = (promise: Promise<unknown>) => void promise.catch(() => {});

/**
 * Where dispatchers keep the route they are building on (src/dispatch/route.ts):
 * a field of the context declared up front, not a second property added to
 * every Request.
 */
export const ACTIVE_ROUTE: unique symbol = Symbol("fetchkit.activeRoute") as never;

/** Where the context keeps its server's {@linkcode WebSocketUpgrader} (src/websocket.ts reads it). */
export const UPGRADER: unique symbol = Symbol.for("fetchkit.webSocketUpgrader") as never;

/** The context implementation: plain fields plus lazily computed ones. */
class LazyContext implements RequestContext {
  base: string;
  route: string;
  [ACTIVE_ROUTE] = "";
  [UPGRADER]: WebSocketUpgrader | undefined;
  env: unknown;
  runtimeArgs: readonly unknown[];
  waitUntil: (promise: Promise<unknown>) => void;
  requestId: string | undefined = undefined;
  trace: TraceContext | undefined = undefined;
  #request: Request;
  #originalUrl: string | undefined;
  #params: Record<string, string> | undefined;
  #remoteAddr: ContextInit["remoteAddr"];
  #signal: ContextInit["signal"];

  constructor(request: Request, init: ContextInit, runtimeArgs = init.runtimeArgs ?? []) {
    this.#request = request;
    this.base = init.base ?? "";
    this.route = init.route ?? "";
    this.env = init.env;
    this.runtimeArgs = runtimeArgs;
    this.waitUntil = init.waitUntil ?? swallow;
    this.#originalUrl = init.originalUrl;
    this.#params = init.params;
    this.#remoteAddr = init.remoteAddr;
    this.#signal = init.signal;
    this[UPGRADER] = init.webSocket;
  }

  get originalUrl(): string {
    // Mount shadows `url` on the Request itself; the prototype's getter still
    // answers what the server received.
    return this.#originalUrl ??= receivedUrl(this.#request);
  }

  get params(): Record<string, string> {
    return this.#params ??= {};
  }
  set params(value: Record<string, string>) {
    this.#params = value;
  }

  get remoteAddr(): RemoteAddress | undefined {
    if (typeof this.#remoteAddr === "function") this.#remoteAddr = this.#remoteAddr(this.#request, this);
    return this.#remoteAddr;
  }
  set remoteAddr(value: RemoteAddress | undefined) {
    this.#remoteAddr = value;
  }

  get signal(): AbortSignal {
    if (this.#signal === undefined) this.#signal = this.#request.signal;
    else if (typeof this.#signal === "function") this.#signal = this.#signal(this.#request, this);
    return this.#signal;
  }
  set signal(value: AbortSignal) {
    this.#signal = value;
  }
}

/**
 * The context is stored on the Request under a registered symbol, not in a
 * WeakMap: on Deno a WeakMap entry per request cost 20 % of a hello world
 * (measured with wrk, ephemerons are costly to collect), a symbol property 3 %.
 * `Symbol.for` lets two copies of fetchkit in one process (npm and JSR) share it.
 */
const CONTEXT: unique symbol = Symbol.for("fetchkit.context") as never;
type Carrier = Request & { [CONTEXT]?: RequestContext };

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
  return (request as Carrier)[CONTEXT] ??= new LazyContext(request, {});
}

/**
 * Attaches a context to a request; used by server adapters. Fields not given
 * take their defaults; costly ones may be functions, evaluated on first use.
 * `runtimeArgs`, when given, replaces `init.runtimeArgs`: an adapter keeps one
 * init for the whole server and passes what varies per request here.
 *
 * @example What a server adapter does
 * ```ts
 * import { bindContext } from "@fetchkit/core/adapter";
 * import { context } from "@fetchkit/core";
 * const request = new Request("http://localhost/");
 * bindContext(request, { remoteAddr: { hostname: "127.0.0.1", port: 50000 } });
 * context(request).remoteAddr?.hostname; // "127.0.0.1"
 * ```
 */
export function bindContext(request: Request, init: ContextInit, runtimeArgs?: readonly unknown[]): RequestContext {
  const bound = new LazyContext(request, init, runtimeArgs);
  (request as Carrier)[CONTEXT] = bound;
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
  const copied = new LazyContext(to, {
    base: source.base,
    route: source.route,
    env: source.env,
    runtimeArgs: source.runtimeArgs,
    waitUntil: source.waitUntil,
    originalUrl: source.originalUrl,
    params: { ...source.params },
    remoteAddr: () => source.remoteAddr,
    signal: () => source.signal,
    webSocket: (source as LazyContext)[UPGRADER],
  });
  copied.requestId = source.requestId;
  copied.trace = source.trace;
  (to as Carrier)[CONTEXT] = copied;
  return to;
}
