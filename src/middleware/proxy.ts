/**
 * Reverse proxy (PEP 3333's "forwarding requests over the network"): streams
 * both ways, removes hop-by-hop headers, sets the forwarding headers, rewrites
 * redirects and cookie paths for the mount prefix, and maps upstream failures
 * to 502/504. {@linkcode balance} spreads requests over replicas.
 *
 * @module
 */
import { context, type RemoteAddress } from "../context.ts";
import type { Handler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { runtime } from "../internal/runtime.ts";
import { authority, pathAndQuery } from "../internal/url.ts";
import type { UpstreamRequest } from "./adapters/upstream_node.ts";
import { HOP_BY_HOP, plainResponse } from "../internal/http.ts";
import { traceparentOf } from "./trace.ts";
import { isWebSocketRequest } from "../websocket.ts";
import { relayWebSocket, UpstreamSocketError } from "./proxy_websocket.ts";

/** Options of {@linkcode proxy} and {@linkcode balance}. */
export interface ProxyOptions {
  /**
   * Whether incoming `X-Forwarded-*` and `Forwarded` headers are kept and
   * appended to (the client is a proxy you run), or dropped and set afresh.
   * Other client-address headers (`X-Real-IP`, `X-Client-IP`, `True-Client-IP`,
   * `CF-Connecting-IP`, `Fastly-Client-IP`, `X-Cluster-Client-IP`) are kept
   * only from a trusted client. A function decides per client address.
   * Default false.
   */
  trustForwarded?: boolean | ((remote: RemoteAddress | undefined) => boolean);
  /** Milliseconds to wait for the upstream's response headers before answering 504. Default 30000. */
  timeout?: number;
  /** Rewrite `Location` and `Set-Cookie` paths from the upstream's path to the mount prefix. Default true. */
  rewritePaths?: boolean;
}

/** The Node adapter, imported once on first use (not per request, and never in a Workers bundle's start-up). */
let nodeUpstream: Promise<typeof import("./adapters/upstream_node.ts")> | undefined;
/**
 * Sends one request upstream without following redirects or decoding the
 * body: fetch() on Bun (`decompress: false`), Workers (which re-encode by the
 * header) and Deno (which decodes only what the request accepted: see
 * {@linkcode passesEncoding}); on Node a `node:http` client, because Node's
 * fetch holds a whole streamed upload in memory and decodes bodies while
 * keeping their `Content-Encoding` (see adapters/upstream_node.ts).
 */
const sendUpstream: (target: string, init: UpstreamRequest) => Promise<Response> = runtime === "node"
  ? async (target, init) => (await (nodeUpstream ??= import("./adapters/upstream_node.ts"))).fetchUpstream(target, init)
  : (target, init) =>
    fetch(target, {
      ...init,
      redirect: "manual",
      // @ts-ignore: Bun's option to pass compressed bodies through as they are.
      decompress: false,
      // @ts-ignore: `duplex` streams the request body; missing from the DOM types.
      duplex: "half",
    });

/** Whether the client's Accept-Encoding may go upstream: Deno's fetch would decode what it allows. */
const passesEncoding = runtime !== "deno";

/** HTTP field names (RFC 9110 §5.1): `Headers.delete` throws on anything else. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A copy without the hop-by-hop headers, nor those the `Connection` header names (RFC 9110 §7.6.1). */
function withoutHopByHop(source: Headers): Headers {
  const headers = new Headers(source);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const named = source.get("connection");
  if (named !== null) {
    // A sloppy `Connection: close, ` must not become a 500: skip what is not a field name.
    for (const item of named.split(",")) {
      const name = item.trim();
      if (TOKEN.test(name)) headers.delete(name);
    }
  }
  return headers;
}

/**
 * Headers that say who the client is, dropped unless the client is trusted.
 * Besides the standard ones, those that a CDN or a proxy in front sets and
 * upstream code commonly reads as the client's address, often before
 * `X-Forwarded-For` (request-ip's order starts with `X-Client-IP`): from an
 * untrusted client each is a spoofed address.
 */
const FORWARDING = [
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "forwarded",
  "x-real-ip",
  "x-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
  "x-cluster-client-ip",
];
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** The upstream could not be reached (refused, reset, DNS): worth a retry on another replica. */
class ConnectFailure {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

function parseUpstream(value: unknown, option: string): URL {
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : value as string);
  } catch {
    throw new TypeError(`${option} must be an absolute http(s) URL, got ${describe(value)}`);
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    // A WebSocket upstream answers plain HTTP on the same origin: http: for ws:, https: for wss:.
    url = new URL(url.href.replace(/^ws/, "http"));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${option} must be an http: or https: URL (or ws:, wss:), got ${describe(String(value))}`);
  }
  if (url.search || url.hash) throw new TypeError(`${option} must not have a query or fragment, got ${url.href}`);
  return url;
}

function validate(options: ProxyOptions, name: string): Required<ProxyOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${name}: options must be an object, got ${describe(options)}`);
  }
  const { trustForwarded = false, timeout = 30_000, rewritePaths = true } = options;
  if (typeof trustForwarded !== "boolean" && typeof trustForwarded !== "function") {
    throw new TypeError(`${name}: trustForwarded must be a boolean or a function, got ${describe(trustForwarded)}`);
  }
  if (typeof timeout !== "number" || !(timeout > 0)) {
    throw new TypeError(`${name}: timeout must be a positive number of milliseconds, got ${describe(timeout)}`);
  }
  return { trustForwarded, timeout, rewritePaths };
}

