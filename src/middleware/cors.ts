/**
 * Cross-Origin Resource Sharing (the Fetch standard's CORS protocol):
 * answers preflights itself and adds the `Access-Control-*` headers to the
 * app's answers for the origins it allows; for any other origin it adds none,
 * which is how a browser is told no.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { addVary, editHeaders } from "./edit_headers.ts";
import { isResponse } from "../internal/is_response.ts";
import { plainResponse } from "../internal/http.ts";

/** Which origins may read responses: see {@linkcode CorsOptions.origin}. */
export type CorsOrigin =
  | "*"
  | string
  | readonly string[]
  | RegExp
  | ((origin: string, request: Request) => boolean | Promise<boolean>);

/** Options of {@linkcode cors}. */
export interface CorsOptions {
  /**
   * The origins allowed: `"*"` (any, the default), one origin or a list
   * (`"https://app.example"`; `"null"` only when listed), a RegExp tested
   * against the `Origin` header (never against `null`), or a function
   * deciding per request.
   */
  origin?: CorsOrigin;
  /**
   * Let the page send cookies and read the answer (`Access-Control-Allow-Credentials: true`).
   * The allowed origin is then always reflected, never `*`, which browsers refuse with credentials.
   * Default false.
   */
  credentials?: boolean;
  /** Methods a preflight allows. Default `GET, HEAD, PUT, PATCH, POST, DELETE`. */
  methods?: readonly string[];
  /** Request headers a preflight allows. Default: those the preflight asks for (`Access-Control-Request-Headers`). */
  allowHeaders?: readonly string[];
  /** Response headers the page may read besides the safelisted ones (`Access-Control-Expose-Headers`). */
  exposeHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight's answer (`Access-Control-Max-Age`). Default 600; 0 sends none. */
  maxAge?: number;
}

/** HTTP tokens (RFC 9110 §5.6.2): method and field names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** An origin as browsers serialize it: scheme, host, optional port, nothing else. */
const SERIALIZED_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+$/i;
const DEFAULT_METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"];

/** One `cors()`'s settings, checked once; `allows` answers whether an origin may read. */
interface CorsState {
  /** `*` is sent for every origin (no credentials, any origin): nothing varies, no `Vary` needed. */
  readonly wildcard: boolean;
  readonly allows: (origin: string, request: Request) => boolean | Promise<boolean>;
  readonly credentials: boolean;
  readonly methods: string;
  readonly allowHeaders: string | undefined;
  readonly exposeHeaders: string | undefined;
  readonly maxAge: string | undefined;
}

/**
 * Answers CORS preflights (`OPTIONS` with `Access-Control-Request-Method`)
 * with 204 and the allowed methods, headers and max age, and adds
 * `Access-Control-Allow-Origin` (and `-Credentials`, `-Expose-Headers`) to
 * the app's answers for allowed origins, with `Vary: Origin` wherever the
 * answer depends on the origin. A disallowed origin gets no CORS header, its
 * preflight a bare 204 (the browser then blocks the request). Put it outside
 * `mount`, `hosts` and `byMethod`, so a preflight is answered before dispatch.
 *
 * @example An API two front ends may call with cookies
 * ```ts
 * import { cors } from "@fetchkit/core/middleware";
 * const api = cors({ origin: ["https://app.example", "https://admin.example"], credentials: true })(
 *   () => Response.json({ ok: true }),
 * );
 * const response = await api(new Request("http://localhost/", { headers: { origin: "https://app.example" } }));
 * response.headers.get("access-control-allow-origin"); // "https://app.example"
 * ```
 */
export function cors(options: CorsOptions = {}): Middleware {
  const state = corsState(options);
  return (next: Handler): Handler => (request) => crossOrigin(state, next, request);
}

function corsState(options: CorsOptions): CorsState {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`cors: options must be an object, got ${describe(options)}`);
  }
  const { origin = "*", credentials = false, maxAge = 600 } = options;
  if (typeof credentials !== "boolean") {
    throw new TypeError(`cors: credentials must be true or false, got ${describe(credentials)}`);
  }
  if (credentials && origin === "*") {
    // Reflecting every origin with credentials lets any site read answers with the user's cookies
    // (Hono's CVE-2026-54290): credentials need the origins named.
    throw new TypeError('cors: credentials: true needs an explicit origin (a list, a RegExp or a function), not "*"');
  }
  if (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 0) {
    throw new TypeError(`cors: maxAge must be a whole number of seconds ≥ 0, got ${describe(maxAge)}`);
  }
  return {
    wildcard: origin === "*" && !credentials,
    allows: originPolicy(origin),
    credentials,
    methods: tokenList(options.methods ?? DEFAULT_METHODS, "methods") ?? "",
    allowHeaders: tokenList(options.allowHeaders, "allowHeaders"),
    exposeHeaders: tokenList(options.exposeHeaders, "exposeHeaders"),
    maxAge: maxAge > 0 ? String(maxAge) : undefined,
  };
}

function tokenList(list: readonly string[] | undefined, option: string): string | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new TypeError(`cors: ${option} must be an array of names, got ${describe(list)}`);
  for (const name of list) {
    if (typeof name !== "string" || !TOKEN.test(name)) {
      throw new TypeError(`cors: ${option} must hold HTTP tokens, got ${describe(name)}`);
    }
  }
  return list.join(", ");
}

