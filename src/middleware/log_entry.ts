/**
 * The fields of one access-log line, shared by the logger and its formats.
 *
 * @module
 */
import type { TraceContext } from "../context.ts";

/** What one access-log line is made of. */
export interface LogEntry {
  /** When the request arrived. */
  time: Date;
  /** Client address (from serve's context), `undefined` when unknown. */
  remote: string | undefined;
  /** Request method. */
  method: string;
  /** Path and query as received, before any mount stripped them; sensitive query values redacted. */
  target: string;
  /** Response status; 500 when the handler threw. */
  status: number;
  /** Declared `Content-Length`; `undefined` for a streamed body of undeclared length. */
  bytes: number | undefined;
  /** Milliseconds until the handler returned its Response; for a WebSocket (101), until the socket closed. */
  durationMs: number;
  /** The `Referer` header, sensitive query values redacted. */
  referer: string | null;
  /** The `User-Agent` header. */
  userAgent: string | null;
  /** The request's id (`requestId()`, or `errors()` on a failure). */
  requestId?: string | undefined;
  /** The W3C trace context (`traceContext()`). */
  trace?: TraceContext | undefined;
  /** The declared route that answered, `""` when dispatch set none. */
  route?: string | undefined;
  /** The `Host` the request was sent to (`host[:port]`). */
  host?: string | undefined;
  /** `http` or `https`. */
  scheme?: string | undefined;
  /** A WebSocket's close code (its line is written when it closes): 1005 for none given, 1006 for a broken connection. */
  webSocketClose?: number | undefined;
}