/** A `Forwarded` node: IPv6 in brackets and quoted (RFC 7239 §6). */
function forwardedNode(address: string | undefined): string {
  if (address === undefined) return "unknown";
  return address.includes(":") ? `"[${address}]"` : address;
}

function quoted(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

function upstreamHeaders(request: Request, trust: Required<ProxyOptions>["trustForwarded"]): Headers {
  const headers = withoutHopByHop(request.headers);
  headers.delete("host");
  // Our server already answered `Expect: 100-continue` on this hop when the body was read, and
  // Node's fetch() refuses a request carrying `Expect` (curl sends it on every large upload).
  headers.delete("expect");
  // The client's own Accept-Encoding goes through, so a compressed body passes as is. Deno's
  // fetch decodes whenever the request accepts an encoding (keeping Content-Encoding), so
  // there, and when the client named none, ask for identity.
  if (!passesEncoding || !headers.has("accept-encoding")) headers.set("accept-encoding", "identity");
  const ctx = context(request);
  const trusted = typeof trust === "function" ? trust(ctx.remoteAddr) : trust;
  if (!trusted) { for (const name of FORWARDING) headers.delete(name); }
  const client = ctx.remoteAddr?.hostname;
  const original = ctx.originalUrl;
  const proto = original.slice(0, original.indexOf(":"));
  const host = request.headers.get("host") ?? authority(original);
  const previous = headers.get("x-forwarded-for");
  headers.set("x-forwarded-for", previous ? `${previous}, ${client ?? "unknown"}` : client ?? "unknown");
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", proto);
  if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  headers.append("forwarded", `for=${forwardedNode(client)};host=${quoted(host)};proto=${proto}`);
  // Under traceContext() the upstream's span is a child of this server's, not of the caller's.
  if (ctx.trace !== undefined) {
    headers.set("traceparent", traceparentOf(ctx.trace));
    if (ctx.trace.state === undefined) headers.delete("tracestate");
    else headers.set("tracestate", ctx.trace.state);
  }
  return headers;
}

/** Maps an upstream path to the public one: `/app/x` → `<base>/x` when the upstream lives at `/app`. */
function publicPath(path: string, upstreamPath: string, base: string): string | undefined {
  if (upstreamPath === "") return base + path;
  if (path === upstreamPath) return base || "/";
  if (path.startsWith(upstreamPath + "/")) return base + path.slice(upstreamPath.length);
  return undefined;
}

function rewriteLocation(location: string, upstream: URL, upstreamPath: string, base: string): string {
  let target: URL;
  try {
    target = new URL(location, upstream);
  } catch {
    return location;
  }
  if (target.origin !== upstream.origin) return location;
  const path = publicPath(target.pathname, upstreamPath, base);
  return path === undefined ? location : path + target.search + target.hash;
}

function rewriteCookie(cookie: string, upstreamPath: string, base: string): string {
  return cookie.replace(/(;\s*path\s*=\s*)([^;]*)/i, (whole, prefix: string, path: string) => {
    const mapped = publicPath(path.trim(), upstreamPath, base);
    return mapped === undefined ? whole : prefix + mapped;
  });
}

function responseHeaders(response: Response, upstream: URL, upstreamPath: string, base: string, rewrite: boolean) {
  const headers = withoutHopByHop(response.headers);
  if (rewrite && (base !== "" || upstreamPath !== "")) {
    const location = headers.get("location");
    if (location !== null) headers.set("location", rewriteLocation(location, upstream, upstreamPath, base));
    const cookies = headers.getSetCookie();
    if (cookies.length > 0) {
      headers.delete("set-cookie");
      for (const cookie of cookies) headers.append("set-cookie", rewriteCookie(cookie, upstreamPath, base));
    }
  }
  return headers;
}

/** One attempt: the upstream's Response, a 504, or a ConnectFailure. */
async function forward(
  request: Request,
  upstream: URL,
  options: Required<ProxyOptions>,
): Promise<Response | ConnectFailure> {
  const upstreamPath = upstream.pathname.replace(/\/+$/, "");
  const target = `${upstream.origin}${upstreamPath}${pathAndQuery(request.url)}`;
  if (isWebSocketRequest(request)) return forwardWebSocket(request, target, options);
  const aborter = new AbortController();
  const clientSignal = context(request).signal;
  const onClientGone = () => aborter.abort(clientSignal.reason);
  if (clientSignal.aborted) onClientGone();
  else clientSignal.addEventListener("abort", onClientGone, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    aborter.abort(new Error("upstream timeout"));
  }, options.timeout);
  let response: Response;
  try {
    const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
    response = await sendUpstream(target, {
      method: request.method,
      headers: upstreamHeaders(request, options.trustForwarded),
      body: hasBody ? request.body : null,
      signal: aborter.signal,
    });
  } catch (error) {
    clearTimeout(timer);
    clientSignal.removeEventListener("abort", onClientGone);
    if (timedOut) return plainResponse(504, "Gateway Timeout: the upstream did not answer in time");
    if (clientSignal.aborted) return plainResponse(499, "Client Closed Request");
    return new ConnectFailure(error);
  }
  clearTimeout(timer);
  // Headers are in: the client's disconnect still cancels the body through the abort listener.
  const headers = responseHeaders(response, upstream, upstreamPath, context(request).base, options.rewritePaths);
  const bodyless = request.method === "HEAD" || response.status === 204 || response.status === 304;
  const body = bodyless ? null : response.body;
  if (bodyless) await response.body?.cancel();
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A WebSocket handshake: relayed to the upstream's, a failed one is a ConnectFailure (or a 504 on the timeout). */
async function forwardWebSocket(
  request: Request,
  target: string,
  options: Required<ProxyOptions>,
): Promise<Response | ConnectFailure> {
  const headers = upstreamHeaders(request, options.trustForwarded);
  try {
    return await relayWebSocket(request, target, { headers, timeout: options.timeout });
  } catch (error) {
    if (!(error instanceof UpstreamSocketError)) throw error;
    if (error.timedOut) return plainResponse(504, "Gateway Timeout: the upstream did not answer in time");
    return new ConnectFailure(error);
  }
}

function badGateway(failure: ConnectFailure): Response {
  const cause = failure.cause instanceof Error ? failure.cause : undefined;
  const detail = (cause?.cause as { code?: string } | undefined)?.code ?? cause?.name ?? "connection failed";
  return plainResponse(502, `Bad Gateway: the upstream could not be reached (${detail})`);
}

/**
 * A handler that forwards every request to `upstream`, below its path: with
 * the proxy mounted at `/api` and upstream `http://10.0.0.5:8080/v2`, a request
 * for `/api/users?page=2` goes to `http://10.0.0.5:8080/v2/users?page=2`
 * (the path the proxy sees, below its mount, is appended to the upstream's).
 *
 * Unreachable upstream → 502; no response headers within `timeout` → 504.
 *
 * A WebSocket handshake is forwarded as one (`ws:`/`wss:` for an `http:`/`https:`
 * upstream, or an upstream given as `ws:`/`wss:`): the upstream's subprotocol is
 * the client's, messages pass both ways as they are, and each side's close
 * code and reason reach the other. An upstream refusing the handshake is a 502.
 *
 * @example Mount an upstream under /api
 * ```ts
 * import { mount } from "@fetchkit/core";
 * import { proxy } from "@fetchkit/core/middleware";
 * const app = mount({ "/api": proxy("http://127.0.0.1:9000", { timeout: 10_000 }) });
 * ```
 */
export function proxy(upstream: string | URL, options: ProxyOptions = {}): Handler {
  const target = parseUpstream(upstream, "proxy: upstream");
  const settings = validate(options, "proxy");
  return async (request) => {
    const result = await forward(request, target, settings);
    return result instanceof ConnectFailure ? badGateway(result) : result;
  };
}

/**
 * Round-robin over replicas. When a replica cannot be reached, an idempotent
 * request without a body (GET, HEAD, OPTIONS, DELETE…) is retried once on the
 * next replica; anything else answers 502.
 *
 * @example POSTs to the primary, the rest to the replicas
 * ```ts
 * import { balance, proxy } from "@fetchkit/core/middleware";
 * const primary = proxy("http://10.0.0.1:8080");
 * const replicas = balance(["http://10.0.0.2:8080", "http://10.0.0.3:8080"]);
 * const app = (request: Request) => request.method === "POST" ? primary(request) : replicas(request);
 * ```
 */
export function balance(upstreams: readonly (string | URL)[], options: ProxyOptions = {}): Handler {
  if (!Array.isArray(upstreams) || upstreams.length === 0) {
    throw new TypeError(`balance: upstreams must be a non-empty array of URLs, got ${describe(upstreams)}`);
  }
  const targets = upstreams.map((upstream, index) => parseUpstream(upstream, `balance: upstreams[${index}]`));
  const settings = validate(options, "balance");
  let next = 0;
  return async (request) => {
    const first = next;
    next = (next + 1) % targets.length;
    const result = await forward(request, targets[first], settings);
    if (!(result instanceof ConnectFailure)) return result;
    if (targets.length > 1 && IDEMPOTENT.has(request.method) && request.body === null) {
      const retry = await forward(request, targets[(first + 1) % targets.length], settings);
      if (!(retry instanceof ConnectFailure)) return retry;
      return badGateway(retry);
    }
    return badGateway(result);
  };
}
