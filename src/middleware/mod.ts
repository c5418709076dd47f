/**
 * `fetchkit/middleware`: `(next) => handler` wrappers portable to Deno, Bun,
 * Node and Workers: an accumulating profiler with a page (and Prometheus
 * text), an access log, error pages, a reverse proxy with balancing,
 * streaming body transforms, response compression, ETags for dynamic
 * bodies, per-route body limits, CORS, security headers, request ids, W3C
 * trace context and handler timeouts.
 *
 * @example A development stack around an app
 * ```ts
 * import { compose, mount } from "@fetchkit/core";
 * import { errors, logger, profile } from "@fetchkit/core/middleware";
 * const app = compose(errors(), logger(), profile())(mount({ "/": () => new Response("home") }));
 * await (await app(new Request("http://localhost/"))).text(); // "home"
 * ```
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
export type { RemoteAddress, TraceContext } from "../context.ts";
export type { Mode } from "./mode.ts";
export type { HistogramBar } from "./histogram.ts";
export {
  profile,
  type ProfileOptions,
  type Profiler,
  type ProfileSnapshot,
  type RouteStats,
  type WebSocketRouteStats,
  type WebSocketSnapshot,
} from "./profile.ts";
export { type LogEntry, logger, type LoggerOptions } from "./logger.ts";
export { errors, type ErrorsOptions, type Failure } from "./errors.ts";
export { SENSITIVE_QUERY_KEYS } from "./redact.ts";
export { balance, proxy, type ProxyOptions } from "./proxy.ts";
export {
  type ByteTransform,
  injectHtml,
  replaceText,
  transform,
  transformBody,
  type TransformOptions,
} from "./transform.ts";
export { cors, type CorsOptions, type CorsOrigin } from "./cors.ts";
export {
  type CspDirectives,
  cspNonce,
  type HeaderSetting,
  NONCE,
  secureHeaders,
  type SecureHeadersOptions,
} from "./secure_headers.ts";
export { requestId, type RequestIdOptions } from "./request_id.ts";
export { traceContext, type TraceContextOptions } from "./trace.ts";
export { timeout, type TimeoutOptions } from "./timeout.ts";
export { compress, type CompressEncoding, type CompressOptions } from "./compress.ts";
export { etag, type EtagOptions } from "./etag.ts";
export { bodyLimit } from "./body_limit.ts";