/** The origin option as a predicate over a well-formed `Origin` header value. */
function originPolicy(origin: unknown): CorsState["allows"] {
  if (origin === "*") return notNull;
  if (typeof origin === "function") return origin as CorsState["allows"];
  if (origin instanceof RegExp) return (value) => value !== "null" && origin.test(value);
  const list = typeof origin === "string" ? [origin] : origin;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`cors: origin must be "*", an origin, a list, a RegExp or a function, got ${describe(origin)}`);
  }
  const allowed = new Set(list.map((item) => normalizeOrigin(item)));
  return (value) => allowed.has(value.toLowerCase());
}

/** `"*"` (without credentials, so answered `*`) still refuses `null` where an origin is judged. */
function notNull(value: string): boolean {
  return value !== "null";
}

/** A listed origin in the form browsers send it (`https://a.example:8443`, lower case); a TypeError otherwise. */
function normalizeOrigin(item: unknown): string {
  if (item === "null") return "null";
  if (typeof item === "string" && SERIALIZED_ORIGIN.test(item)) {
    try {
      const url = new URL(item);
      if (url.origin !== "null" && url.href.startsWith(url.origin)) return url.origin;
    } catch { /* reported below */ }
  }
  throw new TypeError(
    `cors: origin must list origins like "https://app.example" (scheme, host, port; no path) or "null", got ${
      describe(item)
    }`,
  );
}

/** The middleware's work for one request. Not an async function: a request without `Origin` costs no promise. */
function crossOrigin(state: CorsState, next: Handler, request: Request): Response | Promise<Response> {
  const origin = request.headers.get("origin");
  if (origin === null) {
    // Same-origin GETs and non-browser clients: nothing to add, but a cache must know the answer varies.
    if (state.wildcard) return next(request);
    return then(next(request), varyOnOrigin);
  }
  const wellFormed = origin === "null" || SERIALIZED_ORIGIN.test(origin);
  if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
    return preflight(state, request, wellFormed ? origin : undefined);
  }
  if (!wellFormed) return then(next(request), state.wildcard ? same : varyOnOrigin);
  if (state.wildcard) return then(next(request), (response) => withAllowed(state, response, "*"));
  return decide(
    state,
    request,
    origin,
    (allowed) =>
      then(next(request), (response) => allowed ? withAllowed(state, response, origin) : varyOnOrigin(response)),
  );
}

/** Applies `finish` to a Response or to the promised one. */
function then(
  result: Response | Promise<Response>,
  finish: (response: Response) => Response,
): Response | Promise<Response> {
  if (isResponse(result)) return finish(result);
  return Promise.resolve(result).then((response) => isResponse(response) ? finish(response) : response);
}

function same(response: Response): Response {
  return response;
}

/** Calls `proceed` with the policy's verdict, synchronously when the policy answered synchronously. */
function decide<T>(
  state: CorsState,
  request: Request,
  origin: string,
  proceed: (allowed: boolean) => T | Promise<T>,
): T | Promise<T> {
  const verdict = state.allows(origin, request);
  if (typeof verdict === "boolean") return proceed(verdict);
  return Promise.resolve(verdict).then((allowed) => proceed(allowed === true));
}

function varyOnOrigin(response: Response): Response {
  return editHeaders(response, (headers) => addVary(headers, "Origin"));
}

/** The app's answer with the headers that let `origin` read it. */
function withAllowed(state: CorsState, response: Response, origin: string): Response {
  return editHeaders(response, (headers) => {
    headers.set("access-control-allow-origin", origin);
    if (state.credentials) headers.set("access-control-allow-credentials", "true");
    if (state.exposeHeaders !== undefined) headers.set("access-control-expose-headers", state.exposeHeaders);
    if (origin !== "*") addVary(headers, "Origin");
  });
}

/**
 * A preflight's answer: 204 with the allowed methods and headers for an
 * allowed origin, a bare 204 for any other (the browser then refuses), a 400
 * for a request method or header list no browser would send.
 */
function preflight(state: CorsState, request: Request, origin: string | undefined): Response | Promise<Response> {
  const method = request.headers.get("access-control-request-method")!.trim();
  const asked = request.headers.get("access-control-request-headers");
  if (!TOKEN.test(method)) {
    return plainResponse(400, "Bad Request: Access-Control-Request-Method must be a method name", { vary: "Origin" });
  }
  if (asked !== null && !isTokenList(asked)) {
    return plainResponse(400, "Bad Request: Access-Control-Request-Headers must list header names", {
      vary: "Origin",
    });
  }
  if (origin === undefined) return refusedPreflight();
  if (state.wildcard) return allowedPreflight(state, "*", asked);
  return decide(
    state,
    request,
    origin,
    (allowed) => allowed ? allowedPreflight(state, origin, asked) : refusedPreflight(),
  );
}

function isTokenList(value: string): boolean {
  for (const item of value.split(",")) {
    const name = item.trim();
    if (name !== "" && !TOKEN.test(name)) return false;
  }
  return true;
}

function refusedPreflight(): Response {
  return new Response(null, { status: 204, headers: { vary: "Origin" } });
}

function allowedPreflight(state: CorsState, origin: string, asked: string | null): Response {
  const headers = new Headers({
    "access-control-allow-origin": origin,
    "access-control-allow-methods": state.methods,
  });
  if (state.credentials) headers.set("access-control-allow-credentials", "true");
  const allowHeaders = state.allowHeaders ?? asked?.trim();
  if (allowHeaders) headers.set("access-control-allow-headers", allowHeaders);
  if (state.maxAge !== undefined) headers.set("access-control-max-age", state.maxAge);
  const vary = ["Origin"];
  if (state.allowHeaders === undefined) vary.push("Access-Control-Request-Headers");
  headers.set("vary", vary.join(", "));
  return new Response(null, { status: 204, headers });
}
