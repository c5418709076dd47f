/**
 * Middleware: `(next) => handler` wrappers portable to Deno, Bun, Node and
 * Workers: an accumulating profiler with a page, an access log, error pages,
 * a reverse proxy with balancing, and streaming body transforms.
 *
 * @module
 */
export type { Handler, Middleware } from "../handler.ts";
export type { RemoteAddress } from "../context.ts";
export { type Mode, resolveMode } from "./mode.ts";
export { type HistogramBar, LatencyHistogram } from "./histogram.ts";
export {
  profile,
  type ProfileOptions,
  type Profiler,
  type ProfileSnapshot,
  type RouteStats,
  UNROUTED,
} from "./profile.ts";
export { formatCombined, formatCommon, formatJson, type LogEntry, logger, type LoggerOptions } from "./logger.ts";
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
